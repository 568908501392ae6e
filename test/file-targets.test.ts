import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import type { Catalogue } from '../src/catalogue/catalogue.js';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import type { RunSummary } from '../src/summary/run-summary.js';
import type { CliResult } from './support/cli.js';
import { readmeBlocks } from './support/readme-blocks.js';
import { stderrMatching } from './support/wait.js';
import { type FileFixture, fileFixture, filesIn, readJsonLines, readRows, type Row } from './support/file-fixture.js';
import { assertRowIsRecord } from './support/file-values.js';

const STREAMS = ['users', 'services', 'incidents', 'log_entries'];
/** Quotes, a comma, CRLF and LF, a tab and a NUL, and text beyond ASCII: what CSV quoting and Parquet strings must carry. */
const ODD = 'She said "hi, there"\r\nthen left;\tback\nlater \u0000 — 日本語, ünïcödé';

const fileReplication = (object: string, streams: string[], more = '') =>
  `source: PAGERDUTY\ntarget: LOCAL\ndefaults:\n  object: ${object}\n${more}streams:\n${streams.map((s) => `  ${s}:\n`).join('')}`;

const summaryOf = (r: CliResult) => JSON.parse(r.stdout) as RunSummary;

/** Sorted keys, and a check that none repeats. */
function keysOf(rows: Row[], stream: string): string[] {
  const keys = rows.map((r) => String(r.id));
  assert.equal(new Set(keys).size, keys.length, `${stream}: no duplicate ids`);
  return keys.sort();
}

for (const format of ['csv', 'jsonl', 'parquet'] as const) {
  describe(`a full refresh into ${format} files lands exactly the simulator's records`, () => {
    let f: FileFixture;
    let catalogue: Catalogue;
    let r: CliResult;
    let odd: string;

    before(async () => {
      catalogue = await loadCatalogue();
      f = await fileFixture(fileReplication(`file://out/{stream_name}.${format}`, STREAMS), { volume: { incidents: 300 } });
      odd = f.sim.dataset.ids('users')[3]!;
      f.sim.dataset.updateRecord('users', odd, { description: ODD, name: `"${ODD}"` });
      r = await f.run(['--json']);
    });
    after(() => f.close());

    test('the run succeeds; files land beside the replication file, not in the working directory; rows per stream in the summary', async () => {
      assert.equal(r.code, 0, r.stderr);
      const out = join(f.conf, 'out');
      assert.deepEqual(await filesIn(out), STREAMS.map((s) => `${s}.${format}`).sort(), 'one file a stream, nothing half written beside them');
      assert.ok(!(await filesIn(f.cwd)).includes('out'), 'nothing in the working directory');
      for (const s of summaryOf(r).streams) {
        assert.equal(s.status, 'ok', JSON.stringify(s));
        assert.equal(s.object, `file://out/${s.stream}.${format}`);
        assert.equal(s.rowsWritten, [...f.sim.dataset.records(s.stream)].length, `${s.stream}: rows written`);
      }
      assert.equal(r.stderr.match(/relations .* not made for a file target/g)?.length, 1, 'the relations left out are said once');
    });

    for (const stream of STREAMS) {
      test(`${stream}: the same ids as the simulator, once each, every value as served, id columns filled`, async () => {
        const rows = await readRows(join(f.conf, 'out', `${stream}.${format}`));
        const truth = [...f.sim.dataset.records(stream)];
        assert.deepEqual(keysOf(rows, stream), truth.map((x) => String(x.id)).sort());
        const byId = new Map(rows.map((x) => [String(x.id), x]));
        for (const record of truth) assertRowIsRecord(format, catalogue, stream, byId.get(String(record.id))!, record);
      });
    }

    test('odd bytes, quotes and line breaks come back exactly', async () => {
      const users = await readRows(join(f.conf, 'out', `users.${format}`));
      const row = users.find((u) => u.id === odd)!;
      assert.equal(row.description, ODD);
      assert.equal(row.name, `"${ODD}"`);
    });

    if (format === 'parquet') {
      test('columns are typed from the catalogue and compressed', async () => {
        const meta = await parquetMetadataAsync(await asyncBufferFromFile(join(f.conf, 'out', 'incidents.parquet')));
        const type = (name: string) => meta.schema.find((e) => e.name === name);
        assert.equal(type('created_at')?.converted_type, 'TIMESTAMP_MILLIS');
        assert.equal(type('incident_number')?.type, 'INT64');
        assert.equal(type('is_mergeable')?.type, 'BOOLEAN');
        assert.equal(type('service')?.converted_type, 'JSON');
        assert.equal(type('service_id')?.converted_type, 'UTF8');
        assert.ok(meta.row_groups.every((g) => g.columns.every((c) => c.meta_data?.codec === 'SNAPPY')));
      });
    }
  });
}

/** Each key's copy in the newest part file that holds it: how a reader takes a folder of parts. */
async function latestRows(folder: string): Promise<Map<string, Row>> {
  const latest = new Map<string, Row>();
  for (const part of (await filesIn(folder)).filter((p) => p.startsWith('part-'))) {
    for (const row of await readRows(join(folder, part))) latest.set(String(row.id), row);
  }
  return latest;
}

describe('a folder object takes incremental runs as part files, with the cursor in a state file there', () => {
  let f: FileFixture;
  let open: string;
  const DAY = 86_400_000;
  before(async () => {
    f = await fileFixture(fileReplication('file://lake/{stream_name}/', ['incidents', 'log_entries'], '  mode: incremental\n  target_options: {format: parquet}\n'), { volume: { incidents: 300 } });
    // An incident from long before the first run is still open when it runs, and resolved after it.
    const old = [...f.sim.dataset.records('incidents')].find((x) => Date.parse(String(x.created_at)) < f.sim.clock.now().getTime() - 100 * DAY)!;
    open = String(old.id);
    f.sim.dataset.updateRecord('incidents', open, { status: 'triggered', resolved_at: null, acknowledgements: [] });
  });
  after(() => f.close());

  async function assertFolderIsSource(stream: string): Promise<Map<string, Row>> {
    const latest = await latestRows(join(f.conf, 'lake', stream));
    assert.deepEqual([...latest.keys()].sort(), f.sim.dataset.ids(stream).sort(), `${stream}: the parts' latest rows are the source's records`);
    return latest;
  }

  test('two runs with a change between them: two part files whose latest rows are the source; the cursor moves', async () => {
    const first = await f.run(['--json']);
    assert.equal(first.code, 0, first.stderr);
    const folder = join(f.conf, 'lake', 'incidents');
    const state = async () => JSON.parse(await readFile(join(folder, '_pdsync_state.json'), 'utf8')) as { cursor: string; parts: string[] };
    const newest = Math.max(...[...f.sim.dataset.records('incidents')].map((x) => Date.parse(String(x.created_at))));
    assert.equal(Date.parse((await state()).cursor), newest, 'cursor = the largest created_at written');

    assert.equal((await assertFolderIsSource('incidents')).get(open)?.status, 'triggered');
    f.sim.clock.advance(3_600_000);
    f.sim.dataset.resolveIncident(open);
    const added = f.sim.dataset.addIncidents(3);
    f.sim.clock.advance(60_000);
    const second = await f.run(['--json']);
    assert.equal(second.code, 0, second.stderr);
    const parts = (await filesIn(folder)).filter((p) => p.endsWith('.parquet'));
    assert.equal(parts.length, 2, parts.join(', '));
    assert.deepEqual((await state()).parts, parts, 'the state file lists the parts, oldest first');
    const latest = await assertFolderIsSource('incidents');
    assert.equal(latest.get(open)?.status, 'resolved', 'an old incident changed since comes back in the newer part');
    for (const id of added) assert.ok(latest.has(id), `new incident ${id}`);
    assert.ok(Date.parse((await state()).cursor) > newest, 'the cursor moved to the newest incident');
    await assertFolderIsSource('log_entries');
  });

  test('a full refresh into the folder replaces its parts with one', async () => {
    const r = await f.run(['--mode', 'full-refresh', '--streams', 'incidents']);
    assert.equal(r.code, 0, r.stderr);
    const folder = join(f.conf, 'lake', 'incidents');
    assert.deepEqual((await filesIn(folder)).filter((p) => !p.startsWith('part-')), ['_pdsync_state.json']);
    assert.equal((await filesIn(folder)).length, 2, 'one part and the state file');
    await assertFolderIsSource('incidents');
  });

  test('state show lists the folders\' cursors; state reset makes the next run read the whole history into a new part', async () => {
    const show = await f.pdsync(['state', 'show', '-r', 'conf/replication.yaml']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^incidents\s+file:\/\/lake\/incidents\/\s+cursor \d{4}-/m);
    assert.match(show.stdout, /^log_entries\s+file:\/\/lake\/log_entries\/\s+cursor \d{4}-/m);
    const reset = await f.pdsync(['state', 'reset', 'incidents', '-r', 'conf/replication.yaml']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stderr, 'incidents: forgot the saved cursor of file://lake/incidents/; its next incremental run reads from anchor_date\n');
    const r = await f.run(['--json', '--streams', 'incidents']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(summaryOf(r).streams[0]!.rowsWritten, f.sim.dataset.ids('incidents').length, 'the whole history, read again');
    assert.equal((await filesIn(join(f.conf, 'lake', 'incidents'))).filter((p) => p.startsWith('part-')).length, 2);
    await assertFolderIsSource('incidents');
  });

  test('a backfill adds a part with the window it re-reads; the cursor stays', async () => {
    const folder = join(f.conf, 'lake', 'incidents');
    const before = JSON.parse(await readFile(join(folder, '_pdsync_state.json'), 'utf8')) as { cursor: string; synced_until: string };
    const r = await f.run(['--json', '--streams', 'incidents', '--mode', 'backfill', '--range', '2026-01-01,2026-03-31']);
    assert.equal(r.code, 0, r.stderr);
    const inRange = [...f.sim.dataset.records('incidents')].filter((x) => String(x.created_at) >= '2026-01-01' && String(x.created_at) < '2026-04-01');
    assert.equal(summaryOf(r).streams[0]!.rowsWritten, inRange.length);
    const after = JSON.parse(await readFile(join(folder, '_pdsync_state.json'), 'utf8')) as { cursor: string; synced_until: string; parts: string[] };
    assert.deepEqual([after.cursor, after.synced_until], [before.cursor, before.synced_until]);
    assert.equal(after.parts.length, 3);
    await assertFolderIsSource('incidents');
  });
});

describe('a run that fails leaves the previous file whole', () => {
  test('users failing mid-read keeps the users.csv of the run before, byte for byte, and leaves no hidden file', async () => {
    const f = await fileFixture(fileReplication('file://out/{stream_name}.csv', ['users', 'teams']), { volume: { users: 450 }, latencyMs: 10 }, { max_attempts: 2 });
    try {
      assert.equal((await f.run()).code, 0);
      const before = await readFile(join(f.conf, 'out', 'users.csv'));
      f.sim.dataset.updateRecord('users', f.sim.dataset.ids('users')[0]!, { name: 'Renamed before the failed run' });
      f.sim.resetLog();
      const run = f.run(['--json']);
      await f.sim.waitFor((e) => e.path === '/users' && /offset=[1-9]/.test(e.query));
      f.sim.setFaults({ rate: 1, kinds: ['http503'], paths: ['/users'] });
      const r = await run;
      assert.equal(r.code, 1, r.stderr);
      assert.equal(summaryOf(r).streams.find((s) => s.stream === 'users')?.status, 'failed');
      assert.deepEqual(await readFile(join(f.conf, 'out', 'users.csv')), before);
      assert.deepEqual(await filesIn(join(f.conf, 'out')), ['teams.csv', 'users.csv']);
    } finally {
      await f.close();
    }
  });
});

describe('a run killed mid-read leaves the previous file whole', () => {
  test('SIGKILL while users are read: users.jsonl stays as the run before wrote it; the next run clears what the killed one left', async () => {
    const f = await fileFixture(fileReplication('file://out/{stream_name}.jsonl', ['users']), { volume: { users: 2500 }, latencyMs: 20 });
    try {
      assert.equal((await f.run()).code, 0);
      const out = join(f.conf, 'out');
      const before = await readFile(join(out, 'users.jsonl'));
      f.sim.resetLog();
      const run = f.start();
      await f.sim.waitFor((e) => e.path === '/users' && /offset=[1-9]/.test(e.query));
      run.child.kill('SIGKILL');
      assert.equal((await run.done).signal, 'SIGKILL');
      assert.deepEqual(await readFile(join(out, 'users.jsonl')), before, 'the file is the previous run\'s, whole');
      assert.ok((await filesIn(out)).some((n) => n.startsWith('.users.jsonl.')), 'the killed run left its hidden spool');
      f.sim.dataset.deleteRecord('users', f.sim.dataset.ids('users')[0]!);
      const again = await f.run();
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(await filesIn(out), ['users.jsonl'], 'nothing hidden left');
      assert.deepEqual(keysOf(await readJsonLines(join(out, 'users.jsonl')), 'users'), f.sim.dataset.ids('users').sort());
    } finally {
      await f.close();
    }
  });
});

describe('two runs on the same files serialize', () => {
  test('the second waits for the first\'s lock, says so, and both write the whole file; no lock or hidden file is left', async () => {
    const f = await fileFixture(fileReplication('file://out/{stream_name}.parquet', ['users']));
    try {
      const hold = f.sim.hold((_, url) => url.pathname === '/users' && url.searchParams.get('offset') === '0' && url.searchParams.get('limit') !== '1');
      const first = f.start();
      await hold.arrived;
      const second = f.start();
      await stderrMatching(second, /users: waiting for another pdsync run writing file:\/\/out\/users\.parquet/);
      hold.release();
      const [a, b] = await Promise.all([first.done, second.done]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const out = join(f.conf, 'out');
      assert.deepEqual(await filesIn(out), ['users.parquet']);
      assert.deepEqual(keysOf(await readRows(join(out, 'users.parquet')), 'users'), f.sim.dataset.ids('users').sort());
    } finally {
      await f.close();
    }
  });
});

describe('file targets: bad configuration is one line and exit 2, nothing written; dry run and file connections', () => {
  const cases: [string, string, RegExp][] = [
    ['an unknown extension', fileReplication('file://out/{stream_name}.txt', ['users']), /defaults\.object: "file:\/\/out\/users\.txt": unknown extension \.txt: end it in \.csv, \.jsonl or \.parquet/],
    ['an object without file://', fileReplication('pagerduty.{stream_name}', ['users']), /defaults\.object: "pagerduty\.users" is not a file object: .*file:\/\//],
    ['a folder that is a file', fileReplication('file://blocked/{stream_name}.csv', ['users']), /users -> file:\/\/blocked\/users\.csv: \S+blocked is a file, not a folder: move it away or choose another folder/],
    ['incremental into one file', fileReplication('file://out/{stream_name}.csv', ['incidents'], '  mode: incremental\n').replace('  incidents:\n', '  incidents: {mode: incremental}\n'), /streams\.incidents\.mode: incremental runs need a folder object/],
    ['a file object with a PostgreSQL target', fileReplication('file://out/{stream_name}.csv', ['users']).replace('target: LOCAL', 'target: PG'), /defaults\.object: "file:\/\/out\/\{stream_name\}\.csv" is a file object: set target: LOCAL \(or a type: file connection\) to write files/],
    ['a backfill into one file', fileReplication('file://out/{stream_name}.csv', ['incidents']).replace('  incidents:\n', '  incidents: {mode: backfill, source_options: {range: \'2026-01-01,2026-02-01\'}}\n'), /streams\.incidents\.mode: a backfill merges a window into what is there, which needs a folder object/],
    ['a fan-out stream', fileReplication('file://out/{stream_name}.csv', ['incident_notes']), /streams\.incident_notes: incident_notes is a fan-out stream .* only a PostgreSQL target does/],
  ];
  for (const [what, replication, message] of cases) {
    test(what, async () => {
      const f = await fileFixture(replication);
      try {
        await writeFile(join(f.conf, 'blocked'), 'a file where a folder is asked for');
        const r = await f.run();
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /^pdsync: [^\n]+\n$/, 'one line');
        assert.match(r.stderr, message);
        assert.deepEqual(await filesIn(f.conf), ['blocked', 'replication.yaml'], 'nothing written');
      } finally {
        await f.close();
      }
    });
  }

  test('a --limit trial into one file is refused: it would replace the file with some of its rows', async () => {
    const f = await fileFixture(fileReplication('file://out/{stream_name}.csv', ['users']));
    try {
      const r = await f.run(['--limit', '5']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^pdsync: --limit: users -> file:\/\/out\/users\.csv is one file, which a trial would replace with some of its rows: run without --limit, or give a folder object/);
      assert.deepEqual(await filesIn(f.conf), ['replication.yaml']);
    } finally {
      await f.close();
    }
  });

  test('pdsync listen with a file target is a configuration error', async () => {
    const f = await fileFixture(fileReplication('file://out/{stream_name}.csv', ['incidents']));
    try {
      const r = await f.pdsync(['listen', '-r', 'conf/replication.yaml']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^pdsync: listen: conf\/replication\.yaml: target LOCAL writes files: pdsync listen applies webhooks to a PostgreSQL table/);
    } finally {
      await f.close();
    }
  });

  test('--dry-run shows each stream\'s file and writes nothing; a default incremental mode into one file is a full refresh', async () => {
    const f = await fileFixture(fileReplication('file://out/{stream_name}.parquet', ['users', 'incidents'], '  mode: incremental\n'));
    try {
      const r = await f.run(['--dry-run']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^users\s+full-refresh\s+-> file:\/\/out\/users\.parquet/m);
      assert.match(r.stdout, /^incidents\s+full-refresh\s+-> file:\/\/out\/incidents\.parquet/m);
      assert.deepEqual(await filesIn(f.conf), ['replication.yaml']);
    } finally {
      await f.close();
    }
  });

  test('a type: file connection takes objects relative to its folder', async () => {
    const f = await fileFixture('source: PAGERDUTY\ntarget: LAKE\ndefaults:\n  object: file://pd/{stream_name}.jsonl\nstreams:\n  users:\n');
    try {
      await writeFile(join(f.cwd, 'env.yaml'), `${await readFile(join(f.cwd, 'env.yaml'), 'utf8')}  LAKE:\n    type: file\n    url: file://${f.cwd}/lake/\n`);
      const test = await f.pdsync(['conns', 'test', 'LAKE']);
      assert.equal(test.code, 0, test.stderr);
      assert.equal(test.stdout, `LAKE: ok, files under ${f.cwd}/lake/\n`);
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      const rows = await readJsonLines(join(f.cwd, 'lake', 'pd', 'users.jsonl'));
      assert.deepEqual(keysOf(rows, 'users'), f.sim.dataset.ids('users').sort());
    } finally {
      await f.close();
    }
  });
});

describe('README\'s Files replication', () => {
  test('lands every stream \'*\' selects in Parquet files beside the replication, readable and exact', async () => {
    const replication = readmeBlocks('Files', 'yaml')[0]!;
    const f = await fileFixture(replication, { volume: { incidents: 300 } });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const streams = summaryOf(r).streams;
      assert.ok(streams.length > 15, `${streams.length} streams`);
      assert.deepEqual(streams.filter((s) => s.status !== 'ok'), []);
      const folder = join(f.conf, 'pagerduty');
      assert.deepEqual(await filesIn(folder), streams.map((s) => `${s.stream}.parquet`).sort());
      for (const s of streams) assert.equal((await readRows(join(folder, `${s.stream}.parquet`))).length, s.rowsWritten, s.stream);
      for (const s of ['incidents', 'users', 'notifications', 'change_events']) {
        assert.deepEqual(keysOf(await readRows(join(folder, `${s}.parquet`)), s), f.sim.dataset.ids(s).sort(), s);
      }
    } finally {
      await f.close();
    }
  });
});
