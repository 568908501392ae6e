import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadCatalogue } from '../src/catalogue/load-catalogue.js';
import { withStreamTable } from '../src/catalogue/stream-table.js';
import { pdsync, SIM_KEY, workspace } from './support/cli.js';
import { assertExact, summaryOf, syncFixture } from './support/sync-fixture.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('README and examples', () => {
  test('README\'s table of streams is the one generated from specs/pagerduty.yaml', async () => {
    const readme = read('README.md');
    assert.equal(readme, withStreamTable(readme, await loadCatalogue()), 'run `npm run readme:streams`');
    for (const stream of Object.keys((await loadCatalogue()).streams)) assert.match(readme, new RegExp(`^\\| \`${stream}\` \\|`, 'm'));
  });

  test('README starts with the demo command and the test command', () => {
    const block = /```sh\n([^]*?)```/.exec(read('README.md'))![1]!;
    const commands = block.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.deepEqual(commands, ['npm ci && npx pdsync demo', 'npm test']);
  });

  test('README documents every exit code the CLI uses', () => {
    const readme = read('README.md');
    for (const code of ['0', '1', '2', '130 / 143']) assert.match(readme, new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  test('env.example.yaml and examples/replication.yaml sync the simulator exactly', async () => {
    const f = await syncFixture({ name: 'examples', sim: { volume: { incidents: 300 } } });
    try {
      const env = read('env.example.yaml')
        .replace('# base_url: http://127.0.0.1:8089', `base_url: ${f.sim.url}`)
        .replace('"2024-01-01T00:00:00Z"', '"2020-01-01T00:00:00Z"')
        .replace('postgresql://postgres@127.0.0.1:5432/test', f.db.url)
        .replace('rate: 5 ', 'rate: 2000 ').replace('concurrency: 3 ', 'concurrency: 8 ');
      const replication = read('examples/replication.yaml').replace('pagerduty.{stream_name}', `${f.db.schema}.{stream_name}`);
      writeFileSync(join(f.cwd, 'env.yaml'), env);
      writeFileSync(join(f.cwd, 'replication.yaml'), replication);
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      for (const stream of Object.keys(f.catalogue.streams)) assert.deepEqual(await f.landed(stream), f.truth(stream), stream);
      assert.match(r.stderr, /^incidents\s+incremental\s+ok/m);
    } finally {
      await f.close();
    }
  });

  test('README\'s replication, copied as written, reruns with nothing changed in a few dozen requests', async () => {
    const yaml = /### Replication[^]*?```yaml\n([^]*?)```/.exec(read('README.md'))![1]!;
    const f = await syncFixture({
      name: 'readme_replication',
      replication: (schema) => yaml.replace('target: MY_POSTGRES', 'target: PG').replace('pagerduty.{stream_name}', `${schema}.{stream_name}`),
    });
    try {
      const first = await f.run(['--json', '--quiet']);
      assert.equal(first.code, 0, first.stderr);
      const idle = await f.run(['--json', '--quiet']);
      assert.equal(idle.code, 0, idle.stderr);
      const streams = summaryOf(idle.stdout).streams;
      const requests = streams.reduce((n, s) => n + s.requests, 0);
      assert.ok(requests <= 40, `an idle rerun made ${requests} requests`);
      assert.ok(!streams.some((s) => s.stream === 'incident_notes' || s.stream === 'incident_alerts'), 'fan-out streams stay out of *');
      await assertExact(f, streams.map((s) => s.stream));
    } finally {
      await f.close();
    }
  });

  test('README\'s questions run as written, and the change failure rate has meaningful weekly values', async () => {
    const sql = /Three questions, one `select` each:\n```sql\n([^]*?)```/.exec(read('README.md'))![1]!;
    const queries = sql.split(/;\n/).map((q) => q.trim()).filter((q) => q.replace(/--.*\n/g, '').trim());
    assert.equal(queries.length, 3);
    const streams = ['incidents', 'log_entries', 'services', 'change_events', 'notifications', 'users', 'oncall_shifts'];
    const f = await syncFixture({
      name: 'readmesql',
      inputs: { rate: 2000, concurrency: 8 },
      replication: (schema) => `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${schema}.{stream_name}\nstreams:\n${streams.map((s) => `  ${s}:\n`).join('')}`,
    });
    try {
      const r = await f.run();
      assert.equal(r.code, 0, r.stderr);
      const answers: Record<string, unknown>[][] = [];
      for (const q of queries) answers.push((await f.db.pool.query(q.replaceAll('pagerduty.', `"${f.db.schema}".`))).rows);
      const weeks = answers[1]!.map((w) => w.change_failure_rate === null ? null : Number(w.change_failure_rate));
      assert.ok(weeks.length >= 20, `${weeks.length} weeks with changes`);
      assert.ok(weeks.every((rate) => rate !== null && rate >= 0 && rate <= 1), 'a rate for every week listed');
      const between = weeks.filter((rate) => rate! > 0 && rate! < 1).length;
      assert.ok(between >= weeks.length / 2, `${between} of ${weeks.length} weeks strictly between 0 and 1: not a column of NULLs, 0s and 1s`);
    } finally {
      await f.close();
    }
  });

  test('examples/env.simulator.yaml works against `pdsync simulator` as README says', async () => {
    const cwd = workspace({});
    const { startSimulator } = await import('../src/simulator/server.js');
    const sim = await startSimulator({ port: 0 });
    try {
      const env = read('examples/env.simulator.yaml').replace('http://127.0.0.1:8089', sim.url);
      writeFileSync(join(cwd, 'env.yaml'), env);
      const r = await pdsync(['conns', 'test', 'PAGERDUTY'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      assert.equal(r.code, 0, r.stderr);
      const n = Object.keys((await loadCatalogue()).streams).length;
      assert.match(r.stdout, new RegExp(`readable streams \\(${n} of ${n}\\)`));
    } finally {
      await sim.close();
    }
  });
});
