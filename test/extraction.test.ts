import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import { assertExact, only, summaryOf, syncFixture } from './support/sync-fixture.js';

/** The classic list endpoints of the catalogue: offset pages of a top-level GET. */
const ALL = Object.entries((await loadCatalogue()).streams)
  .filter(([, s]) => s.method === 'GET' && s.paginator === 'offset' && !s.parent)
  .map(([name]) => name);

describe('extraction never loses a row', () => {
  test('every stream lands exactly while 15% of requests fail with 5xx, 429, resets and truncated bodies', async () => {
    const f = await syncFixture({
      name: 'faults',
      sim: { faults: { seed: 7, rate: 0.15, kinds: ['http500', 'http502', 'http503', 'http429', 'reset', 'truncated'] } },
      inputs: { max_attempts: 10 },
      replication: only(...ALL),
    });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const summary = summaryOf(r.stdout);
      assert.ok(summary.streams.reduce((n, s) => n + s.retries, 0) > 0, 'faults were met and retried');
      assert.ok((f.sim.stats().byStatus[0] ?? 0) > 0, 'resets or truncated bodies happened');
      await assertExact(f, ALL);
    } finally {
      await f.close();
    }
  });

  test('a day with 17,000 incidents lands whole: windows over the 10,000 cap are split', async () => {
    const f = await syncFixture({
      name: 'burst',
      sim: { burst: { stream: 'incidents', day: '2025-06-15', count: 17_000 } },
      replication: only('incidents'),
    });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const truth = f.truth('incidents');
      assert.equal(truth.length, 18_200);
      await assertExact(f, ['incidents']);
      const stats = f.sim.stats();
      assert.equal(stats.byStatus[400] ?? 0, 0, 'never asked past the offset cap');
      const requests = summaryOf(r.stdout).streams[0]!.requests;
      // Ideal is one request per 100 incidents; splitting costs one count page per split window.
      assert.ok(requests <= Math.ceil(truth.length / 100) * 1.1 + 10, `${requests} requests for ${truth.length} incidents`);
    } finally {
      await f.close();
    }
  });

  test('a stream that runs out of attempts fails alone, naming the request; the others finish; exit 1', async () => {
    const f = await syncFixture({
      name: 'attempts',
      sim: { faults: { rate: 1, kinds: ['http503'], paths: ['/users'] } },
      inputs: { max_attempts: 3 },
      replication: only('users', 'teams', 'incidents'),
    });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 1, r.stderr);
      const streams = summaryOf(r.stdout).streams;
      const users = streams.find((s) => s.stream === 'users')!;
      assert.equal(users.status, 'failed');
      assert.match(users.reason!, /GET \/users\?.*: 503/);
      assert.match(users.reason!, /after 3 attempts/);
      assert.equal(f.sim.requests.filter((q) => q.path === '/users').length, 3, 'attempts are bounded');
      assert.deepEqual(streams.filter((s) => s.status === 'ok').map((s) => s.stream).sort(), ['incidents', 'teams']);
      await assertExact(f, ['teams', 'incidents']);
    } finally {
      await f.close();
    }
  });

  test('plan-gated streams (402 on teams, 404 on priorities) are skipped with a warning and the run exits 0', async () => {
    const f = await syncFixture({ name: 'gates', sim: { gates: { teams: 402, priorities: 404 } }, replication: only('users', 'teams', 'priorities') });
    try {
      const r = await f.run(['--json']);
      assert.equal(r.code, 0, r.stderr);
      const streams = summaryOf(r.stdout).streams;
      const teams = streams.find((s) => s.stream === 'teams')!;
      const priorities = streams.find((s) => s.stream === 'priorities')!;
      assert.equal(teams.status, 'skipped');
      assert.match(teams.reason!, /402.*lacks teams/);
      assert.equal(priorities.status, 'skipped');
      assert.match(priorities.reason!, /404.*lacks incident priorities/);
      assert.match(r.stderr, /teams: warning: skipped: PagerDuty answered 402/);
      await assertExact(f, ['users']);
    } finally {
      await f.close();
    }
  });

  test('oncalls are who is on call now by default, and every shift of the next N days with inputs.oncall_days', async () => {
    // The simulator's clock is real time here: PagerDuty measures the 90 days from its own now.
    const f = await syncFixture({ name: 'oncalls', sim: { now: () => new Date() }, inputs: { oncall_days: 14 }, replication: only('oncalls') });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      const q = new URLSearchParams(f.sim.requests.find((x) => x.path === '/oncalls')!.query);
      const range = { since: new Date(q.get('since')!), until: new Date(q.get('until')!) };
      assert.equal(range.until.getTime() - range.since.getTime(), 14 * 86_400_000);
      const truth = [...f.sim.dataset.records('oncalls', range)].map((x) =>
        JSON.stringify([(x.escalation_policy as { id: string }).id, x.escalation_level, (x.schedule as { id: string } | null)?.id ?? null, (x.user as { id: string }).id, x.start]),
      );
      assert.ok(truth.length > f.truth('oncalls').length, 'more shifts than those current now');
      assert.deepEqual(await f.landed('oncalls'), truth.sort());
      writeFileSync(join(f.cwd, 'env.yaml'), readFileSync(join(f.cwd, 'env.yaml'), 'utf8').replace('oncall_days: 14', 'oncall_days: 91'));
      const tooFar = await f.run();
      assert.equal(tooFar.code, 2);
      assert.match(tooFar.stderr, /^pdsync: \S*env\.yaml: connections\.PAGERDUTY\.inputs\.oncall_days: .*\b90\b/m, 'the file, the key path and the limit');
    } finally {
      await f.close();
    }
  });

  test('a wrong API key fails fast with one clear message and no retries', async () => {
    const f = await syncFixture({ name: 'auth' });
    try {
      const r = await f.run(['--json'], { PAGERDUTY_API_KEY: 'wrong-key' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /401 Authentication failed \(code 2006\)/);
      const paths = f.sim.requests.map((q) => `${q.path}?${q.query}`);
      assert.ok(paths.length <= 4, `${paths.length} requests: only those already in flight`);
      assert.equal(new Set(paths).size, paths.length, 'no request was retried');
      assert.ok(!r.stderr.includes('wrong-key') && !r.stdout.includes('wrong-key'), 'the key is never printed');
    } finally {
      await f.close();
    }
  });
});
