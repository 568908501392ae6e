import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkCatalogue } from '../../src/catalogue/catalogue.js';
import { DEFAULT_CATALOGUE_PATH, loadCatalogue, writeCheckedCatalogue } from '../../src/catalogue/load-catalogue.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../support/temp.js';

test('the checked catalogue the build keeps is the YAML\'s, used only for that text; an edited or broken one is checked again', async () => {
  const dir = tempDir('catalogue');
  const copy = join(dir, 'checked.json');
  const text = readFileSync(DEFAULT_CATALOGUE_PATH, 'utf8');
  await writeCheckedCatalogue(DEFAULT_CATALOGUE_PATH, copy);
  assert.deepEqual(await loadCatalogue(DEFAULT_CATALOGUE_PATH, copy), await checkCatalogue(text, DEFAULT_CATALOGUE_PATH));

  // The copy is what is read for that text (doctored here to tell it apart)...
  const doctored = JSON.parse(readFileSync(copy, 'utf8')) as { catalogue: { page_limit: number } };
  doctored.catalogue.page_limit = 1;
  writeFileSync(copy, JSON.stringify(doctored));
  assert.equal((await loadCatalogue(DEFAULT_CATALOGUE_PATH, copy)).page_limit, 1, 'same text: the copy');
  // ...and only for that text: another is parsed and checked, errors and all.
  const edited = join(dir, 'edited.yaml');
  writeFileSync(edited, text.replace('page_limit: 100', 'page_limit: 50'));
  assert.equal((await loadCatalogue(edited, copy)).page_limit, 50, 'edited text: parsed again');
  writeFileSync(edited, text.replace('page_limit: 100', 'page_limit: 500'));
  await assert.rejects(loadCatalogue(edited, copy), (e) => e instanceof ConfigError && e.message.startsWith(`${edited}: page_limit`));
  writeFileSync(copy, '{ cut short');
  assert.equal((await loadCatalogue(DEFAULT_CATALOGUE_PATH, copy)).page_limit, 100, 'an unreadable copy: parsed again');
});
