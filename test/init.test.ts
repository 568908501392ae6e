import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pdsync, SIM_KEY } from './support/cli.js';
import { assertExact, summaryOf, syncFixture } from './support/sync-fixture.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));

describe('pdsync init', () => {
  test('writes env.yaml (mode 600, the key from the environment) and a replication that syncs every non-fan-out stream exactly', async () => {
    const f = await syncFixture({ name: 'init', sim: { volume: { incidents: 200 } } });
    try {
      const r = await pdsync(['init', 'site'], { cwd: f.cwd, env: {} });
      assert.equal(r.code, 0, r.stderr);
      const site = join(f.cwd, 'site');
      assert.equal(statSync(join(site, 'env.yaml')).mode & 0o777, 0o600);
      const env = readFileSync(join(site, 'env.yaml'), 'utf8');
      assert.match(env, /api_key: \$\{PAGERDUTY_API_KEY\}/);
      const replication = readFileSync(join(site, 'replication.yaml'), 'utf8');
      assert.match(replication, /^ {2}# incident_notes: +# one request per incidents record$/m, 'fan-out streams are offered, commented out, with their cost');
      assert.match(r.stdout, /^ {2}cd site && pdsync conns test PAGERDUTY$/m);
      assert.match(r.stdout, /^ {2}cd site && pdsync run replication\.yaml --dry-run$/m);

      // Pointed at the simulator and the test database, the files work as written.
      writeFileSync(join(site, 'env.yaml'), env.replace('url: embedded', `url: ${f.db.url}`));
      writeFileSync(join(site, 'replication.yaml'), replication.replace('pagerduty.{stream_name}', `${f.db.schema}.{stream_name}`));
      const set = await pdsync(['conns', 'set', 'PAGERDUTY', `inputs.base_url=${f.sim.url}`, 'inputs.rate=500', 'inputs.concurrency=8', 'inputs.anchor_date=2020-01-01T00:00:00Z'], { cwd: site, env: {} });
      assert.equal(set.code, 0, set.stderr);
      const run = await pdsync(['run', 'replication.yaml', '--json', '--quiet'], { cwd: site, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      assert.equal(run.code, 0, run.stderr);
      const streams = summaryOf(run.stdout).streams;
      const incremental = streams.filter((s) => s.mode === 'incremental').map((s) => s.stream);
      assert.ok(incremental.includes('incidents') && incremental.includes('log_entries'), incremental.join());
      assert.ok(!streams.some((s) => s.stream === 'incident_notes' || s.stream === 'incident_alerts'));
      await assertExact(f, streams.map((s) => s.stream));
    } finally {
      await f.close();
    }
  });

  test('refuses to overwrite: one line naming the file, exit 2, the files unchanged', async () => {
    const f = await syncFixture({ name: 'init_refuse' });
    try {
      const before = readFileSync(join(f.cwd, 'env.yaml'), 'utf8');
      const r = await pdsync(['init'], { cwd: f.cwd, env: {} });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /env\.yaml already exists: pdsync init never overwrites; remove it or choose another folder$/m);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.equal(readFileSync(join(f.cwd, 'env.yaml'), 'utf8'), before);
    } finally {
      await f.close();
    }
  });

  test('under npx, the commands it suggests start with npx', async () => {
    const f = await syncFixture({ name: 'init_npx' });
    try {
      const r = await pdsync(['init', 'here'], { cwd: f.cwd, env: { npm_command: 'exec' } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^ {2}cd here && npx pdsync conns test PAGERDUTY$/m);
    } finally {
      await f.close();
    }
  });

  test('the published package carries examples/ and env.example.yaml, which README and the demo point at', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' })) as [{ files: { path: string }[] }];
    const files = pack.files.map((x) => x.path);
    for (const path of ['examples/replication.yaml', 'examples/env.simulator.yaml', 'env.example.yaml', 'dist/cli/bin.js', 'specs/pagerduty.yaml']) assert.ok(files.includes(path), path);
  });
});
