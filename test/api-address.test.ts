import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../src/simulator/server.js';
import { envYaml, pdsync, SIM_KEY, workspace } from './support/cli.js';
import { type TestDatabase, testDatabase } from './support/database.js';

/** A server on an ephemeral port of 127.0.0.1, closed with its open connections. */
async function listening(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on: one the system gave a server that is closed again. */
async function closedPort(): Promise<string> {
  const s = await listening(createTcpServer());
  await s.close();
  return s.url;
}

/**
 * Before any stream starts, the run proves that PagerDuty answers at the configured address: an
 * address that does not answer ends the run in one line naming it (exit 1), one that answers but
 * not as PagerDuty's API in one line naming inputs.base_url (exit 2); neither leaves anything in
 * the target, not even staging tables, and no stream, relation or rate advice line is printed.
 */
describe('the address check: PagerDuty must answer at base_url before anything runs', () => {
  let sim: Simulator;
  let db: TestDatabase;
  before(async () => {
    sim = await startSimulator({ port: 0 });
    db = await testDatabase('address');
  });
  after(async () => {
    await sim.close();
    await db.drop();
  });

  const replication = () => `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${db.schema}.{stream_name}\nstreams:\n  '*':\n`;

  async function runAgainst(baseUrl: string, inputs: Record<string, number> = {}) {
    const cwd = workspace({ 'env.yaml': envYaml(baseUrl, db.url, inputs), 'replication.yaml': replication() });
    const r = await pdsync(['run', 'replication.yaml'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /relations:|inputs\.rate|started|\n\s+at /);
    assert.deepEqual(await db.relations(), [], 'nothing in the target: no staging table, no bookkeeping');
    return r;
  }

  test('a refused connection names the connection and the address, exit 1', async () => {
    const url = await closedPort();
    const r = await runAgainst(url);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `pdsync: PAGERDUTY: cannot reach the PagerDuty API at ${url}: connection refused (nothing listens there)\n`);
  });

  test('a base_url ending in /v2 names inputs.base_url and the API root, exit 2; no stream is called plan-gated', async () => {
    sim.resetLog();
    const r = await runAgainst(`${sim.url}/v2`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^pdsync: PAGERDUTY: inputs\.base_url http:\/\/127\.0\.0\.1:\d+\/v2 does not answer as the PagerDuty API: GET \/abilities answered 404: set it to the API root \(https:\/\/api\.pagerduty\.com.*without \/v2\n$/);
    assert.deepEqual(sim.requests.map((e) => e.path), ['/v2/abilities'], 'one request, no stream');
  });

  test('a server that accepts but never answers ends the run at the deadline, exit 1', async () => {
    const silent = await listening(createTcpServer(() => undefined));
    try {
      const r = await runAgainst(silent.url, { timeout: 1500 });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `pdsync: PAGERDUTY: cannot reach the PagerDuty API at ${silent.url}: no answer within 1.5 s\n`);
    } finally {
      await silent.close();
    }
  });

  test('a server answering HTML is not PagerDuty: inputs.base_url is named, exit 2', async () => {
    const html = await listening(createHttpServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Welcome</title>')));
    try {
      const r = await runAgainst(html.url);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(
        r.stderr,
        `pdsync: PAGERDUTY: inputs.base_url ${html.url} does not answer as the PagerDuty API: GET /abilities answered 200 with an HTML page: set it to the API root (https://api.pagerduty.com, or https://api.eu.pagerduty.com), without /v2\n`,
      );
    } finally {
      await html.close();
    }
  });

  test('conns test says the same of a wrong base_url', async () => {
    const cwd = workspace({ 'env.yaml': envYaml(`${sim.url}/v2`, db.url) });
    const r = await pdsync(['conns', 'test', 'PAGERDUTY'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^pdsync: PAGERDUTY: inputs\.base_url \S+\/v2 does not answer as the PagerDuty API/);
  });
});
