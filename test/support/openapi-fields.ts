/** Field names from PagerDuty's OpenAPI document (test/fixtures), for checking the simulator's shapes and the catalogue's columns. */
import { readFileSync } from 'node:fs';

type Schema = { $ref?: string; allOf?: Schema[]; anyOf?: Schema[]; oneOf?: Schema[]; properties?: Record<string, Schema>; items?: Schema };
type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> };

const openapi = JSON.parse(readFileSync(new URL('../fixtures/pagerduty-openapi-v3.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};

function deref(s: Schema | undefined): Schema | undefined {
  let out = s;
  while (out?.$ref) out = out.$ref.replace('#/', '').split('/').reduce((o: any, k) => o[k], openapi) as Schema;
  return out;
}

function properties(s: Schema | undefined, out = new Map<string, Schema>()): Map<string, Schema> {
  const d = deref(s);
  if (!d) return out;
  for (const part of [...(d.allOf ?? []), ...(d.anyOf ?? []), ...(d.oneOf ?? [])]) properties(part, out);
  for (const [k, v] of Object.entries(d.properties ?? {})) out.set(k, v);
  return out;
}

function responseSchema(method: 'get' | 'post', path: string): Schema {
  const schema = openapi.paths[path]?.[method]?.responses['200']?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`the OpenAPI document has no 200 JSON response for ${method.toUpperCase()} ${path}`);
  return schema;
}

/** The top-level fields of an operation's 200 response, sorted. */
export function envelopeFields(method: 'get' | 'post', path: string): string[] {
  return [...properties(responseSchema(method, path)).keys()].sort();
}

/** The fields of one record of the response's `envelope` array, sorted. */
export function recordFields(method: 'get' | 'post', path: string, envelope: string): string[] {
  const list = deref(properties(responseSchema(method, path)).get(envelope));
  return [...properties(list?.items).keys()].sort();
}

export const sortedKeys = (r: object) => Object.keys(r).sort();
