import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import type { RunSummary } from '../src/summary/run-summary.js';
import { BIN, envYaml, pdsync, SIM_KEY, workspace } from './support/cli.js';
import { only, syncFixture } from './support/sync-fixture.js';
import { stderrMatching } from './support/wait.js';

// Any control character but newline and tab.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

describe('operable in cron and CI', () => {
  test('--json prints one JSON document of the documented shape on stdout', async () => {
    const f = await syncFixture({ name: 'json', sim: { gates: { teams: 402 } }, replication: only('users', 'teams', 'incidents') });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as RunSummary;
      assert.deepEqual(Object.keys(s).sort(), ['finishedAt', 'runId', 'startedAt', 'status', 'streams']);
      assert.equal(s.status, 'ok');
      assert.match(s.runId, /^[0-9a-f-]{36}$/);
      assert.ok(Date.parse(s.startedAt) <= Date.parse(s.finishedAt));
      for (const st of s.streams) {
        assert.deepEqual(
          Object.keys(st).filter((k) => k !== 'reason').sort(),
          ['durationMs', 'mode', 'object', 'requests', 'retries', 'rowsChanged', 'rowsRead', 'rowsRemoved', 'rowsWritten', 'status', 'stream', 'warnings'],
        );
        for (const k of ['durationMs', 'requests', 'retries', 'rowsRead', 'rowsWritten', 'rowsChanged', 'rowsRemoved'] as const) assert.equal(typeof st[k], 'number');
      }
      const byName = Object.fromEntries(s.streams.map((x) => [x.stream, x]));
      assert.equal(byName.users!.rowsWritten, f.truth('users').length);
      assert.equal(byName.incidents!.rowsRead, f.truth('incidents').length);
      assert.equal(byName.teams!.status, 'skipped');
      assert.match(byName.teams!.reason!, /lacks teams/);
      assert.equal(byName.incidents!.mode, 'full-refresh');
      assert.equal(byName.incidents!.object, `${f.db.schema}.incidents`);
    } finally {
      await f.close();
    }
  });

  test('without a terminal: one plain line per stream event, no control characters; --quiet keeps only the summary', async () => {
    const f = await syncFixture({ name: 'plain', replication: only('users', 'incidents') });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, CONTROL);
      assert.match(r.stderr, /^users: started \(full-refresh -> /m);
      assert.match(r.stderr, /^incidents: window \S+ \.\. \S+ done, \d+ rows$/m);
      assert.match(r.stderr, /^incidents: finished, 1200 rows, \d+ requests$/m);
      assert.match(r.stderr, /^ok: 2 streams, \d+ rows, \d+ requests, [\d.]+ s \(run [0-9a-f-]{36}\)$/m);
      const quiet = await f.run(['--quiet']);
      assert.equal(quiet.code, 0);
      const lines = quiet.stderr.trim().split('\n');
      assert.equal(lines.length, 5, quiet.stderr);
      assert.match(lines[0]!, /^run [0-9a-f-]{36}: started, 2 streams$/);
      assert.match(lines[1]!, /^stream\s+mode\s+status\s+read\s+written\s+requests\s+retries\s+seconds\s+table$/);
      assert.match(lines[2]!, /^users\s+full-refresh\s+ok\s+60\s+60\s+1\s+0\s+[\d.]+\s+\S+\.users$/);
      assert.match(lines[4]!, /^ok: 2 streams/);
    } finally {
      await f.close();
    }
  });

  test('on a terminal: live per-stream progress with rows, pages and requests per second; no colours with NO_COLOR', async () => {
    const f = await syncFixture({ name: 'tty', sim: { latencyMs: 20 }, replication: only('incidents', 'log_entries') });
    try {
      // `script` gives pdsync a pseudo-terminal, as a person's shell would.
      const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
        const child = spawn('script', ['-qec', `${BIN} run replication.yaml`, '/dev/null'], {
          cwd: f.cwd,
          env: { PATH: process.env.PATH ?? '', HOME: f.cwd, PAGERDUTY_API_KEY: SIM_KEY, NO_COLOR: '1', TERM: 'xterm' },
        });
        let text = '';
        child.stdout.on('data', (d) => (text += d));
        child.on('close', (code) => resolve({ code, text }));
      });
      assert.equal(out.code, 0, out.text);
      assert.match(out.text, /\x1b\[\d+A\x1b\[0J/, 'the progress block is redrawn in place');
      assert.match(out.text, /incidents\s+\d+\/1200 rows\s+\d+ pages\s+[\d.]+ req\/s/);
      assert.doesNotMatch(out.text, /\x1b\[[\d;]*m/, 'no colour codes');
      assert.doesNotMatch(out.text, /^\d{2}:\d{2}:\d{2} /m, 'no time of day: a person sees when it happens');
      assert.match(out.text, /ok: 2 streams/);
    } finally {
      await f.close();
    }
  });

  test('for cron: every line starts with the local time, the first and last name the run id of pdsync.runs; no rate advice for a short run', async () => {
    const f = await syncFixture({ name: 'cron', replication: only('users', 'incidents'), inputs: { rate: 20 } });
    try {
      const runs: { runId: string; lines: string[] }[] = [];
      for (const args of [['--quiet'], []]) {
        const r = await f.runProcess(args);
        assert.equal(r.code, 0, r.stderr);
        const raw = r.rawStderr;
        const lines = raw.trimEnd().split('\n');
        for (const line of lines) assert.match(line, /^\d{2}:\d{2}:\d{2} \S/, `every line starts with the time of day:\n${raw}`);
        const runId = /^\d{2}:\d{2}:\d{2} run ([0-9a-f-]{36}): started, 2 streams$/.exec(lines[0]!)?.[1];
        assert.ok(runId, `the first line names the run:\n${raw}`);
        assert.match(lines.at(-1)!, new RegExp(`^\\d{2}:\\d{2}:\\d{2} ok: 2 streams, .* \\(run ${runId}\\)$`), 'the last line names it too');
        assert.doesNotMatch(raw, /inputs\.rate/, 'no rate advice: the run waited less than a minute on its rate');
        runs.push({ runId, lines });
      }
      const { rows } = await f.db.pool.query<{ run_id: string }>('SELECT run_id::text FROM pdsync.runs ORDER BY started_at');
      assert.deepEqual(rows.map((r) => r.run_id), runs.map((r) => r.runId), 'the ids are those of pdsync.runs');
    } finally {
      await f.close();
    }
  });

  test('exit codes: 0 ok, 1 a stream failed, 2 bad configuration', async () => {
    const f = await syncFixture({ name: 'codes', replication: only('users'), inputs: { max_attempts: 2 } });
    try {
      assert.equal((await f.run()).code, 0);
      f.sim.setFaults({ rate: 1, kinds: ['http500'] });
      assert.equal((await f.run()).code, 1);
      f.sim.setFaults(undefined);
      assert.equal((await f.run(['--mode', 'sideways'])).code, 2);
      assert.equal((await pdsync(['frobnicate'], { cwd: f.cwd })).code, 2);
    } finally {
      await f.close();
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} mid-run stops requests, rolls back, prints the summary, exits ${signal === 'SIGTERM' ? 143 : 130}; the target is as before`, async () => {
      const f = await syncFixture({ name: signal.toLowerCase(), replication: only('users', 'incidents') });
      try {
        assert.equal((await f.run()).code, 0);
        const before = { users: await f.landed('users'), incidents: await f.landed('incidents') };
        for (const id of f.sim.dataset.ids('incidents').slice(0, 5)) f.sim.dataset.deleteRecord('incidents', id);
        f.sim.setLatency(300);
        f.sim.resetLog();
        const run = f.start(['--json']);
        await stderrMatching(run, /incidents: started/);
        // Mid-run: incidents pages have been served and more are to come.
        await f.sim.waitFor((e) => e.path === '/incidents' && /offset=[1-9]/.test(e.query));
        const sentBefore = f.sim.requests.length;
        run.child.kill(signal);
        const r = await run.done;
        assert.equal(r.code, signal === 'SIGTERM' ? 143 : 130, r.stderr);
        assert.match(r.stderr, new RegExp(`${signal}: stopping`));
        const summary = JSON.parse(r.stdout) as RunSummary;
        assert.equal(summary.status, 'interrupted');
        assert.ok(summary.streams.some((s) => s.status === 'interrupted'), 'the stopped stream says interrupted');
        assert.ok(!summary.streams.some((s) => s.status === 'failed'), 'no stream is called failed');
        assert.match(r.stderr, /^incidents: interrupted: nothing was published/m);
        assert.ok(f.sim.requests.length <= sentBefore + 4, 'no new requests after the signal but those in flight');
        assert.deepEqual(await f.landed('incidents'), before.incidents, 'nothing partial is visible');
        f.sim.setLatency(0);
        assert.equal((await f.run()).code, 0);
        assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
      } finally {
        await f.close();
      }
    });
  }

  test('secrets never appear in any output, even with --debug, in errors from pg, and in conns commands', async () => {
    const apiKey = 'u+ZqX9-secret-api-key';
    const dbPassword = 'pg-secret-password-42';
    const f = await syncFixture({ name: 'secrets', sim: { apiKey, faults: { seed: 3, rate: 0.3, kinds: ['http503'] } }, replication: only('users', 'incidents') });
    try {
      const url = f.db.url.replace('postgres@', `postgres:${dbPassword}@`);
      writeFileSync(join(f.cwd, 'env.yaml'), envYaml(f.sim.url, url, { rate: 100 }));
      const env = { PAGERDUTY_API_KEY: apiKey };
      const r = await f.run(['--debug', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^debug incidents: GET \/incidents\?\S+ 200 \d+ ms$/m, 'one line per request');
      assert.match(r.stderr, /^debug \w+: GET \/\S+ 503 \d+ ms/m, 'failed attempts are shown too');
      assert.match(r.stderr, /\(retry \d\)$/m);
      // pg's own error for an unreachable database, through the same output.
      writeFileSync(join(f.cwd, 'env.yaml'), envYaml(f.sim.url, url.replace('127.0.0.1:5432', '127.0.0.1:9'), { rate: 100 }));
      const bad = await f.run(['--debug'], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /cannot reach PostgreSQL at 127\.0\.0\.1:9/);
      for (const args of [['conns', 'list'], ['conns', 'test', 'PAGERDUTY'], ['conns', 'test', 'PG']]) {
        await pdsync(args, { cwd: f.cwd, env: { ...env, PG_URL: url } });
      }
      // The harness fails any run whose output holds a secret of its environment; the URL's password is one.
      await pdsync(['run', 'replication.yaml', '--debug'], { cwd: f.cwd, env: { ...env, DB_URL: url } });
    } finally {
      await f.close();
    }
  });

  test('--dry-run prints the plan after one auth request and writes nothing', async () => {
    const f = await syncFixture({ name: 'dry', replication: only('users', 'incidents', 'notifications') });
    try {
      const r = await f.run(['--dry-run', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(f.sim.requests.length, 1, 'one request: the auth check');
      const plan = JSON.parse(r.stdout) as { streams: { stream: string; mode: string; object: string; windows: { count: number } | null }[] };
      assert.deepEqual(plan.streams.map((s) => s.stream), ['users', 'incidents', 'notifications']);
      assert.equal(plan.streams[0]!.windows, null);
      assert.ok(plan.streams[1]!.windows!.count >= 13, 'incidents since 2020 in windows of 180 days');
      assert.equal(plan.streams[2]!.object, `${f.db.schema}.notifications`);
      assert.equal(await f.db.schemaExists(), false, 'nothing written');
      const text = await f.run(['--dry-run']);
      assert.match(text.stdout, /^incidents\s+full-refresh\s+-> \S+\.incidents\s+\d+ window\(s\) of <= 180 days/m);
    } finally {
      await f.close();
    }
  });

  test('--limit loads at most N rows per stream and saves no cursor', async () => {
    const f = await syncFixture({
      name: 'limit',
      replication: (schema) => `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: incremental\n  object: ${schema}.{stream_name}\nstreams:\n  users:\n  incidents:\n`,
    });
    try {
      const r = await f.run(['--limit', '150']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await f.landed('users')).length, 60);
      assert.equal((await f.landed('incidents')).length, 150);
      const { rowCount } = await f.db.pool.query('SELECT 1 FROM pdsync.state WHERE object = $1', [`${f.db.schema}.incidents`]);
      assert.equal(rowCount, 0);
      assert.equal((await f.run(['--limit', 'lots'])).code, 2);
      // A trial never replaces a table: full refresh under --limit merges what it read.
      assert.equal((await f.run(['--mode', 'full-refresh'])).code, 0);
      const r2 = await f.run(['--mode', 'full-refresh', '--limit', '10']);
      assert.equal(r2.code, 0, r2.stderr);
      assert.deepEqual(await f.landed('incidents'), f.truth('incidents'));
      assert.deepEqual(await f.landed('users'), f.truth('users'));
    } finally {
      await f.close();
    }
  });

  test('conns test reports auth type, region and the streams PagerDuty answers for, each asked; Postgres version and rights', async () => {
    // vendors has no plan gate in the catalogue: only asking PagerDuty shows this account refuses it.
    const f = await syncFixture({ name: 'ctest', sim: { gates: { priorities: 404, vendors: 402, teams: 402 } } });
    try {
      const r = await pdsync(['conns', 'test', 'PAGERDUTY'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^PAGERDUTY: ok, API key \(Authorization: Token\), region us, http:\/\/127\.0\.0\.1:\d+/m);
      assert.match(r.stdout, /priorities: not readable \(404\): the account lacks incident priorities/);
      assert.match(r.stdout, /^ {2}vendors: not readable \(402\): the account lacks it; a run skips it$/m);
      assert.match(r.stdout, /^ {2}team_members: not readable: it is read through teams, which is not$/m);
      // Four are not: the three the account lacks, and team_members, read through teams.
      const streams = Object.keys((await loadCatalogue()).streams).length;
      assert.match(r.stdout, new RegExp(`readable streams \\(${streams - 4} of ${streams}\\): users, services, `));
      const bad = await pdsync(['conns', 'test', 'PAGERDUTY'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: 'nope-wrong' } });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /401 .*the key or client credentials are wrong or revoked/);
      const pgTest = await pdsync(['conns', 'test', 'PG'], { cwd: f.cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      assert.equal(pgTest.code, 0, pgTest.stderr);
      assert.match(pgTest.stdout, new RegExp(`^PG: ok, PostgreSQL \\d+\\.\\d+.*, user postgres, database ${f.db.name}$`, "m"));
      assert.match(pgTest.stdout, /can create schemas/);
    } finally {
      await f.close();
    }
  });

  test('conns set writes env.yaml keeping its comments, and refuses a value that would break it', async () => {
    const cwd = workspace({
      'env.yaml': '# team connections\nconnections:\n  PAGERDUTY:\n    type: pagerduty  # the real account\n    secrets:\n      api_key: ${PAGERDUTY_API_KEY}\n',
    });
    const r = await pdsync(['conns', 'set', 'PAGERDUTY', 'inputs.rate=4', 'inputs.region=eu'], { cwd, env: { PAGERDUTY_API_KEY: 'k-123456' } });
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(cwd, 'env.yaml'), 'utf8');
    assert.match(text, /^# team connections$/m);
    assert.match(text, /type: pagerduty # the real account/);
    assert.match(text, /rate: 4\n/);
    assert.match(text, /region: eu\n/);
    const bad = await pdsync(['conns', 'set', 'PAGERDUTY', 'inputs.region=mars'], { cwd, env: { PAGERDUTY_API_KEY: 'k-123456' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /connections\.PAGERDUTY\.inputs\.region/);
    assert.equal(readFileSync(join(cwd, 'env.yaml'), 'utf8'), text, 'unchanged');
    const fresh = workspace({});
    assert.equal((await pdsync(['conns', 'set', 'PG', 'type=postgres', 'url=postgresql://u@h/db'], { cwd: fresh })).code, 0);
    assert.equal(statSync(join(fresh, 'env.yaml')).mode & 0o777, 0o600, 'a new env.yaml is private');
  });

  test('a plaintext secret in an env.yaml others can read gives a warning', async () => {
    const cwd = workspace({
      'env.yaml': 'connections:\n  PAGERDUTY:\n    type: pagerduty\n    secrets:\n      api_key: plain-text-key-123\n',
    });
    chmodSync(join(cwd, 'env.yaml'), 0o644);
    const r = await pdsync(['conns', 'list'], { cwd });
    assert.match(r.stderr, /warning: .*env\.yaml is readable by other users and holds a plaintext secret \(connections\.PAGERDUTY\.secrets\.api_key\): chmod 600/);
    assert.ok(!r.stderr.includes('plain-text-key-123') && !r.stdout.includes('plain-text-key-123'));
    chmodSync(join(cwd, 'env.yaml'), 0o600);
    assert.doesNotMatch((await pdsync(['conns', 'list'], { cwd })).stderr, /warning/);
  });
});
