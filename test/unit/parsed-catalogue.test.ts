import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_CATALOGUE_PATH } from '../../src/catalogue/catalogue.js';
import { catalogueDocument, writeParsedCatalogue } from '../../src/catalogue/parsed-catalogue.js';
import { tempDir } from '../support/temp.js';

test('the parsed copy the build keeps gives the YAML\'s own document, and an edited catalogue is parsed again', async () => {
  const copy = join(tempDir('catalogue'), 'parsed.json');
  await writeParsedCatalogue(DEFAULT_CATALOGUE_PATH, copy);
  const text = readFileSync(DEFAULT_CATALOGUE_PATH, 'utf8');
  assert.deepEqual(await catalogueDocument(text, copy), parse(text));
  // The copy is what is read for that text (doctored here to tell it apart), and only for that text.
  const doctored = JSON.parse(readFileSync(copy, 'utf8')) as { document: { page_limit: number } };
  doctored.document.page_limit = 1;
  writeFileSync(copy, JSON.stringify(doctored));
  assert.equal(((await catalogueDocument(text, copy)) as { page_limit: number }).page_limit, 1, 'same text: the copy');
  const edited = text.replace('page_limit: 100', 'page_limit: 50');
  assert.equal(((await catalogueDocument(edited, copy)) as { page_limit: number }).page_limit, 50, 'edited text: parsed again');
  writeFileSync(copy, '{ cut short');
  assert.deepEqual(await catalogueDocument(text, copy), parse(text), 'an unreadable copy: parsed again');
});
