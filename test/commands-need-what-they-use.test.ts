import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { envYaml, pdsync, workspace } from './support/cli.js';
import { type TestDatabase, testDatabase } from './support/database.js';

/**
 * A command expands only the secrets of the connections it uses: with the PagerDuty key's
 * variable unset, every command that reads only the database or the files works (a dbt CI job
 * needs no PagerDuty secret); the commands that call PagerDuty name the variable, exit 2.
 */
describe('a command needs only what it uses', () => {
  let db: TestDatabase;
  let cwd: string;
  before(async () => {
    db = await testDatabase('needs');
    const env = envYaml('http://127.0.0.1:9', db.url).replace('${PAGERDUTY_API_KEY}', '${PD_TOKEN}');
    cwd = workspace({ 'env.yaml': env, 'r.yaml': `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${db.schema}.{stream_name}\nstreams:\n  users:\n  incidents:\n    mode: incremental\n` });
  });
  after(async () => {
    await db.drop();
  });

  const without = (args: string[]) => pdsync(args, { cwd, env: {} });

  for (const args of [
    ['state', 'show', 'r.yaml'],
    ['state', 'reset', 'incidents', 'r.yaml'],
    ['dbt', 'sources', 'r.yaml', '-o', '-'],
    ['sql', 'select 1 as one', '-r', 'r.yaml'],
    ['conns', 'list'],
    ['conns', 'discover', 'PAGERDUTY'],
    ['listen', 'r.yaml', '--print-subscription', '--public-url', 'https://sync.example.com'],
  ]) {
    test(`pdsync ${args.join(' ')} works with the PagerDuty secret's variable unset`, async () => {
      const r = await without(args);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /PD_TOKEN/);
    });
  }

  test('what those commands print is right without the secret', async () => {
    assert.match((await without(['conns', 'list'])).stdout, /^PAGERDUTY\s+pagerduty\s+http:\/\/127\.0\.0\.1:9\s+api_key \*\*\*\*/m);
    assert.match((await without(['listen', 'r.yaml', '--print-subscription'])).stdout, /curl -sS -X POST 'http:\/\/127\.0\.0\.1:9\/webhook_subscriptions'/);
    assert.match((await without(['dbt', 'sources', 'r.yaml', '-o', '-'])).stdout, new RegExp(`- name: incidents`));
  });

  for (const args of [['run', 'r.yaml'], ['conns', 'test', 'PAGERDUTY'], ['listen', 'r.yaml']]) {
    test(`pdsync ${args.join(' ')} calls PagerDuty, so it names the unset variable, exit 2`, async () => {
      const r = await without(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /connections\.PAGERDUTY\.secrets\.api_key: environment variable PD_TOKEN is not set/);
    });
  }
});
