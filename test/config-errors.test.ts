import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../src/simulator/server.js';
import { testDatabase } from './support/database.js';
import { envYaml, pdsync, SIM_KEY, workspace } from './support/cli.js';

type Db = Awaited<ReturnType<typeof testDatabase>>;

/**
 * Every configuration mistake: one line on stderr naming the file, the key path and what was
 * expected; exit code 2; nothing written to the target (the object's schema is never created).
 */
describe('configuration mistakes exit 2 with a one-line message and write nothing', () => {
  let db: Db;
  before(async () => {
    db = await testDatabase('cfg');
  });
  after(async () => {
    await db.drop();
  });

  const goodEnv = () => envYaml('http://127.0.0.1:9', db.url);
  const replication = (streams = '  users:\n', extra = '') =>
    `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${db.schema}.{stream_name}\n${extra}streams:\n${streams}`;

  const cases: { name: string; files: () => Record<string, string>; args?: string[]; env?: Record<string, string>; expect: RegExp }[] = [
    {
      name: 'a missing replication file is named',
      files: () => ({ 'env.yaml': goodEnv() }),
      args: ['run', 'nope.yaml'],
      expect: /^pdsync: nope\.yaml: replication file not found/,
    },
    {
      name: 'invalid YAML names the file and line',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': 'source: PAGERDUTY\nstreams:\n  users: [\n' }),
      expect: /^pdsync: r\.yaml: invalid YAML at line \d+/,
    },
    {
      name: 'a misspelt top-level key is named',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication().replace('streams:', 'stream:') }),
      expect: /^pdsync: r\.yaml: .*Unrecognized key.*"stream"/,
    },
    {
      name: 'a missing source key is named',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication().replace('source: PAGERDUTY\n', '') }),
      expect: /^pdsync: r\.yaml: source: missing: expected string/,
    },
    {
      name: 'an unknown stream is named with the streams that exist',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication('  userz:\n') }),
      expect: /^pdsync: r\.yaml: streams\.userz: unknown stream "userz": did you mean "users"\? expected one of users, teams/,
    },
    {
      name: 'a stream name far from any is named without a guess',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication('  pagerduty:\n') }),
      expect: /^pdsync: r\.yaml: streams\.pagerduty: unknown stream "pagerduty": expected one of users, /,
    },
    {
      name: 'a typo in --streams gets a guess among the replication\'s streams',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication('  users:\n  incidents:\n') }),
      args: ['run', 'r.yaml', '--streams', 'incidnets'],
      expect: /^pdsync: --streams: "incidnets" is not a stream of r\.yaml: did you mean "incidents"\? expected one of users, incidents\n$/,
    },
    {
      name: 'a typo in a connection name gets a guess',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication().replace('source: PAGERDUTY', 'source: PAGERDUTYY') }),
      expect: /^pdsync: r\.yaml: source: connection "PAGERDUTYY" not found \(.*\): did you mean "PAGERDUTY"\? define it/,
    },
    {
      name: 'an invalid mode names the stream key path and the choices',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication('  incidents:\n    mode: incremantal\n') }),
      expect: /^pdsync: r\.yaml: streams\.incidents\.mode: .*"full-refresh"\|"incremental"/,
    },
    {
      name: 'incremental mode on a stream without an incremental key is refused',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication('  users:\n    mode: incremental\n') }),
      expect: /^pdsync: r\.yaml: streams\.users\.mode: stream "users" has no incremental key.*use full-refresh/,
    },
    {
      name: 'an unknown placeholder in object is named',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication('  users:\n    object: x.{stream}\n') }),
      expect: /^pdsync: r\.yaml: streams\.users\.object: unknown placeholder \{stream\}/,
    },
    {
      name: 'a primary_key that is not a field of the stream is named',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication('  users:\n    primary_key: [idd]\n') }),
      expect: /^pdsync: r\.yaml: streams\.users\.primary_key: "idd" is not a field of users: expected one of id, /,
    },
    {
      name: 'an anchor_date in the future is refused before it could empty a table',
      files: () => ({ 'env.yaml': goodEnv().replace('2020-01-01T00:00:00Z', '2099-01-01T00:00:00Z'), 'r.yaml': replication() }),
      expect: /env\.yaml: connections\.PAGERDUTY\.inputs\.anchor_date: is not in the past/,
    },
    {
      name: 'an unknown connection is named',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication().replace('target: PG', 'target: NOPE') }),
      expect: /^pdsync: r\.yaml: target: connection "NOPE" not found/,
    },
    {
      name: 'a postgres connection as source is refused',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication().replace('source: PAGERDUTY', 'source: PG') }),
      expect: /^pdsync: r\.yaml: source: connection "PG" is of type postgres: expected a PagerDuty connection/,
    },
    {
      name: 'an unset ${VAR} in env.yaml names the variable and its key path',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication() }),
      env: { PAGERDUTY_API_KEY: '' },
      expect: /env\.yaml: connections\.PAGERDUTY\.secrets\.api_key: environment variable PAGERDUTY_API_KEY is not set/,
    },
    {
      name: 'a ${VAR} set to nothing names the variable and its key path',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication() }),
      env: { PAGERDUTY_API_KEY: '', KEEP_EMPTY: '1' },
      expect: /^pdsync: \S*env\.yaml: connections\.PAGERDUTY\.secrets\.api_key: environment variable PAGERDUTY_API_KEY is empty: set it to the value, or remove the key\n$/,
    },
    {
      name: 'an empty secret says what to set it to',
      files: () => ({ 'env.yaml': goodEnv().replace('${PAGERDUTY_API_KEY}', '""'), 'r.yaml': replication() }),
      expect: /^pdsync: \S*env\.yaml: connections\.PAGERDUTY\.secrets\.api_key: is empty: set it to a PagerDuty REST API key, or remove the key\n$/,
    },
    {
      name: 'a bad input value in env.yaml names its key path',
      files: () => ({ 'env.yaml': envYaml('http://127.0.0.1:9', db.url, { rate: 'fast' }), 'r.yaml': replication() }),
      expect: /env\.yaml: connections\.PAGERDUTY\.inputs\.rate: .*number/,
    },
    {
      name: 'a bad anchor_date names its key path and the expected form',
      files: () => ({
        'env.yaml': goodEnv().replace('2020-01-01T00:00:00Z', 'last tuesday'),
        'r.yaml': replication(),
      }),
      expect: /env\.yaml: connections\.PAGERDUTY\.inputs\.anchor_date: expected an ISO date/,
    },
    {
      name: 'a missing --env-file is pdsync\'s error, not Node\'s',
      files: () => ({ 'r.yaml': replication() }),
      args: ['run', 'r.yaml', '--env-file', 'missing.yaml'],
      expect: /^pdsync: missing\.yaml: env file not found \(given by --env-file\)/,
    },
    {
      name: 'an unknown stream in --streams is named',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication() }),
      args: ['run', 'r.yaml', '--streams', 'users,incidents'],
      expect: /^pdsync: --streams: "incidents" is not a stream of r\.yaml/,
    },
    {
      name: 'run without a replication file says how to call it',
      files: () => ({ 'env.yaml': goodEnv() }),
      args: ['run'],
      expect: /^pdsync: run: no replication file/,
    },
    {
      name: 'an unknown option is a usage error',
      files: () => ({ 'env.yaml': goodEnv(), 'r.yaml': replication() }),
      args: ['run', 'r.yaml', '--strems', 'users'],
      expect: /unknown option '--strems'/,
    },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const cwd = workspace(c.files());
      const env = { PAGERDUTY_API_KEY: SIM_KEY, ...c.env };
      if (env.PAGERDUTY_API_KEY === '' && !('KEEP_EMPTY' in env)) delete (env as Record<string, string>).PAGERDUTY_API_KEY;
      const r = await pdsync(c.args ?? ['run', 'r.yaml'], { cwd, env });
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, c.expect);
      const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('('));
      assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
      assert.equal(await db.schemaExists(), false, 'nothing written');
    });
  }
});

describe('a target database that cannot be reached is one line, exit 2, like a wrong password', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0 });
  });
  after(async () => {
    await sim.close();
  });

  for (const [what, url, expect] of [
    ['a refused connection', 'postgresql://postgres@127.0.0.1:9/test', /^pdsync: connection PG: cannot reach PostgreSQL at 127\.0\.0\.1:9: connection refused \(no PostgreSQL listens there\): start the server, or fix the host and port in the url\n$/],
    ['an unknown host', 'postgresql://postgres@no-such-host.invalid/test', /^pdsync: connection PG: cannot reach PostgreSQL at no-such-host\.invalid:5432: no such host \(DNS\): start the server, or fix the host and port in the url\n$/],
  ] as const) {
    test(`${what}: run and state show name the connection and host:port`, async () => {
      const cwd = workspace({ 'env.yaml': envYaml(sim.url, url), 'r.yaml': 'source: PAGERDUTY\ntarget: PG\nstreams:\n  users:\n' });
      for (const args of [['run', 'r.yaml'], ['state', 'show', 'r.yaml']]) {
        const r = await pdsync(args, { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, expect);
      }
    });
  }
});
