import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { envelopeFields, recordFields, sortedKeys } from '../support/openapi-fields.js';
import { DATA_END, NOW, type Query, get, ids } from './simulator-client.js';

type Rec = Record<string, unknown>;
const DAY = 86_400_000;
const ms = (v: unknown) => Date.parse(String(v));
const MAY = { since: '2026-04-20T00:00:00Z', until: '2026-05-21T00:00:00Z' };

/** Follows next_cursor from the first page to null, as a client must; returns every page's records. */
async function chain(sim: Simulator, query: Query, between?: (page: number) => void): Promise<Rec[][]> {
  const pages: Rec[][] = [];
  let cursor: string | undefined;
  do {
    const { status, body } = await get(sim, '/audit/records', { ...query, ...(cursor ? { cursor } : {}) });
    assert.equal(status, 200, JSON.stringify(body));
    pages.push(body.records as Rec[]);
    cursor = (body.next_cursor as string | null) ?? undefined;
    between?.(pages.length);
  } while (cursor);
  return pages;
}

describe('simulator audit records', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW });
  });
  after(() => sim.close());

  test('about 3 records a day, newest first, with the OpenAPI AuditRecord fields and millisecond times', async () => {
    assert.equal(sim.dataset.count('audit_records'), 3 * 730);
    const res = await get(sim, '/audit/records', { ...MAY, limit: 100 });
    assert.deepEqual(sortedKeys(res.body), envelopeFields('get', '/audit/records'));
    assert.deepEqual([res.body.limit, res.body.response_metadata], [100, null]);
    const records = res.body.records as Rec[];
    const times = records.map((r) => ms(r.execution_time));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const kinds = new Set(['user_reference', 'team_reference', 'service_reference', 'schedule_reference', 'escalation_policy_reference']);
    for (const r of records) {
      assert.deepEqual(sortedKeys(r), recordFields('get', '/audit/records', 'records'));
      assert.match(String(r.execution_time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.ok(kinds.has(String((r.root_resource as Rec).type)));
      assert.ok(['create', 'update', 'delete'].includes(String(r.action)));
      assert.ok(['browser', 'api_token'].includes(String((r.method as Rec).type)));
      assert.deepEqual(((r.actors as Rec[]) ?? []).map((a) => a.type), ['user_reference']);
      assert.ok(Array.isArray((r.details as Rec).fields));
    }
  });

  test('the cursor chain covers the window once, newest first, and ends with next_cursor null', async () => {
    const pages = await chain(sim, { ...MAY, limit: 7 });
    const all = pages.flat();
    assert.ok(pages.slice(0, -1).every((p) => p.length === 7) && pages.at(-1)!.length <= 7);
    assert.equal(new Set(ids(all)).size, all.length, 'no record twice');
    const truth = sim.dataset.ids('audit_records', { since: new Date(MAY.since), until: new Date(MAY.until) });
    assert.ok(truth.length > 80);
    assert.deepEqual(ids(all), truth);
  });

  test('a record added while the chain is read shows once, and nothing repeats', async () => {
    const [template] = sim.dataset.records('audit_records', { since: new Date(MAY.since), until: new Date(MAY.until) });
    const added = { ...template, id: 'PAUDIT1', execution_time: '2026-04-25T10:00:00.123Z' };
    const all = (await chain(sim, { ...MAY, limit: 10 }, (page) => page === 2 && sim.dataset.addRecord('audit_records', added))).flat();
    assert.equal(new Set(ids(all)).size, all.length);
    assert.equal(ids(all).filter((id) => id === 'PAUDIT1').length, 1);
    sim.dataset.deleteRecord('audit_records', 'PAUDIT1');
  });

  test('by default the last 24 hours before now, 10 at a time', async () => {
    const res = await get(sim, '/audit/records');
    assert.equal(res.body.limit, 10);
    const truth = sim.dataset.ids('audit_records', { since: new Date(NOW.getTime() - DAY), until: NOW });
    assert.deepEqual(ids(res.body.records as Rec[]), truth.slice(0, 10));
  });

  test('a window over 31 days, a bad limit or an unknown cursor is refused with 400', async () => {
    const long = await get(sim, '/audit/records', { since: '2026-04-01T00:00:00Z', until: '2026-05-02T00:00:01Z' });
    assert.deepEqual([long.status, long.body.error?.code], [400, 2001]);
    assert.match(long.body.error!.errors![0]!, /cannot be more than 31 days$/);
    assert.equal((await get(sim, '/audit/records', { since: '2026-04-01T00:00:00Z', until: '2026-05-02T00:00:00Z' })).status, 200);
    for (const limit of [0, 101, 'ten']) assert.deepEqual((await get(sim, '/audit/records', { limit })).body.error?.code, 2001, `limit ${limit}`);
    for (const cursor of ['not-a-cursor', Buffer.from('[1,2]').toString('base64url'), '%%%']) {
      const res = await get(sim, '/audit/records', { cursor });
      assert.deepEqual([res.status, res.body.error?.code], [400, 2001], cursor);
    }
  });

  test('gates: { audit_records: 402 } refuses the audit trail with 402 code 2014, and only it', async () => {
    const gated = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW, gates: { audit_records: 402 } });
    try {
      const res = await get(gated, '/audit/records');
      assert.deepEqual([res.status, res.body.error?.code, res.body.error?.message], [402, 2014, 'Payment Required']);
      assert.equal((await get(gated, '/users')).status, 200);
      gated.setGates({ change_events: 404 });
      assert.equal((await get(gated, '/audit/records')).status, 200);
      assert.equal((await get(gated, '/change_events')).status, 404);
    } finally {
      await gated.close();
    }
  });
});
