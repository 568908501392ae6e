import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../src/simulator/server.js';
import { envYaml, pdsync, pdsyncProcess, SIM_KEY, STAMP, workspace } from './support/cli.js';
import { databaseUrl, SERVER_URL, type TestDatabase, testDatabase } from './support/database.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const replication = (schema: string, streams = ['users']) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\nstreams:\n${streams.map((s) => `  ${s}:\n`).join('')}`;
const lines = (text: string) => text.trim().split('\n').filter(Boolean);

describe('the first five minutes of a new user', () => {
  let sim: Simulator;
  let db: TestDatabase;
  before(async () => {
    sim = await startSimulator({ port: 0, deniedKey: 'no-access-key' });
    db = await testDatabase('first');
  });
  after(async () => {
    await sim.close();
    await db.drop();
  });

  test('an exported connection wins over env.yaml, pdsync says so, and conns list shows where each comes from', async () => {
    const cwd = workspace({ 'env.yaml': envYaml(sim.url, SERVER_URL) });
    const env = { PAGERDUTY_API_KEY: SIM_KEY, PG: db.url };
    const r = await pdsync(['conns', 'test', 'PG'], { cwd, env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^PG: ok, .*database ${db.name}$`, 'm'), 'the environment\'s database answered');
    assert.match(r.stderr, /warning: connection PG: the environment variable PG is used; .*env\.yaml also defines it \(the environment wins\)/);
    const list = await pdsync(['conns', 'list'], { cwd, env });
    assert.match(list.stdout, /^PG\s+postgres\s+\S+\s+\(environment, overriding \S+env\.yaml\)$/m);
    assert.match(list.stdout, /^PAGERDUTY\s+pagerduty\s+.*\(\S+env\.yaml\)$/m);
  });

  test('-e FILE and PDSYNC_ENV_FILE choose the env file; a missing one is named with what gave it', async () => {
    const cwd = workspace({ 'prod.yaml': envYaml(sim.url, db.url), 'r.yaml': replication(db.schema) });
    const env = { PAGERDUTY_API_KEY: SIM_KEY };
    const byFlag = await pdsync(['run', 'r.yaml', '-e', 'prod.yaml', '--dry-run'], { cwd, env });
    assert.equal(byFlag.code, 0, byFlag.stderr);
    const byVariable = await pdsync(['run', 'r.yaml', '--dry-run'], { cwd, env: { ...env, PDSYNC_ENV_FILE: 'prod.yaml' } });
    assert.equal(byVariable.code, 0, byVariable.stderr);
    const missing = await pdsync(['run', 'r.yaml'], { cwd, env: { ...env, PDSYNC_ENV_FILE: 'nope.yaml' } });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'pdsync: nope.yaml: env file not found (given by PDSYNC_ENV_FILE): check the path\n');
  });

  test('under npx on Node 20, `-e missing.yaml` reaches pdsync and gives its error', async () => {
    const cwd = workspace({ 'r.yaml': replication(db.schema) });
    // npx runs in the checkout, as README says; the files are named by absolute paths.
    const r = await promisify(execFile)('npx', ['--no-install', 'pdsync', 'run', join(cwd, 'r.yaml'), '-e', join(cwd, 'missing.yaml')], {
      cwd: REPO,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_update_notifier: 'false' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.replace(STAMP, ''), /^pdsync: \S+missing\.yaml: env file not found \(given by --env\): check the path$/m);
  });

  test('a wrong API key stops the run at its first request: one line naming the connection and the fix, nothing written', async () => {
    const cwd = workspace({ 'env.yaml': envYaml(sim.url, db.url), 'r.yaml': replication(db.schema, ['users', 'incidents', 'log_entries']) });
    sim.resetLog();
    const r = await pdsync(['run', 'r.yaml'], { cwd, env: { PAGERDUTY_API_KEY: 'wrong-key-123' } });
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [
      'pdsync: PAGERDUTY: PagerDuty refused the credentials: GET /abilities: 401 Authentication failed (code 2006): check them with `pdsync conns test PAGERDUTY`',
    ]);
    assert.equal(sim.requests.length, 1, 'one request');
    assert.deepEqual(await db.relations(), [], 'no table, no bookkeeping, no run row');
  });

  test('a key that every stream refuses (403) ends the run with one line, and nothing is written', async () => {
    const cwd = workspace({ 'env.yaml': envYaml(sim.url, db.url), 'r.yaml': replication(db.schema, ['users', 'incidents', 'notifications']) });
    sim.resetLog();
    const r = await pdsync(['run', 'r.yaml'], { cwd, env: { PAGERDUTY_API_KEY: 'no-access-key' } });
    assert.equal(r.code, 1);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^pdsync: PAGERDUTY: PagerDuty refused every stream of the run: GET \/notifications\?.*: 403 Access Denied.*\(code 2010\): give the key or token read access to them \(check with `pdsync conns test PAGERDUTY`\)$/m);
    assert.equal(sim.requests.length, 4, '/abilities, then one request per stream');
    assert.deepEqual(await db.relations(), []);
  });

  test('a PagerDuty connection without secrets says which secrets it needs', async () => {
    const env = envYaml(sim.url, db.url).replace(/    secrets:\n      api_key: \$\{PAGERDUTY_API_KEY\}\n/, '');
    const r = await pdsync(['run', 'r.yaml'], { cwd: workspace({ 'env.yaml': env, 'r.yaml': replication(db.schema) }) });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pdsync: \S+env\.yaml: connections\.PAGERDUTY\.secrets: missing: add secrets\.api_key \(a PagerDuty REST API key\), or secrets\.oauth_token, or secrets\.client_id with secrets\.client_secret\n$/);
  });

  test('state show reads ./replication.yaml when given none, and says how to name one when there is none', async () => {
    const none = await pdsync(['state', 'show'], { cwd: workspace({ 'env.yaml': envYaml(sim.url, db.url) }) });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^pdsync: state show: no replication file given and no replication\.yaml here: pass one, as in `pdsync state show -r examples\/replication\.yaml`\n$/);
    const cwd = workspace({ 'env.yaml': envYaml(sim.url, db.url), 'replication.yaml': replication(db.schema), 'other.yaml': replication(db.schema) });
    for (const args of [['state', 'show'], ['state', 'show', 'other.yaml'], ['state', 'show', '-r', 'other.yaml']]) {
      const r = await pdsync(args, { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  test('state show only reads: on a database pdsync never wrote, it says there is no state and creates nothing', async () => {
    const fresh = await testDatabase('state_reads');
    try {
      const cwd = workspace({ 'env.yaml': envYaml(sim.url, fresh.url), 'replication.yaml': replication(fresh.schema) });
      const r = await pdsync(['state', 'show'], { cwd });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'no saved state: the next incremental run reads the whole history\n');
      const { rows } = await fresh.pool.query(`SELECT to_regnamespace('pdsync') IS NULL AS absent`);
      assert.equal(rows[0].absent, true, 'no pdsync schema was made');
    } finally {
      await fresh.drop();
    }
  });

  test('pdsync sql asks the replication\'s target, not the embedded database, and says which database answered', async () => {
    const cwd = workspace({ 'env.yaml': envYaml(sim.url, db.url), 'replication.yaml': replication(db.schema) });
    const r = await pdsync(['sql', 'select current_database() as db'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${db.name}$`, 'm'));
    assert.equal(r.stderr, `(1 row, from database ${db.name} on 127.0.0.1:5432 (connection PG))\n`);
    const byName = await pdsync(['sql', '-c', 'PG', 'select 2 as two'], { cwd });
    assert.equal(byName.code, 0, byName.stderr);
  });

  test('a target database that does not exist is a configuration error: exit 2, one line, no summary', async () => {
    const cwd = workspace({ 'env.yaml': envYaml(sim.url, databaseUrl(`${db.name}_missing`)), 'r.yaml': replication(db.schema) });
    const r = await pdsync(['run', 'r.yaml'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.equal(r.code, 2);
    assert.deepEqual(lines(r.stderr), [`pdsync: connection PG: database "${db.name}_missing" does not exist: create it (createdb) or fix the database name in the url`]);
  });

  test('a "%" left unencoded in a database password names the connection and the fix', async () => {
    const url = SERVER_URL.replace('postgres@', 'postgres:50%off@');
    const cwd = workspace({ 'env.yaml': envYaml(sim.url, url), 'r.yaml': replication(db.schema) });
    chmodSync(join(cwd, 'env.yaml'), 0o600);
    const r = await pdsync(['run', 'r.yaml'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^pdsync: \S+env\.yaml: connections\.PG\.url: its password holds a "%" that is not percent-encoded: write % as %25/);
    assert.equal(lines(r.stderr).length, 1);
  });

  test('an anchor_date without a zone is UTC, whatever the machine\'s time zone', async () => {
    const env = envYaml(sim.url, db.url).replace('"2020-01-01T00:00:00Z"', '"2024-01-01 00:00:00"');
    const cwd = workspace({ 'env.yaml': env, 'r.yaml': replication(db.schema, ['incidents']) });
    const r = await pdsyncProcess(['run', 'r.yaml', '--dry-run', '--json'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY, TZ: 'America/New_York' } });
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { streams: { windows: { since: string } }[] };
    assert.equal(plan.streams[0]!.windows.since, '2024-01-01T00:00:00.000Z');
  });

  test('examples/env.simulator.yaml holds no secret worth a warning', async () => {
    const text = readFileSync(join(REPO, 'examples/env.simulator.yaml'), 'utf8').replace('http://127.0.0.1:8089', sim.url);
    const r = await pdsync(['conns', 'list'], { cwd: workspace({ 'env.yaml': text }) });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/);
  });
});
