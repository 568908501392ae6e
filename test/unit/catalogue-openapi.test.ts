import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadCatalogue } from '../../src/spec/catalogue.js';

type Schema = { $ref?: string; allOf?: Schema[]; anyOf?: Schema[]; oneOf?: Schema[]; properties?: Record<string, Schema>; items?: Schema };

const openapi = JSON.parse(readFileSync(new URL('../fixtures/pagerduty-openapi-v3.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>;
};

function deref(s: Schema | undefined): Schema | undefined {
  let out = s;
  while (out?.$ref) out = out.$ref.replace('#/', '').split('/').reduce((o: any, k) => o[k], openapi) as Schema;
  return out;
}

/** Every property a schema can have, through allOf/anyOf/oneOf (log entries are one of 15 kinds). */
function properties(s: Schema | undefined, out = new Map<string, Schema>()): Map<string, Schema> {
  const d = deref(s);
  if (!d) return out;
  for (const part of [...(d.allOf ?? []), ...(d.anyOf ?? []), ...(d.oneOf ?? [])]) properties(part, out);
  for (const [k, v] of Object.entries(d.properties ?? {})) out.set(k, v);
  return out;
}

test('the catalogue has a column for every field PagerDuty\'s OpenAPI document lists for each stream\'s records', async () => {
  const catalogue = await loadCatalogue();
  for (const [name, spec] of Object.entries(catalogue.streams)) {
    const method = spec.method.toLowerCase();
    const response = openapi.paths[spec.path]?.[method]?.responses['200'];
    const envelope = properties(response?.content?.['application/json']?.schema).get(spec.envelope);
    // The document has one unnamed property (Notification's ""): no field can be a column without a name.
    const fields = [...properties(deref(envelope)?.items).keys()].filter(Boolean);
    assert.ok(fields.length > 0, `${name}: the OpenAPI document describes ${spec.path}`);
    assert.deepEqual(fields.filter((f) => !(f in spec.columns)), [], `${name}: fields without a column`);
  }
});
