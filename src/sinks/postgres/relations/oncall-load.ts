import { inScopeWeeks, type Relation, WEEK } from './relation.js';

/** A user's acknowledgement among log entries: the condition of a partial index, and of the reads it serves. */
const USER_ACK = (alias = '') => `${alias}type = 'acknowledge_log_entry' AND ${alias}agent->>'type' IN ('user', 'user_reference')`;

/** Night, in the user's own time zone: from 22:00 to 07:00. */
const NIGHT = (ts: string, zone: string) => `(extract(hour FROM ${ts} AT TIME ZONE ${zone}) >= 22 OR extract(hour FROM ${ts} AT TIME ZONE ${zone}) < 7)`;

/** The weeks (Mondays, UTC) a span reaches into. */
const WEEKS_OF = (start: string, end: string) => `generate_series(${WEEK(start)}, ${end} - interval '1 microsecond', interval '168 hours')`;

/** Hours on call per user and week; shifts of one user that overlap (two policies, two levels) count once: merged into islands first. */
function hoursOnCall(shifts: string, scope: string | undefined): string {
  // A week's hours need only the shifts overlapping it: islands of those, cut at the week, measure the same.
  const overlapping = scope
    ? ` AND EXISTS (SELECT 1 FROM ${scope} x WHERE x.user_id = sh.user_id AND (x.week IS NULL OR (sh.start < x.week + interval '168 hours' AND sh."end" > x.week)))`
    : '';
  // Summed in exact seconds before dividing, so a week's figure does not depend on how its islands were formed.
  return `SELECT m.user_id, w.week,
                (sum(extract(epoch FROM least(m."end", w.week + interval '168 hours') - greatest(m.start, w.week))) / 3600)::double precision AS hours_on_call
         FROM (
           SELECT user_id, min(start) AS start, max("end") AS "end" FROM (
             SELECT user_id, start, "end", count(*) FILTER (WHERE prev_end IS NULL OR start > prev_end) OVER (PARTITION BY user_id ORDER BY start, "end") AS island
             FROM (SELECT user_id, start, "end", max("end") OVER (PARTITION BY user_id ORDER BY start, "end" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
                   FROM ${shifts} sh WHERE user_id IS NOT NULL AND start IS NOT NULL AND "end" > start${overlapping}) s
           ) islands GROUP BY user_id, island
         ) m
         CROSS JOIN LATERAL ${WEEKS_OF('m.start', 'm."end"')} AS w(week)
         GROUP BY 1, 2`;
}

/**
 * Per user and week: notifications received, those at night in the user's own time zone,
 * incidents acknowledged, and hours on call (from past shifts).
 */
export const oncallLoad: Relation = {
  name: 'oncall_load',
  needs: ['notifications', 'users', 'log_entries'],
  uses: ['oncall_shifts'],
  comment:
    'pdsync: per user and week (Monday, UTC), from notifications, users, log_entries and oncall_shifts: notifications received; night_notifications, those sent between 22:00 and 07:00 in the user\'s own time zone (UTC when it is unknown); incidents_acknowledged, distinct incidents the user acknowledged; hours_on_call, the hours of the week the user was on call by any shift (overlapping shifts count once); team_ids, the user\'s teams.',
  columns: {
    user_id: 'The user.',
    week: 'Monday 00:00 UTC of the week.',
    notifications: 'Notifications sent to the user.',
    night_notifications: 'Those sent 22:00-07:00 in the user\'s time zone.',
    incidents_acknowledged: 'Distinct incidents the user acknowledged.',
    hours_on_call: 'Hours on call by any shift (overlaps count once).',
    team_ids: 'The user\'s teams.',
  },
  key: ['user_id', 'week'],
  indexed: ['week'],
  scope: [{ name: 'user_id', type: 'text' }, { name: 'week', type: 'timestamptz' }],
  sql: (t, available, scope) => {
    const users = scope ? ` WHERE u.id IN (SELECT user_id FROM ${scope})` : '';
    const notifications = scope ? inScopeWeeks(scope, 'user_id', t.notifications!, 'n', 'user_id', 'started_at') : `${t.notifications} n`;
    // Within the scope's scans, the condition matches the partial index, which then serves them alone (index-only).
    const acks = scope ? inScopeWeeks(scope, 'user_id', t.log_entries!, 'l', 'agent_id', 'created_at', USER_ACK('l.')) : `${t.log_entries} l WHERE ${USER_ACK('l.')}`;
    const hours = available('oncall_shifts')
      ? hoursOnCall(t.oncall_shifts!, scope)
      : 'SELECT NULL::text AS user_id, NULL::timestamptz AS week, 0::double precision AS hours_on_call WHERE false';
    return `
    WITH zones AS (
      SELECT u.id, u.team_ids, CASE WHEN EXISTS (SELECT 1 FROM ${t.time_zones} z WHERE z.name = u.time_zone) THEN u.time_zone ELSE 'UTC' END AS zone
      FROM ${t.users} u${users}),
    notified AS (
      SELECT n.user_id, ${WEEK('n.started_at')} AS week, count(*) AS notifications,
             count(*) FILTER (WHERE ${NIGHT('n.started_at', "coalesce(z.zone, 'UTC')")}) AS night_notifications
      FROM ${notifications} LEFT JOIN zones z ON z.id = n.user_id WHERE n.user_id IS NOT NULL GROUP BY 1, 2),
    acknowledged AS (
      SELECT l.agent_id AS user_id, ${WEEK('l.created_at')} AS week, count(DISTINCT l.incident_id) AS incidents_acknowledged
      FROM ${acks} GROUP BY 1, 2),
    hours AS (${hours})
    SELECT user_id, week, coalesce(n.notifications, 0) AS notifications, coalesce(n.night_notifications, 0) AS night_notifications,
           coalesce(a.incidents_acknowledged, 0) AS incidents_acknowledged, coalesce(h.hours_on_call, 0) AS hours_on_call,
           z.team_ids
    FROM notified n FULL JOIN acknowledged a USING (user_id, week) FULL JOIN hours h USING (user_id, week)
    LEFT JOIN zones z ON z.id = user_id
    WHERE user_id IS NOT NULL`;
  },
  inputIndexes: [
    { stream: 'notifications', columns: ['user_id', 'started_at'] },
    { stream: 'log_entries', columns: ['agent_id', 'created_at'], include: ['incident_id'], where: USER_ACK() },
  ],
  touches: {
    notifications: (rows) => `SELECT user_id, ${WEEK('started_at')} FROM ${rows} r WHERE user_id IS NOT NULL AND started_at IS NOT NULL`,
    // A user's time zone and teams are in every week of theirs.
    users: (rows) => `SELECT id, NULL::timestamptz FROM ${rows} r`,
    log_entries: (rows) => `SELECT agent_id, ${WEEK('created_at')} FROM ${rows} r WHERE type = 'acknowledge_log_entry' AND agent_id IS NOT NULL`,
    oncall_shifts: (rows) => `SELECT r.user_id, w FROM ${rows} r CROSS JOIN LATERAL ${WEEKS_OF('r.start', 'r."end"')} AS w
      WHERE r.user_id IS NOT NULL AND r.start IS NOT NULL AND r."end" > r.start`,
  },
};
