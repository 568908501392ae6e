import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Simulator, startSimulator } from '../../src/simulator/server.js';
import { type Catalogue } from '../../src/catalogue/catalogue.js';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { DATA_END, NOW } from './simulator-client.js';

/** Columns PagerDuty fills only on request or for kinds the simulator does not generate. */
const NOT_GENERATED: Record<string, string[]> = {
  schedules: ['final_schedule', 'overrides_subschedule', 'next_oncall_for_user'],
  log_entries: ['changeset'],
};

/** Audit records' execution_time has milliseconds, as PagerDuty's does. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
/** Keyed by a pair (on-calls, team members), or by the incident's own id (analytics rows). */
const NOT_ID_KEYED = ['oncalls', 'team_members', 'analytics_incidents'];

function fitsType(value: unknown, type: string): boolean {
  if (value === null) return true;
  switch (type) {
    case 'timestamptz': return typeof value === 'string' && TIMESTAMP.test(value);
    case 'bigint': return Number.isSafeInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'jsonb': return typeof value === 'object';
    default: return typeof value === 'string';
  }
}

describe('simulator record shapes', () => {
  let sim: Simulator;
  let catalogue: Catalogue;
  before(async () => {
    catalogue = await loadCatalogue();
    sim = await startSimulator({ port: 0, dataEnd: DATA_END, now: () => NOW });
  });
  after(() => sim.close());

  /** The dataset stream holding a catalogue stream's records: its own, or the one read from the same path (oncall_shifts: oncalls). */
  const truthOf = (stream: string) => {
    const served = sim.dataset.streams();
    if (served.includes(stream)) return stream;
    const path = catalogue.streams[stream]!.path;
    const same = Object.entries(catalogue.streams).find(([name, s]) => s.path === path && served.includes(name));
    assert.ok(same, `${stream}: the simulator serves nothing at ${path}`);
    return same[0];
  };

  test('every stream fills each catalogue column with a value of the column type', () => {
    for (const [stream, spec] of Object.entries(catalogue.streams)) {
      const seen = new Set<string>();
      for (const record of sim.dataset.records(truthOf(stream))) {
        for (const [column, { type }] of Object.entries(spec.columns)) {
          if (!(column in record)) continue;
          seen.add(column);
          assert.ok(fitsType(record[column], type), `${stream}.${column}: ${JSON.stringify(record[column])} is not ${type}`);
        }
      }
      const missing = Object.keys(spec.columns).filter((c) => !seen.has(c) && !NOT_GENERATED[stream]?.includes(c));
      assert.deepEqual(missing, [], `${stream}: columns never filled`);
    }
  });

  test('ids look like PagerDuty ids (alerts have the newer 14-character kind) and are unique across all streams', () => {
    const all: string[] = [];
    for (const stream of sim.dataset.streams().filter((s) => !NOT_ID_KEYED.includes(s))) {
      for (const id of sim.dataset.ids(stream)) {
        assert.match(id, stream === 'incident_alerts' ? /^Q[0-9A-Z]{13}$/ : /^P[0-9A-Z]{6}$/);
        all.push(id);
      }
    }
    assert.equal(new Set(all).size, all.length);
  });

  test('references point at records that exist', () => {
    const exists = (stream: string) => new Set(sim.dataset.ids(stream));
    const [services, policies, teams, users, priorities] = ['services', 'escalation_policies', 'teams', 'users', 'priorities'].map(exists);
    for (const incident of sim.dataset.records('incidents')) {
      assert.ok(services!.has((incident.service as { id: string }).id));
      assert.ok(policies!.has((incident.escalation_policy as { id: string }).id));
      assert.ok(teams!.has((incident.teams as { id: string }[])[0]!.id));
      const priority = incident.priority as { id: string } | null;
      if (priority) assert.ok(priorities!.has(priority.id));
    }
    for (const service of sim.dataset.records('services')) assert.ok(policies!.has((service.escalation_policy as { id: string }).id));
    for (const n of sim.dataset.records('notifications')) assert.ok(users!.has((n.user as { id: string }).id));
  });

  test('incidents are mostly resolved; open ones are from the last days', () => {
    const incidents = [...sim.dataset.records('incidents')];
    const open = incidents.filter((r) => r.status !== 'resolved');
    assert.ok(open.length > 0 && open.length < incidents.length / 50);
    for (const r of open) assert.ok(Date.parse(String(r.created_at)) > DATA_END.getTime() - 2 * 86_400_000);
    for (const r of incidents.filter((x) => x.status === 'resolved')) assert.ok(String(r.resolved_at) >= String(r.created_at));
  });
});
