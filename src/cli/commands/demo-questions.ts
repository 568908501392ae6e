/** The questions `pdsync demo` answers from the synced tables and the relations made from them. */
export const DEMO_QUESTIONS: { title: string; sql: string }[] = [
  {
    title: 'Incidents by status and urgency',
    sql: `SELECT status, urgency, count(*) AS incidents
          FROM pagerduty.incident_metrics GROUP BY status, urgency ORDER BY status, urgency`,
  },
  {
    title: 'Time to acknowledge and to resolve per service, last 90 days (minutes, from incident_metrics)',
    sql: `SELECT s.name AS service, count(*) AS incidents,
                 round(avg(m.seconds_to_first_ack) / 60) AS mtta, round(avg(m.seconds_to_resolve) / 60) AS mttr
          FROM pagerduty.incident_metrics m JOIN pagerduty.services s ON s.id = m.service_id
          WHERE m.created_at > now() - interval '90 days'
          GROUP BY 1 ORDER BY mttr DESC NULLS LAST LIMIT 8`,
  },
  {
    title: 'DORA per service, last 12 weeks: median time to restore (minutes) and change failure rate (from service_weekly)',
    sql: `SELECT s.name AS service, sum(w.incidents) AS incidents,
                 round((percentile_cont(0.5) WITHIN GROUP (ORDER BY w.median_time_to_restore) / 60)::numeric) AS restore_min,
                 sum(w.change_events) AS changes,
                 round(sum(w.failed_changes)::numeric / nullif(sum(w.change_events), 0), 2) AS change_failure_rate
          FROM pagerduty.service_weekly w JOIN pagerduty.services s ON s.id = w.service_id
          WHERE w.week > now() - interval '12 weeks'
          GROUP BY 1 ORDER BY change_failure_rate DESC NULLS LAST LIMIT 8`,
  },
  {
    title: 'Who was paged at night, last 4 weeks (22:00-07:00 in their own time zone, from oncall_load)',
    sql: `SELECT u.name AS person, u.time_zone, sum(l.night_notifications) AS night_pages,
                 sum(l.notifications) AS pages, round(sum(l.hours_on_call)::numeric) AS hours_on_call
          FROM pagerduty.oncall_load l JOIN pagerduty.users u ON u.id = l.user_id
          WHERE l.week > now() - interval '4 weeks'
          GROUP BY 1, 2 ORDER BY night_pages DESC, pages DESC LIMIT 8`,
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
