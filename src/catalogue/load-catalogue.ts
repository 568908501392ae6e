import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { Catalogue } from './catalogue.js';

export const DEFAULT_CATALOGUE_PATH = fileURLToPath(new URL('../../specs/pagerduty.yaml', import.meta.url));
/** The default catalogue, parsed and checked by `npm run build`, beside the compiled code. */
export const CHECKED_CATALOGUE_PATH = fileURLToPath(new URL('./pagerduty.checked.json', import.meta.url));

interface CheckedCopy {
  version: string;
  catalogue: Catalogue;
}

/** The code whose answer the copy keeps: a rebuilt checker (say, a new default) makes the copy stale too. */
const CHECKER = ['catalogue', 'catalogue-rules'].map((f) => fileURLToPath(new URL(`./${f}${extname(import.meta.url)}`, import.meta.url)));

/** What the checked copy of a catalogue text depends on: the text and the checker's code. */
async function versionOf(text: string): Promise<string> {
  const code = await Promise.all(CHECKER.map((f) => readFile(f, 'utf8')));
  const hash = createHash('sha256').update(text);
  for (const c of code) hash.update('\0').update(c);
  return hash.digest('hex');
}

/**
 * Reads and validates the stream catalogue; a broken catalogue is a configuration error. Parsing the
 * YAML and loading zod to check it are 0.4 s of CPU at every start, so the build keeps the checked
 * catalogue as JSON, used only for the very text and checker it was made from (by hash): an edited
 * catalogue is parsed and checked again. This module loads neither yaml nor zod unless it must.
 */
export async function loadCatalogue(path = DEFAULT_CATALOGUE_PATH, copyPath = CHECKED_CATALOGUE_PATH): Promise<Catalogue> {
  const text = await readFile(path, 'utf8');
  const copy = await readFile(copyPath, 'utf8')
    .then((t) => JSON.parse(t) as CheckedCopy)
    .catch(() => undefined);
  const version = await versionOf(text).catch(() => undefined);
  if (version !== undefined && copy?.version === version) return copy.catalogue;
  return (await import('./catalogue.js')).checkCatalogue(text, path);
}

/** Writes the checked copy of a catalogue (at build time); refuses one JSON would not hold exactly. */
export async function writeCheckedCatalogue(path = DEFAULT_CATALOGUE_PATH, copyPath = CHECKED_CATALOGUE_PATH): Promise<void> {
  const text = await readFile(path, 'utf8');
  const catalogue = await (await import('./catalogue.js')).checkCatalogue(text, path);
  const json = JSON.stringify({ version: await versionOf(text), catalogue } satisfies CheckedCopy);
  if (!isDeepStrictEqual((JSON.parse(json) as CheckedCopy).catalogue, catalogue)) {
    throw new Error(`${path}: a value JSON cannot hold exactly (a date, an Infinity, an undefined?)`);
  }
  await writeFile(copyPath, json);
}
