import type { Account } from './account.js';
import { INCIDENT_TITLES } from './names.js';
import { HOUR, MINUTE, SECOND, DAY } from './time.js';
import type { TimeIndex } from './timeline.js';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

/** The facts of one incident that its record, its log entries and its notifications all agree on. */
export interface IncidentFacts {
  createdMs: number;
  /** Incident lifetime: its log entries fall in [created, created + duration), before the next incident. */
  durationMs: number;
  service: number;
  policy: number;
  team: number;
  priority: number | null;
  urgency: 'high' | 'low';
  title: string;
  status: IncidentStatus;
  /** The level-1 on-call user when the incident was created: assignee, acknowledger, resolver. */
  responder: number;
  /** Resolved by its service (auto-resolve) rather than by the responder. */
  autoResolved: boolean;
  /** Acknowledged at some point (for resolved incidents, before the resolve). */
  acknowledged: boolean;
}

/** Incidents this close to the end of the data may still be open. */
const OPEN_WINDOW = 2 * DAY;

export function incidentTitle(a: Account, i: number): string {
  const template = a.rng('incidents', i, 3).pick(INCIDENT_TITLES);
  return template.replace('{s}', a.org.serviceName(serviceOfIncident(a, i)));
}

export function serviceOfIncident(a: Account, i: number): number {
  return a.rng('incidents', i, 5).int(a.volumes.services);
}

/** Creation time and lifetime only: cheap, for the binary searches over log entry times. */
function incidentClock(a: Account, i: number): { createdMs: number; durationMs: number } {
  const createdMs = a.incidentTimes.msAt(i);
  const nextMs = i + 1 < a.volumes.incidents ? a.incidentTimes.msAt(i + 1) : a.endMs;
  const r = a.rng('incidents', i, 4).next();
  // Long enough for every log entry and notification to get a second of its own, when the next incident allows.
  const entries = Math.max(a.logEntrySlots.count(i), a.notificationSlots.count(i)) * SECOND;
  const wanted = Math.max(entries, 2 * MINUTE + Math.floor((r * r * r * 8 * HOUR) / SECOND) * SECOND);
  return { createdMs, durationMs: Math.max(SECOND, Math.min(wanted, nextMs - createdMs)) };
}

export function incidentFacts(a: Account, i: number): IncidentFacts {
  const clock = incidentClock(a, i);
  const open = a.endMs - clock.createdMs < OPEN_WINDOW;
  return factsOf(a, i, clock, open ? undefined : 'resolved');
}

/** An incident created after the data was generated (by a test's mutation): triggered at `createdMs`. */
export function newIncidentFacts(a: Account, i: number, createdMs: number): IncidentFacts {
  return factsOf(a, i, { createdMs, durationMs: SECOND }, 'triggered');
}

/** The facts drawn for incident index i; the status is drawn too unless given. */
function factsOf(a: Account, i: number, clock: { createdMs: number; durationMs: number }, fixed: IncidentStatus | undefined): IncidentFacts {
  const { createdMs, durationMs } = clock;
  const r = a.rng('incidents', i, 1);
  const service = serviceOfIncident(a, i);
  const policy = a.org.policyOfService(service);
  const status: IncidentStatus = fixed ?? r.weighted([['triggered', 3], ['acknowledged', 3], ['resolved', 4]]);
  const priorities = a.volumes.priorities;
  const priority = priorities > 0 && r.chance(0.6) ? Math.min(priorities - 1, r.int(priorities) + r.int(2)) : null;
  return {
    createdMs,
    durationMs,
    service,
    policy,
    team: a.org.teamOfService(service),
    priority,
    urgency: r.chance(0.75) ? 'high' : 'low',
    title: incidentTitle(a, i),
    status,
    responder: a.org.userPagedAt(policy, 0, createdMs),
    autoResolved: status === 'resolved' && r.chance(0.25),
    acknowledged: status === 'acknowledged' || (status === 'resolved' && r.chance(0.7)),
  };
}

/**
 * Time of the k-th of an incident's `count` log entries: the first at creation, the last at the
 * end of its lifetime (the resolve, if resolved), the rest spread in between.
 */
export function entryMs(clock: { createdMs: number; durationMs: number }, k: number, count: number): number {
  if (count < 2) return clock.createdMs;
  const spanS = clock.durationMs / SECOND - 1;
  return clock.createdMs + Math.floor((k * spanS) / (count - 1)) * SECOND;
}

/** Time of the k-th of an incident's `count` notifications: within its first half hour (or `count` seconds). */
export function notificationMs(clock: { createdMs: number; durationMs: number }, k: number, count: number): number {
  const spanS = Math.max(1, Math.min(clock.durationMs / SECOND, Math.max(count, 30 * MINUTE / SECOND)));
  return clock.createdMs + Math.floor((k * spanS) / count) * SECOND;
}

/** Times of all log entries, in index order (non-decreasing). */
export function logEntryTimes(a: Account): TimeIndex {
  const slots = a.logEntrySlots;
  return {
    length: slots.children,
    msAt: (j) => {
      const i = slots.parentOf(j);
      return entryMs(incidentClock(a, i), j - slots.first(i), slots.count(i));
    },
  };
}

export function notificationTimes(a: Account): TimeIndex {
  const slots = a.notificationSlots;
  return {
    length: slots.children,
    msAt: (j) => {
      const i = slots.parentOf(j);
      return notificationMs(incidentClock(a, i), j - slots.first(i), slots.count(i));
    },
  };
}
