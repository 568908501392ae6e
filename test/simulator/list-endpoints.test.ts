import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, ids, listAll } from './simulator-client.js';

const catalogue = await loadCatalogue();
/** Each catalogue stream with a request of its own (oncall_shifts reads the /oncalls of oncalls). */
const SERVED = Object.entries(catalogue.streams).filter(
  ([, s], k, all) => all.findIndex(([, o]) => o.method === s.method && o.path === s.path) === k,
);
/** The classic list endpoints: offset pages of a top-level GET. */
const LISTS = SERVED.filter(([, s]) => s.method === 'GET' && s.paginator === 'offset' && !s.parent);
/** A window every list that requires one accepts (notifications: under 3 months). */
const NOTIFICATION_WINDOW = { since: '2026-04-01T00:00:00Z', until: '2026-06-01T00:00:00Z' };

describe('simulator list endpoints', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW });
  });
  after(() => sim.close());

  test('serves every catalogue stream, and each list in its PagerDuty envelope, as JSON with charset', async () => {
    assert.deepEqual(sim.dataset.streams(), SERVED.map(([name]) => name), 'every catalogue stream has records to serve');
    assert.ok(LISTS.length >= 13, 'at least the 13 lists Sling has');
    for (const [stream, spec] of LISTS) {
      const res = await get(sim, spec.path, spec.window?.required ? NOTIFICATION_WINDOW : {});
      assert.equal(res.status, 200, stream);
      assert.equal(res.contentType, 'application/json; charset=utf-8');
      assert.deepEqual(Object.keys(res.body), [spec.envelope, 'limit', 'offset', 'more', 'total'], stream);
      assert.ok((res.body[spec.envelope] as unknown[]).length > 0, `${stream} has records`);
      assert.equal(res.body.total, null, `${stream}: total only on request`);
    }
  });

  test('limit defaults to 25, is clamped to 100, and total=true counts the list', async () => {
    const first = await get(sim, '/users');
    assert.equal((first.body.users as unknown[]).length, 25);
    assert.deepEqual([first.body.limit, first.body.offset, first.body.more], [25, 0, true]);
    const clamped = await get(sim, '/incidents', { date_range: 'all', limit: 500, total: true });
    assert.equal(clamped.body.limit, 100);
    assert.equal((clamped.body.incidents as unknown[]).length, 100);
    assert.equal(clamped.body.total, sim.dataset.count('incidents'));
    const last = await get(sim, '/users', { offset: 50, limit: 25 });
    assert.equal((last.body.users as unknown[]).length, 10);
    assert.equal(last.body.more, false);
  });

  test('lists without a time field are sorted by id and page without gaps or repeats', async () => {
    const users = await listAll(sim, 'users');
    assert.deepEqual(ids(users), [...ids(users)].sort());
    assert.deepEqual(ids(users), sim.dataset.ids('users'));
    assert.equal(new Set(ids(users)).size, 60);
  });

  test('a non-integer limit or offset is refused with code 2001', async () => {
    for (const query of [{ limit: 'ten' }, { offset: '-1' }, { limit: 0 }, { offset: '2.5' }]) {
      const res = await get(sim, '/users', query);
      assert.equal(res.status, 400, JSON.stringify(query));
      assert.equal(res.body.error?.code, 2001);
    }
  });

  test('an unknown path answers 404 code 2100', async () => {
    const res = await get(sim, '/no-such-path');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: { message: 'Not Found', code: 2100 } });
  });

  test('a missing or wrong key answers 401 code 2006 before anything else; Token and Bearer both work', async () => {
    for (const authorization of [undefined, 'Token token=wrong', 'Token sim-token', 'Bearer wrong']) {
      for (const path of ['/users', '/no-such-path']) {
        const res = await get(sim, path, {}, authorization ? { authorization } : {});
        assert.equal(res.status, 401, `${authorization} ${path}`);
        assert.deepEqual(res.body, { error: { message: 'Authentication failed', code: 2006 } });
      }
    }
    assert.equal((await get(sim, '/users', {}, { authorization: 'Token token=sim-token' })).status, 200);
    assert.equal((await get(sim, '/users', {}, { authorization: 'Bearer sim-token' })).status, 200);
  });

  test('every request is logged server-side with its status and query', async () => {
    const before = sim.requests.length;
    await get(sim, '/teams', { limit: 3, 'include[]': ['a', 'b'] });
    const entry = sim.requests.at(-1)!;
    assert.equal(sim.requests.length, before + 1);
    assert.deepEqual([entry.method, entry.path, entry.status], ['GET', '/teams', 200]);
    assert.deepEqual(new URLSearchParams(entry.query).getAll('include[]'), ['a', 'b']);
    assert.ok(entry.finishedAt >= entry.startedAt);
  });
});

describe('simulator determinism', () => {
  const pages = async (seed: number) => {
    const sim = await startSimulator({ seed, dataEnd: DATA_END, now: () => NOW });
    try {
      const out: string[] = [];
      for (const [path, query] of [
        ['/users', { 'include[]': ['contact_methods'] }],
        ['/incidents', { date_range: 'all', offset: 600, limit: 100 }],
        ['/log_entries', { offset: 2000, limit: 100 }],
        ['/oncalls', {}],
        ['/notifications', NOTIFICATION_WINDOW],
      ] as const) {
        out.push((await get(sim, path, query)).text);
      }
      return out;
    } finally {
      await sim.close();
    }
  };

  test('the same seed and dataEnd give byte-identical pages; another seed gives other data', async () => {
    const [a, b, c] = await Promise.all([pages(42), pages(42), pages(43)]);
    assert.deepEqual(a, b);
    a.forEach((page, k) => assert.notEqual(page, c[k]));
  });
});
