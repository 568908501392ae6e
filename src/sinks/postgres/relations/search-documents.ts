import type { Relation, Tables } from './relation.js';

/**
 * The text search configuration of `document` and of `pdsync search`: English, so prose in
 * descriptions matches across word forms ("rotations" finds "Weekly rotation") and a question's
 * stop words ("who is on call for checkout") do not have to appear; names and emails are matched
 * exactly besides (see search-hits.ts).
 */
export const SEARCH_CONFIG = 'english';

/** One kind of document: the stream it comes from, its type, the JSON paths of its body text and its teams. */
interface DocumentKind {
  stream: string;
  type: string;
  body: string[];
  /** JSON path of the team ids (null ones left out). */
  teams: string;
}

const KINDS: DocumentKind[] = [
  { stream: 'services', type: 'service', body: ['$.description', '$.escalation_policy.summary', '$.teams[*].summary'], teams: '$.team_ids[*]' },
  {
    stream: 'escalation_policies', type: 'escalation_policy', teams: '$.team_ids[*]',
    body: ['$.description', '$.escalation_rules[*].targets[*].summary', '$.services[*].summary', '$.teams[*].summary'],
  },
  {
    stream: 'schedules', type: 'schedule', teams: '$.team_ids[*]',
    body: ['$.description', '$.schedule_layers[*].name', '$.schedule_layers[*].users[*].user.summary', '$.users[*].summary', '$.escalation_policies[*].summary', '$.teams[*].summary'],
  },
  // A team's own documents are its team's.
  { stream: 'teams', type: 'team', body: ['$.description'], teams: '$.id' },
  { stream: 'users', type: 'user', body: ['$.email', '$.job_title', '$.description', '$.teams[*].summary'], teams: '$.team_ids[*]' },
  { stream: 'business_services', type: 'business_service', body: ['$.description', '$.point_of_contact', '$.team.summary'], teams: '$.team.id' },
];

/** The texts at a JSON path of the record `j`, space-separated (a missing field gives none). */
const texts = (path: string) => `(SELECT string_agg(v #>> '{}', ' ') FROM jsonb_path_query(j, '${path}') v)`;

/**
 * A kind's documents. The record is read as JSON (`to_jsonb` of the row), so a column a
 * replication leaves out (`select: [-email]`) is only missing text, not a failed relation.
 */
function documents(k: DocumentKind, table: string, scope: string | undefined): string {
  const only = scope ? ` WHERE x.id IN (SELECT id FROM ${scope} WHERE type = '${k.type}')` : '';
  return `SELECT '${k.type}'::text AS type, x.id::text AS id, coalesce(j->>'name', j->>'summary') AS title,
           concat_ws(' ', ${k.body.map(texts).join(', ')}) AS body,
           ${k.type === 'user' ? `j->>'email'` : 'NULL::text'} AS email,
           ${k.type === 'service' ? `j #>> '{escalation_policy,id}'` : 'NULL::text'} AS escalation_policy_id,
           j->>'html_url' AS html_url,
           ARRAY(SELECT v #>> '{}' FROM jsonb_path_query(j, '${k.teams} ? (@ != null)') v) AS team_ids
    FROM ${table} x CROSS JOIN LATERAL (SELECT to_jsonb(x) AS j OFFSET 0) r${only}`;
}

const NONE = `SELECT NULL::text AS type, NULL::text AS id, NULL::text AS title, NULL::text AS body, NULL::text AS email,
    NULL::text AS escalation_policy_id, NULL::text AS html_url, NULL::text[] AS team_ids WHERE false`;

/**
 * One searchable document per service, escalation policy, schedule, team, user and business
 * service, from those of the six streams the target holds: its name (weighted first) and the text
 * around it (descriptions, emails, layers, rule targets, teams) as a tsvector with a GIN index.
 */
export const searchDocuments: Relation = {
  name: 'search_documents',
  needs: [],
  uses: KINDS.map((k) => k.stream),
  comment:
    'pdsync: one row per service, escalation policy, schedule, team, user and business service, from those six streams: title is its name; body the text around it (description, email, job title, schedule layers and their users, escalation rule targets, services, teams, point of contact); document their tsvector (english, title weighted A, body B), GIN-indexed for pdsync search; escalation_policy_id the service\'s; team_ids its teams (a team\'s: itself).',
  columns: {
    type: 'What the document is: service, escalation_policy, schedule, team, user or business_service.',
    id: 'The record\'s PagerDuty id.',
    title: 'Its name.',
    body: 'The text around it: description, email, job title, schedule layers and their users, escalation rule targets, services, teams, point of contact.',
    email: 'A user\'s email (users only).',
    escalation_policy_id: 'A service\'s escalation policy (services only).',
    html_url: 'Its page in PagerDuty.',
    team_ids: 'Its teams (a team\'s: itself).',
    document: 'The tsvector searched (english; title weighted A, body B), GIN-indexed.',
  },
  key: ['type', 'id'],
  indexed: [{ using: 'gin', columns: ['document'] }],
  scope: [{ name: 'type', type: 'text' }, { name: 'id', type: 'text' }],
  sql: (t: Tables, available, scope) => {
    const present = KINDS.filter((k) => available(k.stream));
    const union = present.length ? present.map((k) => documents(k, t[k.stream]!, scope)).join('\n    UNION ALL\n    ') : NONE;
    return `
    SELECT type, id, title, body, email, escalation_policy_id, html_url, team_ids,
           setweight(to_tsvector('${SEARCH_CONFIG}', coalesce(title, '')), 'A') || setweight(to_tsvector('${SEARCH_CONFIG}', body), 'B') AS document
    FROM (
    ${union}
    ) d`;
  },
  touches: Object.fromEntries(KINDS.map((k) => [k.stream, (rows: string) => `SELECT '${k.type}'::text, r.id::text FROM ${rows} r`])),
};
