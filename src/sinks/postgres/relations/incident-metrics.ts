import type { Relation } from './relation.js';

/** One row per incident: its acknowledgement, resolution and their delays, escalations, reassignments, notifications. */
export const incidentMetrics: Relation = {
  name: 'incident_metrics',
  needs: ['incidents', 'log_entries'],
  comment:
    'pdsync: one row per incident (from incidents and log_entries): acknowledged_at is its first acknowledge log entry; seconds_to_first_ack and seconds_to_resolve are measured from created_at; escalations, reassignments and notifications_sent count its escalate, assign and notify log entries.',
  columns: {
    incident_id: 'The incident (incidents.id).',
    incident_number: 'Its number in the account.',
    title: 'Its title.',
    service_id: 'Its service.',
    team_ids: 'Its teams.',
    urgency: 'high or low.',
    priority_id: 'Its priority, when set.',
    priority: 'The priority\'s name.',
    status: 'triggered, acknowledged or resolved, as last synced.',
    created_at: 'When it was triggered.',
    acknowledged_at: 'Its first acknowledgement (log entries).',
    resolved_at: 'When it was resolved.',
    seconds_to_first_ack: 'From created_at to acknowledged_at.',
    seconds_to_resolve: 'From created_at to resolved_at.',
    escalations: 'Escalate log entries.',
    reassignments: 'Assign log entries.',
    notifications_sent: 'Notify log entries.',
  },
  key: ['incident_id'],
  indexed: ['created_at', ['service_id', 'created_at']],
  scope: [{ name: 'incident_id', type: 'text' }],
  sql: (t, _available, scope) => {
    const only = (column: string) => (scope ? ` AND ${column} IN (SELECT incident_id FROM ${scope})` : '');
    return `
    SELECT i.id AS incident_id, i.incident_number, i.title, i.service_id, i.team_ids, i.urgency,
           i.priority_id, i.priority->>'summary' AS priority, i.status, i.created_at, le.acknowledged_at, i.resolved_at,
           extract(epoch FROM le.acknowledged_at - i.created_at)::bigint AS seconds_to_first_ack,
           extract(epoch FROM i.resolved_at - i.created_at)::bigint AS seconds_to_resolve,
           coalesce(le.escalations, 0) AS escalations, coalesce(le.reassignments, 0) AS reassignments,
           coalesce(le.notifications, 0) AS notifications_sent
    FROM ${t.incidents} i
    LEFT JOIN (
      SELECT incident_id,
             min(created_at) FILTER (WHERE type = 'acknowledge_log_entry') AS acknowledged_at,
             count(*) FILTER (WHERE type = 'escalate_log_entry') AS escalations,
             count(*) FILTER (WHERE type = 'assign_log_entry') AS reassignments,
             count(*) FILTER (WHERE type = 'notify_log_entry') AS notifications
      FROM ${t.log_entries} WHERE incident_id IS NOT NULL${only('incident_id')} GROUP BY incident_id
    ) le ON le.incident_id = i.id
    WHERE true${only('i.id')}`;
  },
  touches: {
    incidents: (rows) => `SELECT id FROM ${rows} r`,
    log_entries: (rows) => `SELECT incident_id FROM ${rows} r WHERE incident_id IS NOT NULL`,
  },
};
