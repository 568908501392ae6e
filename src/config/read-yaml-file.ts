import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { formatZodIssue } from './format-zod-error.js';

/** Reads a YAML file, naming the file in every error. */
export async function readYamlFile(path: string, what: string, label = path): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`${label}: ${what} not found: check the path`);
    if (code === 'EISDIR') throw new ConfigError(`${label}: is a directory, expected a ${what}`);
    throw new ConfigError(`${label}: cannot read ${what} (${code ?? 'unknown error'})`);
  }
  return parseYamlText(text, label);
}

export function parseYamlText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0];
    const where = line ? `line ${line.line}, column ${line.col}` : 'somewhere';
    const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
    throw new ConfigError(`${source}: invalid YAML at ${where}: ${reason}`);
  }
  return doc.toJS();
}

/** Validates with a zod schema; the error names the source, the key path and what was expected. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, source: string, pathPrefix: string[] = []): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // A misspelt key explains the missing one it was meant to be: report it first.
  const issues = result.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  throw new ConfigError(`${source}: ${formatZodIssue({ ...issue, path: [...pathPrefix, ...issue.path] })}`);
}
