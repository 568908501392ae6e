import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isFanOut } from '../../src/catalogue/catalogue.js';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { startSimulator } from '../../src/simulator/server.js';
import { BIN, pdsync, startPdsync, workspace } from '../support/cli.js';
import { stderrMatching } from '../support/wait.js';
import { systemDir } from '../support/temp.js';

/** The streams `pdsync demo` syncs: every one `'*'` selects (fan-out streams are chosen by name only). */
const DEMO_STREAMS = Object.values((await loadCatalogue()).streams).filter((s) => !isFanOut(s)).length;

/** Rows of a one-column query against the workspace's embedded database. */
async function column(cwd: string, sql: string): Promise<string[]> {
  const r = await pdsync(['sql', sql], { cwd });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').slice(2).map((l) => l.trim()).sort();
}

/** PIDs of processes whose command line names the directory: a server left running would show here. */
function processesUsing(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A workspace the embedded server's OS user can enter (mkdtemp makes private ones). */
function openWorkspace(): string {
  const dir = workspace({});
  chmodSync(dir, 0o755);
  return dir;
}

describe('the one-command demo on embedded PostgreSQL', () => {
  const cwd = openWorkspace();

  test(`pdsync demo syncs its ${DEMO_STREAMS} streams into an embedded PostgreSQL, exactly, and answers its questions`, async () => {
    const r = await pdsync(['demo'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^ok: ${DEMO_STREAMS} streams, \\d+ rows`, 'm'));
    for (const title of ['Incidents by status and urgency', 'Time to acknowledge and to resolve per service', 'DORA per service', 'Who was paged at night', 'Who is on call now']) {
      assert.ok(r.stdout.includes(title), title);
    }
    assert.match(r.stdout, /^  pdsync sql "select /m, "run directly (not by npx), it suggests the installed command");
    assert.match(r.stdout, /`pdsync init my-sync`/);
    assert.match(r.stdout, /^resolved\s+\| high\s+\| \d+$/m);
    // The same seed serves the same account: what landed is exactly the simulator's.
    const sim = await startSimulator({ port: 0, seed: 42 });
    try {
      for (const stream of ['users', 'services', 'escalation_policies', 'schedules', 'teams', 'vendors']) {
        assert.deepEqual(await column(cwd, `select id from pagerduty.${stream}`), sim.dataset.ids(stream).sort(), stream);
      }
      const incidents = await column(cwd, 'select id from pagerduty.incidents');
      const truth = new Set(sim.dataset.ids('incidents'));
      assert.ok(incidents.length >= 1190 && incidents.every((id) => truth.has(id)), `${incidents.length} incidents, all real`);
      assert.equal(new Set(incidents).size, incidents.length);
    } finally {
      await sim.close();
    }
    assert.deepEqual(processesUsing(join(cwd, '.pdsync/pg')), [], 'the embedded server stopped with pdsync');
  });

  test('the data persists: a second demo reads only what changed since the saved cursors', async () => {
    const r = await pdsync(['demo'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /incidents: started \(incremental -> pagerduty\.incidents, from \S+ by the saved cursor\)/);
    // Nothing changed: each stream asks once (its one page, or the changes since its cursor), team_members once per team (and its list of teams).
    const table = [...r.stderr.matchAll(/^(?:\d\d:\d\d:\d\d )?(\w+) +(?:full-refresh|incremental) +ok +\d+ +\d+ +(\d+) /gm)];
    const requests = Object.fromEntries(table.map((m) => [m[1]!, Number(m[2])]));
    assert.equal(Object.keys(requests).length, DEMO_STREAMS, r.stderr);
    const teams = Number((await column(cwd, 'select count(*) from pagerduty.teams'))[0]);
    for (const [stream, n] of Object.entries(requests)) assert.ok(n <= (stream === 'team_members' ? teams + 1 : 1), `${stream}: ${n} requests`);
  });

  test('a stale postmaster.pid from a crash does not stop the next start', async () => {
    writeFileSync(join(cwd, '.pdsync/pg/postmaster.pid'), '999999\n');
    assert.deepEqual(await column(cwd, 'select count(*) from pagerduty.vendors'), ['30']);
  });

  test('a server left running by a killed pdsync is shut down and the next command works', async () => {
    const serve = spawn(BIN, ['sql', '--serve'], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    serve.stderr.on('data', (d) => (err += d));
    let exited = false;
    serve.on('close', () => (exited = true));
    while (!/is up: psql postgresql:/.test(err)) {
      assert.ok(!exited, `pdsync sql --serve ended early: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    serve.kill('SIGKILL');
    await new Promise((r) => serve.on('close', r));
    assert.ok(processesUsing(join(cwd, '.pdsync/pg')).length > 0, 'the orphaned server is still running');
    assert.deepEqual(await column(cwd, 'select count(*) from pagerduty.tags'), ['20']);
    assert.deepEqual(processesUsing(join(cwd, '.pdsync/pg')), []);
  });

  test('sql --serve stops its server and exits at once on Ctrl-C, not after a wait', async () => {
    const serve = startPdsync(['sql', '--serve'], { cwd });
    await stderrMatching(serve, /is up: psql postgresql:/);
    const signalled = Date.now();
    serve.child.kill('SIGINT');
    const r = await serve.done;
    const seconds = (Date.now() - signalled) / 1000;
    assert.equal(r.code, 0, `${r.signal}: ${r.stderr}`);
    // A stop takes a fraction of a second; the old 5 s timer held the process after the server was gone.
    assert.ok(seconds < 3, `exited ${seconds.toFixed(1)} s after SIGINT`);
    assert.deepEqual(processesUsing(join(cwd, '.pdsync/pg')), [], 'the server is stopped');
  });

});

test('as root, a folder the server\'s OS user cannot enter still works: the data moves to pdsync\'s system folder, and pdsync says where', async () => {
  const cwd = workspace({});
  chmodSync(cwd, 0o700);
  const r = await pdsync(['sql', 'select 1 as one'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^1$/m);
  if (process.getuid?.() === 0) {
    assert.match(r.stderr, new RegExp(`from embedded PostgreSQL, data in ${systemDir()}/data/\\S+ \\(as root the server runs as OS user postgres, which cannot enter ${cwd}\\)`));
  } else {
    assert.match(r.stderr, new RegExp(`from embedded PostgreSQL, data in ${cwd}/\\.pdsync/pg\\)`));
  }
});

test('as root, the data moved to the system folder for a folder since deleted is removed by the next command', { skip: process.getuid?.() !== 0 && 'only root moves data' }, async () => {
  const dataIn = (stderr: string) => /data in (\S+) \(as root/.exec(stderr)?.[1];
  const first = workspace({});
  chmodSync(first, 0o700);
  const a = await pdsync(['sql', 'select 1 as one'], { cwd: first });
  assert.equal(a.code, 0, a.stderr);
  const moved = dataIn(a.stderr)!;
  assert.ok(moved && existsSync(moved), a.stderr);
  rmSync(first, { recursive: true, force: true });
  const second = workspace({});
  chmodSync(second, 0o700);
  const b = await pdsync(['sql', 'select 1 as one'], { cwd: second });
  assert.equal(b.code, 0, b.stderr);
  assert.ok(!existsSync(moved), 'the deleted folder\'s data is gone');
  assert.ok(existsSync(dataIn(b.stderr)!), 'the working folder\'s data stays');
});
