import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { qualified } from '../sql.js';
import { SEARCH_CONFIG } from './search-documents.js';

export interface OnCall {
  level: number;
  user_id: string;
  user_name: string | null;
  /** When the shift ends; null: on call until changed (a user named in the rule). */
  until: string | null;
}

export interface SearchHit {
  type: string;
  id: string;
  name: string | null;
  html_url: string | null;
  team_ids: string[];
  /** Services only. */
  escalation_policy_id?: string | null;
  /** Services, escalation policies and schedules only. */
  on_call?: OnCall[];
}

/** Types whose documents page someone: who is on call now is told for them. */
const PAGED = new Set(['service', 'escalation_policy', 'schedule']);

/** Names of documents by type and id (teams, policies), for people reading the hits; those the reader may not see stay unnamed. */
export type Names = Map<string, string>;

/** Whether a table exists and the connection's role may read it. */
export async function tableReadable(client: PoolClient, table: string): Promise<'yes' | 'missing' | 'denied'> {
  const { rows } = await client.query<{ here: boolean; may: boolean | null }>(
    `SELECT to_regclass($1) IS NOT NULL AS here, CASE WHEN to_regclass($1) IS NOT NULL THEN has_table_privilege(to_regclass($1), 'SELECT') END AS may`,
    [table],
  );
  return !rows[0]!.here ? 'missing' : rows[0]!.may ? 'yes' : 'denied';
}

/**
 * Documents matching `text`, best first: an exact name or email (any case) before the others,
 * then by ts_rank of the text as a web search query (quotes, or, -word). Read as the
 * connection's role, so row security by team decides which it sees.
 */
export async function findDocuments(client: PoolClient, documents: string, text: string, limit: number): Promise<SearchHit[]> {
  const { rows } = await client.query<SearchHit>(
    `WITH q AS (SELECT websearch_to_tsquery('${SEARCH_CONFIG}', $1) AS q)
     SELECT d.type, d.id, d.title AS name, d.html_url, coalesce(d.team_ids, '{}') AS team_ids, d.escalation_policy_id
     FROM ${documents} d, q
     WHERE d.document @@ q.q OR lower(d.title) = lower($1) OR lower(d.email) = lower($1)
     ORDER BY (lower(d.title) = lower($1) OR lower(d.email) = lower($1)) IS TRUE DESC, ts_rank(d.document, q.q) DESC, d.title, d.type, d.id
     LIMIT $2`,
    [text, limit],
  );
  return rows.map((r) => (r.type === 'service' ? r : { type: r.type, id: r.id, name: r.name, html_url: r.html_url, team_ids: r.team_ids }));
}

/**
 * Fills each paged hit's `on_call` from the oncalls table: for a service its escalation policy's
 * on-calls, for a policy its own, for a schedule those of its shifts; now means start <= now()
 * < end (no start or end: unbounded). Level, then name, first.
 */
export async function addOnCalls(client: PoolClient, oncalls: TableName, hits: SearchHit[]): Promise<void> {
  const paged = hits.filter((h) => PAGED.has(h.type));
  for (const h of paged) h.on_call = [];
  if (paged.length === 0) return;
  const { rows } = await client.query<OnCall & { hit: number }>(
    `SELECT DISTINCT h.hit, o.escalation_level::int AS level, o.user_id, o."user"->>'summary' AS user_name,
            to_char(o."end" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS until
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY h(type, id, policy, hit)
     JOIN ${qualified(oncalls)} o ON CASE WHEN h.type = 'schedule' THEN o.schedule_id = h.id ELSE o.escalation_policy_id = h.policy END
     WHERE o.user_id IS NOT NULL AND (o.start IS NULL OR o.start <= now()) AND (o."end" IS NULL OR o."end" > now())
     ORDER BY h.hit, level, user_name, o.user_id, until`,
    [paged.map((h) => h.type), paged.map((h) => h.id), paged.map((h) => (h.type === 'service' ? h.escalation_policy_id ?? null : h.id))],
  );
  for (const { hit, ...onCall } of rows) paged[Number(hit) - 1]!.on_call!.push(onCall);
}

/** The names of the teams and escalation policies the hits refer to, from the documents the reader may see. */
export async function namesOf(client: PoolClient, documents: string, hits: SearchHit[]): Promise<Names> {
  const refs = hits.flatMap((h) => [...h.team_ids.map((id) => ['team', id]), ...(h.escalation_policy_id ? [['escalation_policy', h.escalation_policy_id]] : [])]);
  if (refs.length === 0) return new Map();
  const { rows } = await client.query<{ type: string; id: string; title: string }>(
    `SELECT d.type, d.id, d.title FROM ${documents} d JOIN unnest($1::text[], $2::text[]) r(type, id) USING (type, id) WHERE d.title IS NOT NULL`,
    [refs.map((r) => r[0]), refs.map((r) => r[1])],
  );
  return new Map(rows.map((r) => [`${r.type}:${r.id}`, r.title]));
}
