import type { Rec } from './refs.js';
import { HOUR, SECOND } from './time.js';

/** What an analytics row is computed from: the incident as stored now and what its log says. */
export interface RowFacts {
  incident: Rec;
  /** Its log entries, oldest first. */
  entries: Rec[];
  notifications: number;
  /** Higher is more urgent; null without a priority. */
  priorityOrder: number | null;
}

/** The account's one incident type (PagerDuty's default). */
const DEFAULT_INCIDENT_TYPE_ID = 'PINCTYP';

const ref = (v: unknown): Rec | undefined => (v && typeof v === 'object' ? (v as Rec) : undefined);
const seconds = (fromMs: number, toMs: number) => Math.floor((toMs - fromMs) / SECOND);
const isUser = (r: Rec | undefined): r is Rec => r?.type === 'user_reference' || r?.type === 'user';

/** Distinct users, in first-seen order. */
function distinctUsers(refs: (Rec | undefined)[]): Rec[] {
  const seen = new Map<string, Rec>();
  for (const r of refs) if (isUser(r) && !seen.has(String(r.id))) seen.set(String(r.id), r);
  return [...seen.values()];
}

/** Interruptions by the hour the incident began (UTC, the account's zone): business, off or sleep hours. */
function interruptions(createdMs: number, notifications: number): Rec {
  const d = new Date(createdMs);
  const hour = d.getUTCHours();
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
  const kind = hour >= 22 || hour < 8 ? 'sleep' : weekend || hour >= 18 ? 'off' : 'business';
  return {
    total_interruptions: notifications,
    business_hour_interruptions: kind === 'business' ? notifications : 0,
    off_hour_interruptions: kind === 'off' ? notifications : 0,
    sleep_hour_interruptions: kind === 'sleep' ? notifications : 0,
  };
}

/** Who acknowledged, each with their first acknowledgement, in order. */
function engagement(createdMs: number, acks: Rec[]) {
  const firstBy = new Map<string, { user: Rec; ms: number }>();
  for (const e of acks) {
    const user = ref(e.agent);
    if (isUser(user) && !firstBy.has(String(user.id))) firstBy.set(String(user.id), { user, ms: Date.parse(String(e.created_at)) });
  }
  const engaged = [...firstBy.values()];
  const several = engaged.length > 1;
  return {
    users: engaged.map((x) => x.user),
    firstAckMs: acks.length > 0 ? Date.parse(String(acks[0]!.created_at)) : null,
    seconds_to_engage: several ? seconds(engaged[0]!.ms, engaged.at(-1)!.ms) : null,
    seconds_to_mobilize: several ? seconds(createdMs, engaged.at(-1)!.ms) : null,
  };
}

/** The people columns: who was assigned, who acknowledged (engaged, joined), who resolved. */
function people(incident: Rec, of: (kind: string) => Rec[], engaged: Rec[], resolvedAt: string | null): Rec {
  const assigned = distinctUsers([
    ...((incident.assignments as Rec[] | undefined) ?? []).map((x) => ref(x.assignee)),
    ...of('notify').map((e) => ref(e.user)),
    ...[...of('escalate'), ...of('assign'), ...of('delegate')].flatMap((e) => ((e.assignees as Rec[] | undefined) ?? []).map(ref)),
    ...engaged,
  ]);
  const resolver = ref(of('resolve')[0]?.agent);
  const byUser = resolvedAt !== null && isUser(resolver) ? resolver : undefined;
  const names = (users: Rec[]) => users.map((u) => String(u.summary));
  return {
    active_user_count: engaged.length,
    engaged_user_count: engaged.length,
    auto_resolved: resolvedAt !== null && !byUser,
    acknowledged_user_ids: engaged.map((u) => u.id),
    acknowledged_user_names: names(engaged),
    assigned_user_ids: assigned.map((u) => u.id),
    assigned_user_names: names(assigned),
    joined_user_ids: engaged.map((u) => u.id),
    joined_user_names: names(engaged),
    resolved_by_user_id: byUser?.id ?? null,
    resolved_by_user_name: byUser?.summary ?? null,
  };
}

/** What the row says of the incident itself: its record's fields and references. */
function described(incident: Rec, priorityOrder: number | null): Rec {
  const [service, team, policy, priority] = [ref(incident.service), ref((incident.teams as unknown[] | undefined)?.[0]), ref(incident.escalation_policy), ref(incident.priority)];
  return {
    id: incident.id,
    incident_number: incident.incident_number,
    created_at: incident.created_at,
    updated_at: incident.updated_at ?? incident.created_at,
    status: incident.status,
    urgency: incident.urgency,
    major: false,
    description: incident.title ?? incident.summary,
    service_id: service?.id ?? null,
    service_name: service?.summary ?? null,
    team_id: team?.id ?? null,
    team_name: team?.summary ?? null,
    escalation_policy_id: policy?.id ?? null,
    escalation_policy_name: policy?.summary ?? null,
    priority_id: priority?.id ?? null,
    priority_name: priority?.summary ?? null,
    priority_order: priority ? priorityOrder : null,
    incident_type_id: DEFAULT_INCIDENT_TYPE_ID,
    incident_type_name: String(ref(incident.incident_type)?.name ?? 'incident_default'),
  };
}

/**
 * One row of POST /analytics/raw/incidents, consistent with the incident and its log: first
 * acknowledgement and resolution from the incident's entries and record, escalations,
 * (re)assignments and snoozes counted from its log entries, notifications from its own.
 */
export function analyticsRow(f: RowFacts): Rec {
  const { incident, entries } = f;
  const of = (kind: string) => entries.filter((e) => e.type === `${kind}_log_entry`);
  const createdMs = Date.parse(String(incident.created_at));
  const resolvedAt = incident.status === 'resolved' && typeof incident.resolved_at === 'string' ? incident.resolved_at : null;
  const resolvedMs = resolvedAt === null ? null : Date.parse(resolvedAt);
  const engaged = engagement(createdMs, of('acknowledge'));
  const escalations = of('escalate').length;
  const reassignments = of('assign').length + of('delegate').length;
  return {
    ...described(incident, f.priorityOrder),
    resolved_at: resolvedAt,
    seconds_to_first_ack: engaged.firstAckMs === null ? null : seconds(createdMs, engaged.firstAckMs),
    seconds_to_resolve: resolvedMs === null ? null : seconds(createdMs, resolvedMs),
    seconds_to_engage: engaged.seconds_to_engage,
    seconds_to_mobilize: engaged.seconds_to_mobilize,
    engaged_seconds: engaged.firstAckMs !== null && resolvedMs !== null ? seconds(engaged.firstAckMs, resolvedMs) : 0,
    snoozed_seconds: of('snooze').length * (HOUR / SECOND),
    user_defined_effort_seconds: null,
    escalation_count: escalations,
    manual_escalation_count: 0,
    timeout_escalation_count: escalations,
    assignment_count: 1 + escalations + reassignments,
    reassignment_count: reassignments,
    acknowledgement_count: of('acknowledge').length,
    total_notifications: f.notifications,
    ...interruptions(createdMs, f.notifications),
    ...people(incident, of, engaged.users, resolvedAt),
  };
}
