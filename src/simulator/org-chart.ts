import type { Account } from './account.js';
import { FIRST_NAMES, LAST_NAMES, PRIORITIES, SERVICE_COMPONENTS, TEAM_NAMES, VENDORS, nth } from './names.js';
import { HOUR, WEEK } from './time.js';

/** Who is paged at one escalation level: a schedule's on-call user, or a user directly. */
export interface RuleTarget {
  kind: 'schedule' | 'user';
  index: number;
}

const MONDAY = Date.UTC(1970, 0, 5);
const SCHEDULE_KINDS = ['Primary', 'Secondary', 'Follow-the-Sun', 'Weekend', 'Business Hours'];
const VENDOR_NAMES = VENDORS.map(([name]) => name);

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/**
 * Names of the account's people and things, and how they relate: users in teams, services on
 * escalation policies, policies paging schedules, schedules rotating users weekly. All by index.
 */
export class OrgChart {
  private policiesBySchedule?: number[][];
  private servicesByPolicy?: number[][];

  constructor(private readonly account: Account) {}

  private get v() {
    return this.account.volumes;
  }

  userName(u: number): string {
    const r = this.account.rng('users', u, 1);
    return `${r.pick(FIRST_NAMES)} ${r.pick(LAST_NAMES)}`;
  }

  teamName(t: number): string {
    return nth(TEAM_NAMES, t);
  }

  serviceName(s: number): string {
    return nth(SERVICE_COMPONENTS, s);
  }

  policyName(e: number): string {
    const round = Math.floor(e / this.v.teams);
    return `${this.teamName(this.teamOfPolicy(e))} Escalation Policy${round ? ` ${round + 1}` : ''}`;
  }

  scheduleName(sc: number): string {
    const round = Math.floor(sc / this.v.teams);
    const kind = nth(SCHEDULE_KINDS, round);
    return `${this.teamName(this.teamOfSchedule(sc))} ${kind} Rotation`;
  }

  priorityName(p: number): string {
    return PRIORITIES[p]?.[0] ?? `P${p + 1}`;
  }

  vendorName(v: number): string {
    return nth(VENDOR_NAMES, v);
  }

  teamsOfUser(u: number): number[] {
    const r = this.account.rng('users', u, 2);
    return r.distinct(this.v.teams, 1 + r.int(2)).sort((a, b) => a - b);
  }

  teamOfPolicy(e: number): number {
    return e % this.v.teams;
  }

  policyOfService(s: number): number {
    return this.account.rng('services', s, 1).int(this.v.escalation_policies);
  }

  teamOfService(s: number): number {
    return this.teamOfPolicy(this.policyOfService(s));
  }

  teamOfSchedule(sc: number): number {
    return sc % this.v.teams;
  }

  usersOfSchedule(sc: number): number[] {
    const r = this.account.rng('schedules', sc, 1);
    return r.distinct(this.v.users, 2 + r.int(5));
  }

  /** Where week 0 of a schedule's rotation starts: a Monday morning before the data span. */
  rotationStart(sc: number): number {
    const monday = MONDAY + Math.floor((this.account.startMs - MONDAY) / WEEK) * WEEK;
    return monday - WEEK + (8 + (sc % 4)) * HOUR;
  }

  /** The schedule's week number at `ms` (shift w runs [start + w weeks, start + w + 1 weeks)). */
  shiftAt(sc: number, ms: number): number {
    return Math.floor((ms - this.rotationStart(sc)) / WEEK);
  }

  userOfShift(sc: number, shift: number): number {
    const users = this.usersOfSchedule(sc);
    return users[mod(shift, users.length)]!;
  }

  /** Escalation rules, level 1 first: a schedule, then a schedule or a user, then a manager. */
  rulesOfPolicy(e: number): RuleTarget[][] {
    const r = this.account.rng('escalation_policies', e, 1);
    const levels = 1 + r.int(3);
    const rules: RuleTarget[][] = [[{ kind: 'schedule', index: r.int(this.v.schedules) }]];
    if (levels > 1) {
      rules.push([r.chance(0.5) ? { kind: 'schedule', index: r.int(this.v.schedules) } : { kind: 'user', index: r.int(this.v.users) }]);
    }
    if (levels > 2) rules.push([{ kind: 'user', index: r.int(this.v.users) }]);
    return rules;
  }

  /** The user a level of a policy pages at `ms`. */
  userPagedAt(e: number, level: number, ms: number): number {
    const rules = this.rulesOfPolicy(e);
    const target = rules[Math.min(level, rules.length - 1)]![0]!;
    return target.kind === 'user' ? target.index : this.userOfShift(target.index, this.shiftAt(target.index, ms));
  }

  policiesOfSchedule(sc: number): number[] {
    this.policiesBySchedule ??= this.invert(this.v.schedules, this.v.escalation_policies, (e) =>
      this.rulesOfPolicy(e).flat().filter((t) => t.kind === 'schedule').map((t) => t.index),
    );
    return this.policiesBySchedule[sc]!;
  }

  servicesOfPolicy(e: number): number[] {
    this.servicesByPolicy ??= this.invert(this.v.escalation_policies, this.v.services, (s) => [this.policyOfService(s)]);
    return this.servicesByPolicy[e]!;
  }

  /** For each of `size` targets, the sources pointing at it (once each, ascending). */
  private invert(size: number, sources: number, targetsOf: (source: number) => number[]): number[][] {
    const out = Array.from({ length: size }, () => [] as number[]);
    for (let s = 0; s < sources; s++) {
      for (const t of new Set(targetsOf(s))) out[t]!.push(s);
    }
    return out;
  }
}
