import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { envelopeFields, recordFields, sortedKeys } from '../support/openapi-fields.js';
import { type Body, DATA_END, NOW, ids, post } from './simulator-client.js';

type Rec = Record<string, unknown>;
const PATH = '/analytics/raw/incidents';
const ms = (v: unknown) => Date.parse(String(v));
const HALF_YEAR = { created_at_start: '2025-12-01T00:00:00Z', created_at_end: '2026-06-01T00:00:00Z' };
const range = (f: typeof HALF_YEAR) => ({ since: new Date(f.created_at_start), until: new Date(f.created_at_end) });

/** Every row, following `last` as starting_after until more is false; returns the pages. */
async function pages(sim: Simulator, body: Rec): Promise<Body[]> {
  const out: Body[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await post(sim, PATH, { ...body, ...(after ? { starting_after: after } : {}) });
    assert.equal(res.status, 200, res.text);
    out.push(res.body);
    if (!res.body.more) return out;
    after = res.body.last as string;
  }
}

const rowsOf = (ps: Body[]) => ps.flatMap((p) => p.data as Rec[]);

describe('simulator raw incident analytics', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW });
  });
  after(() => sim.close());

  test('answers the OpenAPI envelope with AnalyticsRawIncident rows; defaults: 20 rows, newest first, by created_at, Etc/UTC', async () => {
    const res = await post(sim, PATH, { filters: HALF_YEAR });
    assert.deepEqual(sortedKeys(res.body), envelopeFields('post', PATH));
    assert.deepEqual([res.body.limit, res.body.order, res.body.order_by, res.body.time_zone, res.body.more], [20, 'desc', 'created_at', 'Etc/UTC', true]);
    assert.deepEqual(res.body.filters, HALF_YEAR);
    const rows = res.body.data as Rec[];
    assert.equal(rows.length, 20);
    assert.deepEqual(ids(rows), sim.dataset.ids('incidents', range(HALF_YEAR)).reverse().slice(0, 20));
    for (const r of rows) assert.deepEqual(sortedKeys(r), recordFields('post', PATH, 'data'));
    assert.equal(typeof res.body.first, 'string');
  });

  test('starting_after: last pages through every incident of the range once, and more is false on the last page', async () => {
    for (const order of ['asc', 'desc']) {
      const ps = await pages(sim, { filters: HALF_YEAR, limit: 70, order });
      assert.equal(ps.at(-1)!.more, false);
      assert.ok(ps.slice(0, -1).every((p) => (p.data as Rec[]).length === 70 && p.more === true));
      const truth = sim.dataset.ids('incidents', range(HALF_YEAR));
      assert.deepEqual(ids(rowsOf(ps)), order === 'asc' ? truth : [...truth].reverse(), `${order}: no row twice, none missing`);
    }
  });

  test('ending_before: first goes back to the page before', async () => {
    const [one, two] = await pages(sim, { filters: HALF_YEAR, limit: 30, order: 'asc' });
    const back = await post(sim, PATH, { filters: HALF_YEAR, limit: 30, order: 'asc', ending_before: two!.first });
    assert.deepEqual(ids(back.body.data as Rec[]), ids(one!.data as Rec[]));
  });

  test('rows agree with the incidents: times, seconds_to_resolve = resolved_at - created_at, service, team, policy', async () => {
    const rows = rowsOf(await pages(sim, { filters: HALF_YEAR, limit: 1000 }));
    const incidents = new Map([...sim.dataset.records('incidents', range(HALF_YEAR))].map((i) => [String(i.id), i]));
    assert.deepEqual(rows, [...sim.dataset.records('analytics_incidents', range(HALF_YEAR))].reverse());
    for (const r of rows) {
      const i = incidents.get(String(r.id))!;
      assert.deepEqual([r.incident_number, r.created_at, r.status, r.urgency, r.major], [i.incident_number, i.created_at, i.status, i.urgency, false]);
      assert.deepEqual([r.service_id, r.team_id, r.escalation_policy_id], [(i.service as Rec).id, (i.teams as Rec[])[0]!.id, (i.escalation_policy as Rec).id]);
      assert.equal(r.priority_id, (i.priority as Rec | null)?.id ?? null);
      if (i.status === 'resolved') assert.equal(r.seconds_to_resolve, (ms(i.resolved_at) - ms(i.created_at)) / 1000);
      else assert.deepEqual([r.resolved_at, r.seconds_to_resolve], [null, null]);
      assert.ok(r.seconds_to_first_ack === null || (r.seconds_to_first_ack as number) >= 0);
      assert.ok((r.assignment_count as number) >= 1 + (r.escalation_count as number));
    }
  });

  test('resolving and acknowledging an incident shows in its row', async () => {
    const filters = { created_at_start: '2026-05-29T00:00:00Z', created_at_end: '2026-06-01T00:00:00Z' };
    const before = rowsOf(await pages(sim, { filters, limit: 1000 }));
    const triggered = before.find((r) => r.status === 'triggered')!;
    const created = ms(triggered.created_at);
    sim.dataset.acknowledgeIncident(String(triggered.id), new Date(created + 60_000));
    sim.dataset.resolveIncident(String(triggered.id), new Date(created + 600_000));
    const row = rowsOf(await pages(sim, { filters, limit: 1000 })).find((r) => r.id === triggered.id)!;
    assert.deepEqual([row.status, row.seconds_to_first_ack, row.seconds_to_resolve, row.acknowledgement_count], ['resolved', 60, 600, 1]);
    assert.equal(ms(row.resolved_at) - ms(row.created_at), 600_000);
  });

  test('filters select by urgency and service', async () => {
    const all = rowsOf(await pages(sim, { filters: HALF_YEAR, limit: 1000 }));
    const high = rowsOf(await pages(sim, { filters: { ...HALF_YEAR, urgency: 'high' }, limit: 1000 }));
    assert.deepEqual(ids(high), ids(all.filter((r) => r.urgency === 'high')));
    const service = String(all[0]!.service_id);
    const one = rowsOf(await pages(sim, { filters: { ...HALF_YEAR, service_ids: [service] }, limit: 7 }));
    assert.deepEqual(ids(one), ids(all.filter((r) => r.service_id === service)));
  });

  test('refusals: bounds missing (2003), over a year apart, a bad limit, order or cursor, or a body that is not JSON (2001)', async () => {
    for (const filters of [{}, { created_at_start: HALF_YEAR.created_at_start }, { created_at_end: HALF_YEAR.created_at_end }]) {
      const res = await post(sim, PATH, { filters });
      assert.deepEqual([res.status, res.body.error?.code], [400, 2003], JSON.stringify(filters));
    }
    const refused = [
      { filters: { created_at_start: '2025-01-01T00:00:00Z', created_at_end: '2026-01-01T00:00:01Z' } },
      { filters: HALF_YEAR, limit: 0 },
      { filters: HALF_YEAR, limit: 1001 },
      { filters: HALF_YEAR, order: 'sideways' },
      { filters: HALF_YEAR, starting_after: 'not-a-cursor' },
      { filters: { ...HALF_YEAR, created_at_start: 'soon' } },
    ];
    for (const body of refused) assert.deepEqual((await post(sim, PATH, body)).body.error?.code, 2001, JSON.stringify(body));
    const year = await post(sim, PATH, { filters: { created_at_start: '2025-01-01T00:00:00Z', created_at_end: '2026-01-01T00:00:00Z' }, limit: 1000 });
    assert.equal(year.status, 200);
    const notJson = await post(sim, PATH, '{"filters": ');
    assert.deepEqual([notJson.status, notJson.body.error?.code], [400, 2001]);
    const get = await fetch(`${sim.url}${PATH}`, { headers: { authorization: 'Token token=sim-token' } });
    assert.equal(get.status, 404, 'POST only');
  });
});
