import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { SimClock } from '../../src/simulator/clock.js';
import { SimulatedDataset } from '../../src/simulator/dataset.js';
import { ApiEndpoints } from '../../src/simulator/endpoints.js';
import { RouteTable } from '../../src/simulator/route-table.js';
import { startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, post } from './simulator-client.js';

test('routes come from the catalogue: a stream is served at its path, in its envelope; one without records to make is not', async () => {
  const real = await loadCatalogue();
  const catalogue = {
    ...real,
    streams: {
      ...real.streams,
      users: { ...real.streams.users!, path: '/people', envelope: 'people' },
      audit_records: { ...real.streams.audit_records!, path: '/audit/trail', envelope: 'trail' },
      some_future_stream: { ...real.streams.tags!, path: '/things' },
    },
  };
  const dataset = new SimulatedDataset({ seed: 42, dataEnd: DATA_END, now: () => NOW, catalogue });
  const endpoints = new ApiEndpoints(catalogue, dataset, new SimClock(() => NOW));
  const answer = (method: string, path: string) => endpoints.answer(method, new URL(`http://sim${path}`), {}, '');
  const people = answer('GET', '/people?limit=3');
  assert.equal(people.status, 200);
  assert.deepEqual(Object.keys(people.body as object), ['people', 'limit', 'offset', 'more', 'total']);
  const trail = answer('GET', '/audit/trail?since=2026-05-01T00:00:00Z&until=2026-05-20T00:00:00Z');
  assert.equal(trail.status, 200);
  assert.ok(((trail.body as Record<string, unknown[]>).trail ?? []).length > 0, 'the cursor list answers in its catalogue envelope');
  for (const path of ['/users', '/audit/records', '/things']) assert.equal(answer('GET', path).status, 404, path);
  assert.equal(answer('POST', '/people').status, 404);
});

test('routes match their method and template, decode {id} and ignore a trailing slash', () => {
  const routes = new RouteTable([
    { method: 'GET', template: '/incidents/{id}/notes', handler: 'notes' },
    { method: 'POST', template: '/analytics/raw/incidents', handler: 'analytics' },
  ] as const);
  assert.deepEqual(routes.match('GET', '/incidents/PABC123/notes/'), { handler: 'notes', params: { id: 'PABC123' } });
  assert.deepEqual(routes.match('GET', '/incidents/a%20b/notes')?.params, { id: 'a b' });
  assert.equal(routes.match('POST', '/incidents/PABC123/notes'), undefined);
  assert.equal(routes.match('GET', '/incidents/PABC123/notes/extra'), undefined);
  assert.equal(routes.match('GET', '/incidents//notes'), undefined);
  assert.equal(routes.match('POST', '/analytics/raw/incidents')?.handler, 'analytics');
});

test('the new endpoints go through the same traffic controls: 401 without a key, the rate limit, injected faults', async () => {
  const sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW, rateLimit: { limit: 3, windowSeconds: 3600 } });
  try {
    const [team] = sim.dataset.ids('teams');
    const body = { filters: { created_at_start: '2026-05-01T00:00:00Z', created_at_end: '2026-06-01T00:00:00Z' } };
    assert.equal((await get(sim, `/teams/${team}/members`, {}, {})).status, 401);
    assert.equal((await post(sim, '/analytics/raw/incidents', body, {})).status, 401);
    sim.setFaults({ rate: 1, kinds: ['http500'], paths: ['/audit/records'] });
    const faulted = await get(sim, '/audit/records');
    assert.equal(faulted.status, 500);
    assert.equal(faulted.headers.get('ratelimit-limit'), '3');
    sim.setFaults(undefined);
    assert.equal((await post(sim, '/analytics/raw/incidents', body)).status, 200);
    assert.equal((await get(sim, `/teams/${team}/members`)).status, 200);
    assert.equal((await get(sim, '/change_events')).status, 429);
  } finally {
    await sim.close();
  }
});
