import type { Account } from './account.js';
import { refTo } from './account-refs.js';
import { TIME_ZONES } from './names.js';
import { type Rec, head } from './refs.js';
import { WEEK, formatTimestamp } from './time.js';

export function escalationPolicyRecord(a: Account, e: number): Rec {
  const r = a.rng('escalation_policies', e, 2);
  const name = a.org.policyName(e);
  return {
    ...head('escalation_policies', a.id('escalation_policies', e), name),
    name,
    description: `Pages the ${a.org.teamName(a.org.teamOfPolicy(e))} on-call, then escalates`,
    num_loops: r.int(3),
    on_call_handoff_notifications: r.chance(0.8) ? 'if_has_services' : 'always',
    escalation_rules: a.org.rulesOfPolicy(e).map((targets, level) => ({
      id: a.id('escalation_rules', e * 4 + level),
      escalation_delay_in_minutes: [30, 15, 10][level] ?? 10,
      targets: targets.map((t) => refTo(a, t.kind === 'schedule' ? 'schedules' : 'users', t.index)),
    })),
    services: a.org.servicesOfPolicy(e).map((s) => refTo(a, 'services', s)),
    teams: [refTo(a, 'teams', a.org.teamOfPolicy(e))],
  };
}

export function scheduleRecord(a: Account, sc: number): Rec {
  const name = a.org.scheduleName(sc);
  const users = a.org.usersOfSchedule(sc);
  const start = formatTimestamp(a.org.rotationStart(sc));
  return {
    ...head('schedules', a.id('schedules', sc), name),
    schedule_layers: [
      {
        id: a.id('schedule_layers', sc * 4),
        name: 'Layer 1',
        start,
        end: null,
        rotation_virtual_start: start,
        rotation_turn_length_seconds: WEEK / 1000,
        users: users.map((u) => ({ user: refTo(a, 'users', u) })),
        restrictions: [],
      },
    ],
    time_zone: a.rng('schedules', sc, 2).pick(TIME_ZONES),
    name,
    description: `Weekly rotation of ${users.length} people`,
    escalation_policies: a.org.policiesOfSchedule(sc).map((e) => refTo(a, 'escalation_policies', e)),
    users: users.map((u) => refTo(a, 'users', u)),
    teams: [refTo(a, 'teams', a.org.teamOfSchedule(sc))],
  };
}

/** The composite key PagerDuty on-calls are identified by (they have no id). */
export function oncallKey(r: Rec): string {
  const id = (x: unknown) => (x as { id?: string } | null)?.id ?? null;
  return JSON.stringify([id(r.escalation_policy), r.escalation_level, id(r.schedule), id(r.user), r.start ?? null]);
}

/**
 * On-calls overlapping [sinceMs, untilMs), or at sinceMs when the two are equal: each weekly
 * shift of each schedule a policy level pages, and permanent (start and end null) direct users.
 */
export function oncallsOverlapping(a: Account, sinceMs: number, untilMs: number): Rec[] {
  const out: Rec[] = [];
  const endMs = Math.max(untilMs, sinceMs + 1);
  for (let e = 0; e < a.volumes.escalation_policies; e++) {
    const policy = refTo(a, 'escalation_policies', e);
    a.org.rulesOfPolicy(e).forEach((targets, level) => {
      for (const t of targets) {
        const base = { escalation_policy: policy, escalation_level: level + 1 };
        if (t.kind === 'user') {
          out.push({ ...base, schedule: null, user: refTo(a, 'users', t.index), start: null, end: null });
          continue;
        }
        const rotation = a.org.rotationStart(t.index);
        const schedule = refTo(a, 'schedules', t.index);
        const last = Math.ceil((endMs - rotation) / WEEK) - 1;
        for (let w = Math.max(0, a.org.shiftAt(t.index, sinceMs)); w <= last; w++) {
          const user = refTo(a, 'users', a.org.userOfShift(t.index, w));
          const start = formatTimestamp(rotation + w * WEEK);
          out.push({ ...base, schedule, user, start, end: formatTimestamp(rotation + (w + 1) * WEEK) });
        }
      }
    });
  }
  return out;
}
