import type { Relation } from './relation.js';

const STATUS_OF = `CASE type WHEN 'trigger_log_entry' THEN 'triggered' WHEN 'acknowledge_log_entry' THEN 'acknowledged'
  WHEN 'unacknowledge_log_entry' THEN 'triggered' WHEN 'resolve_log_entry' THEN 'resolved' END`;

/** Every status change of every incident, with when it held and who made it: the history an incident snapshot cannot give. */
export const statusHistory: Relation = {
  name: 'incident_status_history',
  needs: ['log_entries'],
  comment:
    'pdsync: every status change of every incident (from log_entries: trigger, acknowledge, unacknowledge and resolve entries; a repeat of the same status is not a change): the status, from valid_from until valid_to (null while it holds), who changed it, and the teams of the incident (team_ids).',
  columns: {
    incident_id: 'The incident.',
    log_entry_id: 'The log entry that changed the status.',
    status: 'triggered, acknowledged or resolved.',
    valid_from: 'When the status began.',
    valid_to: 'When the next status began; null while it holds.',
    changed_by: 'Who changed it (the log entry\'s agent id).',
    changed_by_type: 'The agent\'s type (user, service, ...).',
    changed_by_name: 'The agent\'s name.',
    team_ids: 'The incident\'s teams.',
  },
  key: ['log_entry_id'],
  indexed: ['incident_id', 'valid_from'],
  scope: [{ name: 'incident_id', type: 'text' }],
  sql: (t, _available, scope) => `
    SELECT incident_id, log_entry_id, status, valid_from,
           lead(valid_from) OVER (PARTITION BY incident_id ORDER BY valid_from, log_entry_id) AS valid_to,
           changed_by, changed_by_type, changed_by_name, team_ids
    FROM (
      SELECT incident_id, id AS log_entry_id, created_at AS valid_from, ${STATUS_OF} AS status,
             lag(${STATUS_OF}) OVER (PARTITION BY incident_id ORDER BY created_at, id) AS previous,
             agent_id AS changed_by, agent->>'type' AS changed_by_type, agent->>'summary' AS changed_by_name, team_ids
      FROM ${t.log_entries}
      WHERE incident_id IS NOT NULL AND type IN ('trigger_log_entry', 'acknowledge_log_entry', 'unacknowledge_log_entry', 'resolve_log_entry')${scope ? ` AND incident_id IN (SELECT incident_id FROM ${scope})` : ''}
    ) changes
    WHERE previous IS DISTINCT FROM status`,
  touches: {
    log_entries: (rows) => `SELECT incident_id FROM ${rows} r WHERE incident_id IS NOT NULL`,
  },
};
