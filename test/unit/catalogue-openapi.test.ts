import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { recordFields } from '../support/openapi-fields.js';

test('the catalogue has a column for every field PagerDuty\'s OpenAPI document lists for each stream\'s records', async () => {
  const catalogue = await loadCatalogue();
  for (const [name, spec] of Object.entries(catalogue.streams)) {
    // The document has one unnamed property (Notification's ""): no field can be a column without a name.
    const fields = recordFields(spec.method.toLowerCase() as 'get' | 'post', spec.path, spec.envelope).filter(Boolean);
    assert.ok(fields.length > 0, `${name}: the OpenAPI document describes ${spec.path}`);
    assert.deepEqual(fields.filter((f) => !(f in spec.columns)), [], `${name}: fields without a column`);
  }
});
