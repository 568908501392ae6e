import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

/** The default catalogue's YAML already parsed, written by `npm run build` beside the compiled code. */
export const PARSED_CATALOGUE_PATH = fileURLToPath(new URL('./pagerduty.parsed.json', import.meta.url));

interface ParsedCopy {
  sha256: string;
  document: unknown;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The document a catalogue's YAML text holds. Parsing the YAML is a quarter of a second of every
 * command's start, so the build keeps a parsed copy, used only for the very text it was made from
 * (by hash): an edited catalogue is parsed again.
 */
export async function catalogueDocument(text: string, copyPath = PARSED_CATALOGUE_PATH): Promise<unknown> {
  const copy = await readFile(copyPath, 'utf8')
    .then((t) => JSON.parse(t) as ParsedCopy)
    .catch(() => undefined);
  if (copy?.sha256 === sha256(text)) return copy.document;
  const { parse } = await import('yaml');
  return parse(text) as unknown;
}

/** Writes the parsed copy of a catalogue's YAML (at build time); refuses a document JSON would not hold exactly. */
export async function writeParsedCatalogue(yamlPath: string, copyPath = PARSED_CATALOGUE_PATH): Promise<void> {
  const text = await readFile(yamlPath, 'utf8');
  const { parse } = await import('yaml');
  const document = parse(text) as unknown;
  const json = JSON.stringify({ sha256: sha256(text), document } satisfies ParsedCopy);
  if (!isDeepStrictEqual((JSON.parse(json) as ParsedCopy).document, document)) {
    throw new Error(`${yamlPath}: a value JSON cannot hold exactly (a date, an Infinity?): quote it`);
  }
  await writeFile(copyPath, json);
}
