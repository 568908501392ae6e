/** The questions `pdsync demo` answers from the synced tables, to show what the data is good for. */
export const DEMO_QUESTIONS: { title: string; sql: string }[] = [
  {
    title: 'Incidents by status and urgency',
    sql: `SELECT status, urgency, count(*) AS incidents
          FROM pagerduty.incidents GROUP BY status, urgency ORDER BY status, urgency`,
  },
  {
    title: 'Mean time to acknowledge and to resolve, per service (minutes)',
    sql: `SELECT i.service->>'summary' AS service, count(*) AS incidents,
                 round(avg(extract(epoch FROM a.first_ack - i.created_at)) / 60) AS mtta,
                 round(avg(extract(epoch FROM i.resolved_at - i.created_at)) / 60) AS mttr
          FROM pagerduty.incidents i
          LEFT JOIN (SELECT incident->>'id' AS id, min(created_at) AS first_ack
                     FROM pagerduty.log_entries WHERE type = 'acknowledge_log_entry' GROUP BY 1) a ON a.id = i.id
          GROUP BY 1 ORDER BY mttr DESC NULLS LAST LIMIT 8`,
  },
  {
    title: 'Who is on call now',
    sql: `SELECT escalation_policy->>'summary' AS escalation_policy, escalation_level AS level,
                 "user"->>'summary' AS on_call, coalesce("end"::text, 'permanent') AS until
          FROM pagerduty.oncalls
          WHERE (start IS NULL OR start <= now()) AND ("end" IS NULL OR "end" > now())
          ORDER BY 1, 2, 3 LIMIT 12`,
  },
];
