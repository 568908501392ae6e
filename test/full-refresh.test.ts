import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Catalogue } from '../src/catalogue/catalogue.js';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import { SimulatedDataset } from '../src/simulator/dataset.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { columnName } from '../src/sinks/postgres/tables/column-names.js';
import { testDatabase } from './support/database.js';
import { envYaml, pdsync, SIM_KEY, workspace } from './support/cli.js';
import { documentedKey } from './support/sync-fixture.js';

type Db = Awaited<ReturnType<typeof testDatabase>>;

/** The key column of a stream's table and the key of a simulator record, as README documents them. */
function keyOf(catalogue: Catalogue, stream: string) {
  const pk = catalogue.streams[stream]!.primary_key;
  const simple = pk.length === 1 && !pk[0]!.includes('.');
  return {
    column: simple ? pk[0]! : '_pdsync_key',
    of: (r: Record<string, unknown>) => (simple ? String(r[pk[0]!]) : documentedKey(r, pk)),
  };
}

function sorted(xs: string[]): string[] {
  return [...xs].sort();
}

/** A column value as pg returns it, compared with the API's JSON value. */
function assertSameValue(actual: unknown, expected: unknown, type: string, where: string) {
  if (expected === undefined || expected === null) return assert.equal(actual, null, where);
  switch (type) {
    case 'timestamptz':
      return assert.equal((actual as Date).getTime(), Date.parse(String(expected)), where);
    case 'bigint':
      return assert.equal(String(actual), String(expected), where);
    case 'text':
      return assert.equal(actual, typeof expected === 'string' ? expected : JSON.stringify(expected), where);
    default:
      return assert.deepEqual(actual, expected, where);
  }
}

/**
 * Every catalogue stream with records of its own in the simulator: all but oncall_shifts, which
 * reads the on-calls over time (README's '*' run compares it with that truth).
 */
const SERVED = new SimulatedDataset({ seed: 42, dataEnd: new Date(), now: () => new Date(), catalogue: await loadCatalogue() }).streams();

describe('full refresh of every stream lands exactly the simulator\'s records', () => {
  let sim: Simulator;
  let db: Db;
  let catalogue: Catalogue;
  let cwd: string;
  let firstRun: Awaited<ReturnType<typeof pdsync>>;

  before(async () => {
    catalogue = await loadCatalogue();
    const dataEnd = new Date('2026-06-01T00:00:00Z');
    sim = await startSimulator({ port: 0, seed: 42, dataEnd, now: () => dataEnd, volume: { incidents: 300 } });
    db = await testDatabase('full');
    cwd = workspace({
      'env.yaml': envYaml(sim.url, db.url, { rate: 2000, concurrency: 8 }),
      'replication.yaml': `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: full-refresh\n  object: ${db.schema}.{stream_name}\nstreams:\n  '*':\n  incident_notes: {mode: full-refresh}\n  incident_alerts: {mode: full-refresh}\n`,
    });
    firstRun = await pdsync(['run', 'replication.yaml', '--json'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
  });
  after(async () => {
    await sim.close();
    await db.drop();
  });

  test('the run succeeds and its JSON summary lists every stream as ok', () => {
    assert.equal(firstRun.code, 0, firstRun.stderr);
    const summary = JSON.parse(firstRun.stdout) as { streams: { stream: string; status: string }[] };
    assert.deepEqual(sorted(summary.streams.map((s) => s.stream)), sorted(Object.keys(catalogue.streams)));
    for (const s of summary.streams) assert.equal(s.status, 'ok', `${s.stream}: ${JSON.stringify(s)}`);
  });

  for (const stream of SERVED) {
    test(`${stream}: same ids as the simulator, no duplicates, no missing, values as served`, async () => {
      const key = keyOf(catalogue, stream);
      const truth = [...sim.dataset.records(stream)];
      assert.ok(truth.length > 0, `the simulator serves ${stream}`);
      const landed = await db.ids(stream, key.column);
      assert.equal(new Set(landed).size, landed.length, 'no duplicate keys');
      assert.deepEqual(sorted(landed), sorted(truth.map(key.of)));
      // Every catalogue column of a sample of records holds the value the API served.
      const { rows } = await db.pool.query(`SELECT * FROM "${db.schema}"."${stream}"`);
      const byKey = new Map(rows.map((r: Record<string, unknown>) => [String(r[key.column]), r]));
      for (const record of truth.filter((_, i) => i % Math.ceil(truth.length / 25) === 0)) {
        const row = byKey.get(key.of(record))!;
        // Columns are the fields in snake_case (conferenceAddress lands in conference_address).
        for (const [field, spec] of Object.entries(catalogue.streams[stream]!.columns)) {
          assertSameValue(row[columnName(field, 'normalize')], record[field], spec.type, `${stream} ${key.of(record)} ${field}`);
        }
      }
    });
  }

  test('a second full refresh after the source changed replaces each table: deleted gone, added and changed present', async () => {
    const [deletedUser] = sim.dataset.ids('users');
    const [deletedIncident, changedIncident] = sim.dataset.ids('incidents');
    const [changedService] = sim.dataset.ids('services');
    sim.dataset.deleteRecord('users', deletedUser!);
    sim.dataset.deleteRecord('incidents', deletedIncident!);
    sim.dataset.updateRecord('incidents', changedIncident!, { status: 'resolved', title: 'changed by the test' });
    sim.dataset.updateRecord('services', changedService!, { name: 'Renamed service' });
    const template = [...sim.dataset.records('incidents')].at(-1)!;
    sim.dataset.addRecord('incidents', { ...template, id: 'PTEST01', incident_number: 999999, title: 'added by the test' });

    const r = await pdsync(['run', 'replication.yaml', '--streams', 'users,incidents,services'], {
      cwd,
      env: { PAGERDUTY_API_KEY: SIM_KEY },
    });
    assert.equal(r.code, 0, r.stderr);
    for (const stream of ['users', 'incidents', 'services']) {
      const landed = await db.ids(stream);
      assert.equal(new Set(landed).size, landed.length, `${stream}: no duplicates`);
      assert.deepEqual(sorted(landed), sorted(sim.dataset.ids(stream)), `${stream}: same ids as the source`);
    }
    assert.ok(!(await db.ids('users')).includes(deletedUser!), 'deleted user gone');
    assert.ok((await db.ids('incidents')).includes('PTEST01'), 'added incident present');
    const { rows } = await db.pool.query(
      `SELECT title, status FROM "${db.schema}".incidents WHERE id = $1
       UNION ALL SELECT name, NULL FROM "${db.schema}".services WHERE id = $2`,
      [changedIncident, changedService],
    );
    assert.deepEqual(rows, [
      { title: 'changed by the test', status: 'resolved' },
      { title: 'Renamed service', status: null },
    ]);
  });
});
