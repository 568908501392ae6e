import { inScopeWeek, inScopeWeeks, type Relation, WEEK } from './relation.js';

/** Hours within which an incident on a service counts a change to it as failed. */
export const CHANGE_FAILURE_HOURS = 24;

const stats = (col: string, name: string) => `
           avg(${col})::double precision AS ${name}_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ${col}) AS ${name}_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY ${col}) AS ${name}_p90`;

/**
 * Per service and week: incidents, high-urgency incidents, MTTA and MTTR (mean, median, p90), and
 * the DORA pair from PagerDuty data alone: the median time to restore, and the change failure rate.
 */
export const serviceWeekly: Relation = {
  name: 'service_weekly',
  needs: ['incidents', 'log_entries'],
  uses: ['change_events', 'services'],
  after: ['incident_metrics'],
  comment: `pdsync: per service and week (Monday, UTC), from incident_metrics and change_events: incidents, high-urgency incidents, time to acknowledge and to resolve in seconds (mean, median, p90); median_time_to_restore (DORA) is the median seconds to resolve; change_failure_rate is the share of the week's change events on the service followed by an incident on it within ${CHANGE_FAILURE_HOURS} hours; team_ids are the service's teams (from services).`,
  columns: {
    service_id: 'The service.',
    week: 'Monday 00:00 UTC of the week.',
    incidents: 'Incidents created in the week.',
    high_urgency_incidents: 'Those of high urgency.',
    seconds_to_ack_mean: 'Mean seconds to first acknowledgement.',
    seconds_to_ack_median: 'Median seconds to first acknowledgement.',
    seconds_to_ack_p90: '90th percentile of seconds to first acknowledgement.',
    seconds_to_resolve_mean: 'Mean seconds to resolve.',
    seconds_to_resolve_median: 'Median seconds to resolve.',
    seconds_to_resolve_p90: '90th percentile of seconds to resolve.',
    median_time_to_restore: 'DORA time to restore: the median seconds to resolve.',
    change_events: 'Change events on the service in the week.',
    failed_changes: `Those followed by an incident on the service within ${CHANGE_FAILURE_HOURS} hours.`,
    change_failure_rate: 'failed_changes / change_events; null without changes.',
    team_ids: 'The service\'s teams.',
  },
  key: ['service_id', 'week'],
  indexed: ['week'],
  scope: [{ name: 'service_id', type: 'text' }, { name: 'week', type: 'timestamptz' }],
  sql: (t, available, scope) => {
    const metrics = scope ? inScopeWeeks(scope, 'service_id', t.incident_metrics!, 'm', 'service_id', 'created_at') : `${t.incident_metrics} m`;
    // The scopes' time span bounds the change events read (a scope without a week spans all time).
    const span = (f: 'min' | 'max', week: string, none: string) => `(SELECT ${f}(coalesce(${week}, '${none}'::timestamptz)) FROM ${scope})`;
    const changesIn = scope
      ? ` WHERE c.service_ids && (SELECT array_agg(service_id) FROM ${scope})
          AND c.timestamp >= ${span('min', 'week', '-infinity')} AND c.timestamp < ${span('max', `week + interval '168 hours'`, 'infinity')}
          AND ${inScopeWeek(scope, 'service_id', 's.id', 'c.timestamp')}`
      : '';
    const changes = available('change_events')
      ? `SELECT s.id AS service_id, ${WEEK('c.timestamp')} AS week, count(*) AS change_events,
                count(*) FILTER (WHERE EXISTS (
                  SELECT 1 FROM ${t.incidents} i WHERE i.service_id = s.id
                    AND i.created_at >= c.timestamp AND i.created_at < c.timestamp + interval '${CHANGE_FAILURE_HOURS} hours')) AS failed_changes
         FROM ${t.change_events} c CROSS JOIN LATERAL unnest(c.service_ids) AS s(id)${changesIn} GROUP BY 1, 2`
      : 'SELECT NULL::text AS service_id, NULL::timestamptz AS week, 0::bigint AS change_events, 0::bigint AS failed_changes WHERE false';
    return `
    WITH incidents AS (
      SELECT m.service_id, ${WEEK('m.created_at')} AS week, count(*) AS incidents,
             count(*) FILTER (WHERE urgency = 'high') AS high_urgency_incidents,${stats('seconds_to_first_ack', 'seconds_to_ack')},${stats('seconds_to_resolve', 'seconds_to_resolve')}
      FROM ${metrics} GROUP BY 1, 2),
    changes AS (${changes})
    SELECT service_id, week, coalesce(i.incidents, 0) AS incidents, coalesce(i.high_urgency_incidents, 0) AS high_urgency_incidents,
           i.seconds_to_ack_mean, i.seconds_to_ack_median, i.seconds_to_ack_p90,
           i.seconds_to_resolve_mean, i.seconds_to_resolve_median, i.seconds_to_resolve_p90,
           i.seconds_to_resolve_median AS median_time_to_restore,
           coalesce(c.change_events, 0) AS change_events, coalesce(c.failed_changes, 0) AS failed_changes,
           c.failed_changes::double precision / nullif(c.change_events, 0) AS change_failure_rate,
           ${available('services') ? 's.team_ids' : 'NULL::text[]'} AS team_ids
    FROM incidents i FULL JOIN changes c USING (service_id, week)
    ${available('services') ? `LEFT JOIN ${t.services} s ON s.id = service_id` : ''}
    WHERE service_id IS NOT NULL`;
  },
  // A few services' weeks among 100k incidents: the failed-change probe and the change events by time.
  inputIndexes: [
    { stream: 'incidents', columns: ['service_id', 'created_at'] },
    { stream: 'change_events', columns: ['timestamp'] },
  ],
  touches: {
    incident_metrics: (rows) => `SELECT service_id, ${WEEK('created_at')} FROM ${rows} r WHERE service_id IS NOT NULL AND created_at IS NOT NULL`,
    // An incident fails the changes made on its service in the day before it.
    incidents: (rows) => `SELECT r.service_id, w FROM ${rows} r
      CROSS JOIN LATERAL (VALUES (${WEEK('r.created_at')}), (${WEEK(`r.created_at - interval '${CHANGE_FAILURE_HOURS} hours'`)})) v(w)
      WHERE r.service_id IS NOT NULL AND r.created_at IS NOT NULL`,
    change_events: (rows) => `SELECT s.id, ${WEEK('r.timestamp')} FROM ${rows} r CROSS JOIN LATERAL unnest(r.service_ids) AS s(id) WHERE r.timestamp IS NOT NULL`,
    // A service's teams are in every week of it.
    services: (rows) => `SELECT id, NULL::timestamptz FROM ${rows} r`,
  },
};
