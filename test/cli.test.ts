import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import { SERVER_URL } from './support/database.js';
import { envYaml, pdsync, SIM_KEY, workspace } from './support/cli.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the pdsync command line', () => {
  test('--version prints the package version', async () => {
    const r = await pdsync(['--version'], { cwd: workspace({}) });
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), version);
  });

  test('--help shows commands, examples and exit codes', async () => {
    const r = await pdsync(['--help'], { cwd: workspace({}) });
    assert.equal(r.code, 0);
    for (const s of ['run', 'conns', 'simulator', 'Examples:', 'pdsync run replication.yaml', 'Exit codes:', '2  bad usage']) {
      assert.ok(r.stdout.includes(s), `help mentions ${s}`);
    }
  });

  test('conns discover lists every catalogue stream with its key and incremental support', async () => {
    const catalogue = await loadCatalogue();
    const cwd = workspace({ 'env.yaml': envYaml('http://127.0.0.1:9', SERVER_URL) });
    const r = await pdsync(['conns', 'discover', 'PAGERDUTY', '--json'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.equal(r.code, 0, r.stderr);
    const streams = JSON.parse(r.stdout) as { stream: string; primary_key: string[]; incremental_key: string | null; description: string }[];
    assert.deepEqual(streams.map((s) => s.stream), Object.keys(catalogue.streams));
    const incidents = streams.find((s) => s.stream === 'incidents')!;
    assert.equal(incidents.incremental_key, 'created_at');
    assert.deepEqual(streams.find((s) => s.stream === 'oncalls')!.primary_key, [
      'escalation_policy.id', 'escalation_level', 'schedule.id', 'user.id', 'start',
    ]);
    const text = await pdsync(['conns', 'discover', 'PAGERDUTY'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.match(text.stdout, /^incidents\s+key id\s+incremental on created_at/m);
    assert.match(text.stdout, /^users\s+key id\s+full-refresh only/m);
  });

  test('conns list shows env.yaml and environment connections with secrets masked', async () => {
    const secret = 'u+very-secret-key-123';
    const cwd = workspace({ 'env.yaml': envYaml('http://127.0.0.1:9', SERVER_URL) });
    const r = await pdsync(['conns', 'list'], {
      cwd,
      env: { PAGERDUTY_API_KEY: secret, WAREHOUSE: 'postgresql://etl:hunter2-pass@db.internal:5432/dw' },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^PAGERDUTY\s+pagerduty\s+http:\/\/127\.0\.0\.1:9\s+api_key \*\*\*\*/m);
    assert.match(r.stdout, /^WAREHOUSE\s+postgres\s+postgresql:\/\/etl:\*\*\*\*@db\.internal:5432\/dw\s+\(environment\)/m);
    assert.ok(!r.stdout.includes(secret) && !r.stdout.includes('hunter2-pass'), 'no secret in output');
  });

  test('a connection can come whole from an environment variable holding a YAML object', async () => {
    const cwd = workspace({});
    const r = await pdsync(['conns', 'discover', 'PD'], {
      cwd,
      env: { PD: '{ type: api, spec: pagerduty, secrets: { api_key: "abc" }, inputs: { region: eu } }' },
    });
    assert.equal(r.code, 0, r.stderr);
    const list = await pdsync(['conns', 'list'], {
      cwd,
      env: { PD: '{ type: api, spec: pagerduty, secrets: { api_key: "abc" }, inputs: { region: eu } }' },
    });
    assert.match(list.stdout, /^PD\s+pagerduty\s+https:\/\/api\.eu\.pagerduty\.com\s+api_key \*\*\*\*/m);
  });

  test('env.yaml is found in ~/.pdsync when the working directory has none, and .env supplies variables', async () => {
    const cwd = workspace({ '.env': `PAGERDUTY_API_KEY=${SIM_KEY}\n` });
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(`${cwd}/.pdsync`);
    writeFileSync(`${cwd}/.pdsync/env.yaml`, envYaml('http://127.0.0.1:9', SERVER_URL));
    const r = await pdsync(['conns', 'list'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^PAGERDUTY\s+pagerduty/m);
  });
});
