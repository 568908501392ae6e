import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, post } from './simulator-client.js';

/** The answers of the six endpoints beyond the lists, for one seed, as text. */
async function answers(seed: number): Promise<string[]> {
  const sim = await startSimulator({ port: 0, seed, dataEnd: DATA_END, now: () => NOW });
  try {
    const [note] = sim.dataset.records('incident_notes', { since: new Date('2026-01-10T00:00:00Z') });
    const incident = String(note!.incident_id);
    const [team] = sim.dataset.ids('teams');
    const out = [
      (await get(sim, `/incidents/${incident}/notes`)).text,
      (await get(sim, `/incidents/${incident}/alerts`, { total: true })).text,
      (await get(sim, `/teams/${team}/members`)).text,
      (await get(sim, '/change_events', { since: '2026-03-01T00:00:00Z', limit: 100 })).text,
      (await get(sim, '/audit/records', { since: '2026-03-01T00:00:00Z', until: '2026-03-31T00:00:00Z', limit: 100 })).text,
      (await post(sim, '/analytics/raw/incidents', { filters: { created_at_start: '2026-03-01T00:00:00Z', created_at_end: '2026-04-01T00:00:00Z' }, limit: 100 })).text,
    ];
    // The truth is as deterministic as the answers.
    for (const stream of ['incident_notes', 'incident_alerts', 'team_members']) out.push(JSON.stringify(sim.dataset.ids(stream)));
    return out;
  } finally {
    await sim.close();
  }
}

test('notes, alerts, members, change events, audit records and analytics: same seed, same bytes; another seed, other data', async () => {
  const [a, b, c] = await Promise.all([answers(42), answers(42), answers(43)]);
  assert.deepEqual(a, b);
  a.forEach((text, k) => assert.notEqual(text, c[k], `answer ${k}`));
});
