import { inScopeWeeks, type Relation, scopeRanges, WEEK } from './relation.js';

/**
 * Change events on one service, or on several: the conditions of two partial indexes, and of the
 * reads they serve (a btree entry holds at most ~2.7 kB: an index of whole service_ids arrays
 * would refuse an event on hundreds of services, and with it the load).
 */
const onServices = (how: 'one' | 'several', alias = '') => `cardinality(${alias}service_ids) ${how === 'one' ? '= 1' : '> 1'}`;

/** Hours within which an incident on a service counts a change to it as failed. */
export const CHANGE_FAILURE_HOURS = 24;

const stats = (col: string, name: string) => `
           avg(${col})::double precision AS ${name}_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ${col}) AS ${name}_median,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY ${col}) AS ${name}_p90`;

/**
 * The change events of the scopes (as `c`, beside their range `r`), read per range so a listen
 * batch reads its weeks, not the history: those of the service alone by a partial index on
 * (service_ids, timestamp), those of several services by a partial index on their time (few).
 * GIN on service_ids cannot bound the time: a service's every change, read for each week.
 */
function changesInScope(changeEvents: string, scope: string): string {
  return `(${scopeRanges(scope, 'service_id')}) r CROSS JOIN LATERAL (
           SELECT c.timestamp, c.service_ids FROM ${changeEvents} c
            WHERE ${onServices('one', 'c.')} AND c.service_ids = ARRAY[r.key] AND c.timestamp >= r.lo AND c.timestamp < r.hi
           UNION ALL
           SELECT c.timestamp, c.service_ids FROM ${changeEvents} c
            WHERE ${onServices('several', 'c.')} AND c.timestamp >= r.lo AND c.timestamp < r.hi AND r.key = ANY (c.service_ids)) c`;
}

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
    const failed = (service: string) => `count(*) FILTER (WHERE EXISTS (
                  SELECT 1 FROM ${t.incidents} i WHERE i.service_id = ${service}
                    AND i.created_at >= c.timestamp AND i.created_at < c.timestamp + interval '${CHANGE_FAILURE_HOURS} hours')) AS failed_changes`;
    const changes = !available('change_events')
      ? 'SELECT NULL::text AS service_id, NULL::timestamptz AS week, 0::bigint AS change_events, 0::bigint AS failed_changes WHERE false'
      : scope
        ? `SELECT r.key AS service_id, ${WEEK('c.timestamp')} AS week, count(*) AS change_events, ${failed('r.key')}
         FROM ${changesInScope(t.change_events!, scope)} CROSS JOIN LATERAL unnest(c.service_ids) AS s(id) WHERE s.id = r.key GROUP BY 1, 2`
        : `SELECT s.id AS service_id, ${WEEK('c.timestamp')} AS week, count(*) AS change_events, ${failed('s.id')}
         FROM ${t.change_events} c CROSS JOIN LATERAL unnest(c.service_ids) AS s(id) GROUP BY 1, 2`;
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
  // A few services' weeks among 100k incidents and their changes: the failed-change probe, the change events by service and time.
  inputIndexes: [
    { stream: 'incidents', columns: ['service_id', 'created_at'] },
    { stream: 'change_events', columns: ['service_ids', 'timestamp'], where: onServices('one') },
    { stream: 'change_events', columns: ['timestamp'], where: onServices('several') },
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
