import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startSimulator } from '../../src/simulator/server.js';
import { DATA_END, NOW, get, ids, listAll } from './simulator-client.js';

const CAP_MESSAGE = 'Offset+limit exceeds maximum allowed value of 10000. Please use cursor-based pagination or narrow your search.';

describe('simulator 10,000 offset cap', () => {
  test('offset+limit over 10,000 is refused with code 2002; narrower windows return the rest', async () => {
    const sim = await startSimulator({ port: 0, volume: { log_entries: 20_000 }, dataEnd: DATA_END, now: () => NOW });
    try {
      assert.equal((await get(sim, '/log_entries', { offset: 9900, limit: 100 })).status, 200);
      const over = await get(sim, '/log_entries', { offset: 9901, limit: 100 });
      assert.equal(over.status, 400);
      assert.deepEqual(over.body, { error: { message: 'Arguments Caused Error', code: 2002, errors: [CAP_MESSAGE] } });
      // Three windows of under 10,000 entries each cover the whole stream.
      const start = DATA_END.getTime() - 730 * 86_400_000;
      const cuts = [start, start + 250 * 86_400_000, start + 500 * 86_400_000, DATA_END.getTime()];
      const seen: string[] = [];
      for (let k = 0; k + 1 < cuts.length; k++) {
        const window = { since: new Date(cuts[k]!).toISOString(), until: new Date(cuts[k + 1]!).toISOString() };
        const total = (await get(sim, '/log_entries', { ...window, limit: 1, total: true })).body.total as number;
        assert.ok(total < 10_000, `window ${k} holds ${total}`);
        seen.push(...ids(await listAll(sim, 'log_entries', window)));
      }
      assert.equal(new Set(seen).size, 20_000);
      assert.deepEqual([...seen].sort(), [...sim.dataset.ids('log_entries')].sort());
    } finally {
      await sim.close();
    }
  });

  test('a burst puts 17,000 extra incidents in one day, more than one day-window can page', async () => {
    const sim = await startSimulator({
      port: 0, dataEnd: DATA_END, now: () => NOW, burst: { stream: 'incidents', day: '2026-03-10', count: 17_000 },
    });
    try {
      const day = { since: '2026-03-10T00:00:00Z', until: '2026-03-11T00:00:00Z' };
      const total = (await get(sim, '/incidents', { ...day, total: true, limit: 1 })).body.total as number;
      assert.ok(total >= 17_000 && total < 17_010, String(total));
      assert.equal(sim.dataset.count('incidents'), 1200 + 17_000);
      assert.equal((await get(sim, '/incidents', { ...day, offset: 9950, limit: 100 })).body.error?.code, 2002);
      const hour = await get(sim, '/incidents', { since: '2026-03-10T05:00:00Z', until: '2026-03-10T06:00:00Z', total: true });
      assert.ok((hour.body.total as number) > 600 && (hour.body.total as number) < 800);
      const times = (await listAll(sim, 'incidents', { since: '2026-03-10T05:00:00Z', until: '2026-03-10T05:10:00Z' })).map((r) =>
        Date.parse(String(r.created_at)),
      );
      assert.equal(new Set(times).size, times.length, 'distinct seconds: a window split down to the second stays exact');
    } finally {
      await sim.close();
    }
  });

  test('a lazily generated 1,000,000-entry log serves pages from the middle, matching the truth', async () => {
    const sim = await startSimulator({ port: 0, volume: { log_entries: 1_000_000 }, dataEnd: DATA_END, now: () => NOW });
    try {
      const window = { since: '2025-06-01T00:00:00Z', until: '2025-06-08T00:00:00Z' };
      const res = await get(sim, '/log_entries', { ...window, offset: 500, limit: 100, total: true });
      assert.equal(res.status, 200);
      assert.ok((res.body.total as number) > 1000);
      const page = res.body.log_entries as Record<string, unknown>[];
      assert.equal(page.length, 100);
      const truth: string[] = [];
      for (const r of sim.dataset.records('log_entries', { since: new Date(window.since), until: new Date(window.until) })) {
        truth.push(String(r.id));
        if (truth.length === 600) break;
      }
      assert.deepEqual(ids(page), truth.slice(500));
      const mid = await get(sim, '/log_entries', { offset: 9900, limit: 100, total: true });
      assert.equal(mid.body.total, 1_000_000);
      const times = (mid.body.log_entries as Record<string, unknown>[]).map((r) => Date.parse(String(r.created_at)));
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
    } finally {
      await sim.close();
    }
  });
});
