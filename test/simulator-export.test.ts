import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { type Catalogue } from '../src/catalogue/catalogue.js';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import { idColumnName } from '../src/catalogue/id-column-name.js';
import { EXPORT_DATA_END } from '../src/simulator/export-choices.js';
import { type Simulator, startSimulator } from '../src/simulator/server.js';
import { pdsync, pdsyncProcess } from './support/cli.js';
import { tempDir } from './support/temp.js';
import { listAll } from './simulator/simulator-client.js';

type Rec = Record<string, unknown>;
const SIX = ['users', 'teams', 'services', 'incidents', 'priorities', 'log_entries'];
const RECORDS = 300;

/** `pdsync simulator --export` in this process, into a new folder `dir` (300 incidents unless `more` says otherwise). */
async function exportTo(dir: string, format: string, ...more: string[]) {
  const r = await pdsync(['simulator', '--export', dir, '--format', format, '--records', String(RECORDS), ...more], { cwd: dirname(dir) });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

const readJson = (dir: string, stream: string) => JSON.parse(readFileSync(join(dir, `${stream}.json`), 'utf8')) as Rec[];

/** csv-parse's reading (not ours): an unquoted empty field is null, a quoted one ''. */
function readCsv(dir: string, stream: string): Rec[] {
  return parse(readFileSync(join(dir, `${stream}.csv`)), {
    columns: true,
    cast: (v, ctx) => (ctx.quoting ? v : v === '' ? null : v),
  }) as Rec[];
}

/** A stream's record type, from the type of an object pointing at it (`escalation_policy_reference` -> escalation_policies). */
function streamOfType(type: string): string {
  const base = type.replace(/_reference$/, '');
  if (base.endsWith('log_entry')) return 'log_entries';
  return base.endsWith('y') ? `${base.slice(0, -1)}ies` : `${base}s`;
}

/** Every object inside a value that has a string id and type. */
function typedObjects(value: unknown, out: Rec[] = []): Rec[] {
  if (Array.isArray(value)) for (const v of value) typedObjects(v, out);
  else if (value !== null && typeof value === 'object') {
    const o = value as Rec;
    if (typeof o.id === 'string' && typeof o.type === 'string') out.push(o);
    for (const v of Object.values(o)) typedObjects(v, out);
  }
  return out;
}

/** The stream an id field names (`incident_id`, `resolved_by_user_id`), if any. */
function streamOfIdField(field: string, streams: string[]): string | undefined {
  const words = field.replace(/_id$/, '').split('_');
  return words.map((_, i) => streamOfType(words.slice(i).join('_'))).find((s) => streams.includes(s));
}

/**
 * Each object pointing at a record of a stream names a record of that stream's file, and so does
 * each id field (`incident_id`) and an analytics row's id; an object of a kind that is no stream
 * (a contact method, an integration) is included whole somewhere in the export.
 */
function assertReferencesResolve(files: Map<string, Rec[]>, streams: string[]): void {
  const ids = new Map([...files].map(([s, recs]) => [s, new Set(recs.map((r) => r.id))]));
  const all = [...files.values()].flat();
  const embedded = new Set(typedObjects(all).filter((o) => !String(o.type).endsWith('_reference')).map((o) => o.id));
  const pointers: [string, unknown, string][] = typedObjects(all).map((o) => [streamOfType(String(o.type)), o.id, String(o.type)]);
  for (const r of all) {
    for (const [field, v] of Object.entries(r)) {
      const stream = field.endsWith('_id') && typeof v === 'string' ? streamOfIdField(field, streams) : undefined;
      if (stream) pointers.push([stream, v, field]);
    }
  }
  for (const r of files.get('analytics_incidents') ?? []) pointers.push(['incidents', r.id, 'analytics row']);
  for (const [stream, id, what] of pointers) {
    if (streams.includes(stream)) assert.ok(ids.get(stream)?.has(id), `${what} ${id}: not in ${stream}.json (files: ${[...files.keys()].join(', ')})`);
    else assert.ok(embedded.has(id), `${what} ${id}: nowhere in the export`);
  }
  assert.ok(pointers.length > 100, `only ${pointers.length} references checked`);
}

describe('pdsync simulator --export', () => {
  let sim: Simulator;
  let catalogue: Catalogue;
  let streams: string[];
  const truth = new Map<string, Rec[]>();

  before(async () => {
    catalogue = await loadCatalogue();
    sim = await startSimulator({ seed: 42, dataEnd: EXPORT_DATA_END, now: () => EXPORT_DATA_END, volume: { incidents: RECORDS } });
    streams = sim.dataset.streams();
  });
  after(() => sim.close());

  /** What the simulator serves over HTTP for the seed, with the catalogue's include[]. */
  async function served(stream: string): Promise<Rec[]> {
    if (!truth.has(stream)) {
      const query = { 'include[]': catalogue.streams[stream]!.include, ...(stream === 'incidents' ? { date_range: 'all' } : {}) };
      truth.set(stream, await listAll(sim, stream, query));
    }
    return truth.get(stream)!;
  }

  test('JSON: the six streams and the ones they refer to, each a JSON array of exactly what the simulator serves for the seed', async () => {
    const dir = join(tempDir('export'), 'out');
    const { stderr } = await exportTo(dir, 'json');
    const written = readdirSync(dir).sort();
    assert.deepEqual(written, [...SIX, 'escalation_policies', 'schedules', 'vendors'].map((s) => `${s}.json`).sort());
    assert.match(stderr, /escalation_policies, schedules, vendors: the other files refer to them/);
    for (const name of written) {
      const stream = name.replace(/\.json$/, '');
      assert.deepEqual(readJson(dir, stream), await served(stream), stream);
    }
    assert.equal(readJson(dir, 'incidents').length, RECORDS, '--records incidents');
    assert.equal(readJson(dir, 'log_entries').length, Math.round((RECORDS * 10) / 3), 'log entries follow the incidents');
  });

  test('CSV: a header of the catalogue\'s columns and id columns, and per record every value as another parser reads it', async () => {
    const dir = join(tempDir('export'), 'out');
    await exportTo(dir, 'csv');
    for (const stream of [...SIX, 'escalation_policies', 'schedules', 'vendors']) {
      const rows = readCsv(dir, stream);
      const records = await served(stream);
      assert.equal(rows.length, records.length, stream);
      const columns = catalogue.streams[stream]!.columns;
      rows.forEach((row, i) => {
        const r = records[i]!;
        for (const [field, c] of Object.entries(columns)) {
          const want = r[field];
          const got = row[field];
          if (want === null || want === undefined) assert.equal(got, null, `${stream} ${r.id} ${field}`);
          else if (typeof want === 'object') assert.deepEqual(JSON.parse(String(got)), want, `${stream} ${r.id} ${field}`);
          else assert.equal(got, String(want), `${stream} ${r.id} ${field}`);
          if (c.ref === 'one') assert.equal(row[idColumnName(field, false)], (want as Rec | null)?.id ?? null);
          if (c.ref === 'many' && Array.isArray(want)) assert.deepEqual(JSON.parse(String(row[idColumnName(field, true)])), want.map((x: Rec) => x.id));
        }
        assert.ok(Object.keys(r).every((k) => k in row), `${stream} ${r.id}: a field without a column`);
      });
    }
    const times = readCsv(dir, 'incidents').map((r) => r.created_at);
    assert.ok(times.every((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(String(t))), 'times in ISO 8601 UTC');
  });

  test('every reference resolves inside the export, ids are unique, and other streams bring what they refer to', async () => {
    for (const asked of [undefined, 'oncalls,business_services', 'incident_notes', 'team_members', 'analytics_incidents', streams.join(',')]) {
      const dir = join(tempDir('export'), 'out');
      await exportTo(dir, 'json', ...(asked ? ['--streams', asked] : []));
      const files = new Map(readdirSync(dir).map((n) => [n.replace(/\.json$/, ''), readJson(dir, n.replace(/\.json$/, ''))]));
      if (asked) for (const s of asked.split(',')) assert.ok(files.has(s), `${s} written`);
      for (const [stream, recs] of files) {
        if (recs.length && 'id' in recs[0]!) assert.equal(new Set(recs.map((r) => r.id)).size, recs.length, `${stream}: ids unique`);
      }
      assertReferencesResolve(files, streams);
      // The CSV id columns point inside the export too.
      if (!asked) {
        const serviceIds = new Set(files.get('services')!.map((s) => s.id));
        const csvDir = join(tempDir('export'), 'out');
        await exportTo(csvDir, 'csv');
        assert.ok(readCsv(csvDir, 'incidents').every((r) => serviceIds.has(r.service_id)));
      }
    }
  });

  test('the same seed gives byte-identical files; another seed, other files', async () => {
    for (const format of ['csv', 'json']) {
      const [a, b, c] = [0, 1, 2].map(() => join(tempDir('export'), 'out'));
      await exportTo(a!, format);
      await exportTo(b!, format);
      await exportTo(c!, format, '--seed', '7');
      for (const name of readdirSync(a!)) {
        assert.ok(readFileSync(join(a!, name)).equals(readFileSync(join(b!, name))), `${name}: same bytes for seed 42`);
        assert.ok(!readFileSync(join(a!, name)).equals(readFileSync(join(c!, name))), `${name}: seed 7 differs`);
      }
    }
  });

  test('--records sets the incidents, and the log entries follow them', async () => {
    const dir = join(tempDir('export'), 'out');
    await exportTo(dir, 'json', '--records', '40', '--streams', 'incidents');
    assert.equal(readJson(dir, 'incidents').length, 40);
    assert.equal(readJson(dir, 'log_entries').length, Math.round(400 / 3));
  });
});

describe('pdsync simulator --export refuses', () => {
  const refusals: [string, string[], RegExp][] = [
    ['a format it cannot write', ['--format', 'xml'], /--format "xml": expected csv or json/],
    ['no format', [], /--format is missing/],
    ['a stream the simulator has not', ['--format', 'csv', '--streams', 'users,widgets'], /no stream "widgets": choose from users, /],
    ['a count that is not one', ['--format', 'csv', '--records', '1e3x'], /--records "1e3x": expected an integer from 1 to 1000000/],
    ['a port, which is for serving', ['--format', 'csv', '--port', '8089'], /--port serves the API and --export writes files/],
  ];
  for (const [what, args, message] of refusals) {
    test(`${what}: one line, exit 2, nothing written`, async () => {
      const cwd = tempDir('export');
      const r = await pdsyncProcess(['simulator', '--export', 'out', ...args], { cwd });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.deepEqual(readdirSync(cwd), []);
    });
  }

  test('a folder that cannot be made (under a file, or in /proc): one line, exit 2, at once', async () => {
    const cwd = tempDir('export');
    writeFileSync(join(cwd, 'plain'), 'a file');
    for (const dir of ['plain/out', '/proc/pdsync-export/out']) {
      const r = await pdsyncProcess(['simulator', '--export', dir, '--format', 'json'], { cwd });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /cannot make the folder \(.*\): name a folder you may write to/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  test('an export flag without --export: one line, exit 2', async () => {
    const r = await pdsyncProcess(['simulator', '--format', 'csv'], { cwd: tempDir('export') });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format goes with --export DIR/);
  });

  test('a folder that is not empty, unless --force, which replaces the files it writes and leaves the others', async () => {
    const cwd = tempDir('export');
    const dir = join(cwd, 'out');
    await pdsyncProcess(['simulator', '--export', 'out', '--format', 'csv', '--records', '10'], { cwd });
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'teams.csv'), 'stale');
    const before = readdirSync(dir).sort();
    const refused = await pdsyncProcess(['simulator', '--export', 'out', '--format', 'csv', '--records', '10'], { cwd });
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.match(refused.stderr, /out: the folder is not empty: name a new or empty folder, or add --force/);
    assert.equal(readFileSync(join(dir, 'teams.csv'), 'utf8'), 'stale');
    const forced = await pdsyncProcess(['simulator', '--export', 'out', '--format', 'csv', '--records', '10', '--force'], { cwd });
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(readdirSync(dir).sort(), before, 'no hidden part file left');
    assert.match(readFileSync(join(dir, 'teams.csv'), 'utf8'), /^id,summary,type,/);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
  });
});
