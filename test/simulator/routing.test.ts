import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimClock } from '../../src/simulator/clock.js';
import { SimulatedDataset } from '../../src/simulator/dataset.js';
import { ListEndpoints } from '../../src/simulator/list-endpoints.js';
import { RouteTable } from '../../src/simulator/route-table.js';
import { startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, post } from './simulator-client.js';

test('the list endpoints take only the 13 list paths from the catalogue: {id} paths, POSTs and new streams are ignored', () => {
  const dataset = new SimulatedDataset({ seed: 42, dataEnd: DATA_END, now: () => NOW, defaultIncludes: {} });
  const catalogue = {
    users: '/users',
    incident_notes: '/incidents/{id}/notes',
    change_events: '/change_events',
    analytics_incidents: '/analytics/raw/incidents',
    some_future_stream: '/teams/{id}/things',
  };
  const lists = new ListEndpoints(dataset, catalogue, new SimClock(() => NOW));
  const answer = (method: string, path: string) => lists.answer(method, new URL(`http://sim${path}`), {}).status;
  assert.equal(answer('GET', '/users'), 200);
  for (const path of ['/incidents/{id}/notes', '/change_events', '/teams/{id}/things']) assert.equal(answer('GET', path), 404, path);
  assert.equal(answer('POST', '/analytics/raw/incidents'), 404);
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
