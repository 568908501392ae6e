import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summaryOf, syncFixture } from './support/sync-fixture.js';

/** users by full refresh, incidents by merge. */
const replication = (schema: string) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\nstreams:\n  users:\n  incidents:\n    mode: incremental\n`;

describe('API fields named like pdsync\'s own columns', () => {
  test('a field named _pdsync_seq or _pdsync_loaded_at lands in api_pdsync_seq and api_pdsync_loaded_at, beside pdsync\'s own columns, in a full refresh and a merge', async () => {
    const f = await syncFixture({ name: 'fieldnames', replication });
    try {
      for (const stream of ['users', 'incidents']) {
        f.sim.dataset.addField(stream, '_pdsync_seq', (r) => `api-seq-${String(r.id)}`);
        f.sim.dataset.addField(stream, '_pdsync_loaded_at', (r) => `api-loaded-${String(r.id)}`);
      }
      // A camelCase field's column is named apart from it too.
      f.sim.dataset.addField('users', 'customerTier', (r) => `tier-${String(r.id)}`);
      for (const round of ['first', 'second']) {
        const r = await f.run(['--json']);
        assert.equal(r.code, 0, `${round} run: ${r.stderr}`);
        for (const s of summaryOf(r.stdout).streams) {
          assert.equal(s.status, 'ok', `${round} run, ${s.stream}: ${s.reason ?? ''}`);
          if (round === 'second') assert.doesNotMatch(s.warnings.join('\n'), /new field/, 'the columns are there already');
        }
        for (const stream of ['users', 'incidents']) {
          assert.deepEqual(await f.landed(stream), f.truth(stream), `${round} run, ${stream}`);
          const { rows } = await f.db.pool.query(
            `SELECT id, api_pdsync_seq, api_pdsync_loaded_at, pg_typeof(_pdsync_loaded_at)::text AS own FROM "${f.db.schema}".${stream}`,
          );
          for (const row of rows) {
            assert.deepEqual([row.api_pdsync_seq, row.api_pdsync_loaded_at, row.own], [`api-seq-${row.id}`, `api-loaded-${row.id}`, 'timestamp with time zone'], `${round} run, ${stream} ${row.id}`);
          }
        }
        const { rows: tiers } = await f.db.pool.query(`SELECT count(*)::int AS n FROM "${f.db.schema}".users WHERE customer_tier = 'tier-' || id`);
        assert.equal(tiers[0].n, f.truth('users').length, `${round} run: customerTier in customer_tier`);
      }
    } finally {
      await f.close();
    }
  });
});
