import type { PoolClient } from 'pg';
import type { PlannedStream, TableName, TeamIdsRule } from '../../../plan/plan.js';
import { existingColumns } from './ddl.js';
import { ident, qualified } from '../sql.js';
import { type ColumnLayout, TEAM_IDS } from './table-layout.js';
import { tableExists } from '../privileges.js';

type From = Extract<TeamIdsRule, { from: unknown }>['from'][number];

/** A source's teams, over its row `x`: its team_ids, or (the teams stream) its own id. */
async function sourceTeams(client: PoolClient, f: From): Promise<string | undefined> {
  if (!(await tableExists(client, f.table))) return undefined;
  const columns = await existingColumns(client, f.table);
  if (columns.has(TEAM_IDS)) return `x.${ident(TEAM_IDS)}`;
  return f.stream === 'teams' && columns.has('id') ? 'ARRAY[x.id]' : undefined;
}

/**
 * The team_ids of row `r` of a table (its columns given) by the stream's rule: its own team's id
 * (none: an empty list, no team), or the union of the teams of the rows it names in other tables
 * (NULL, shown to no team, while none of them is loaded).
 */
async function teamIdsOf(client: PoolClient, rule: TeamIdsRule, columns: Map<string, string>): Promise<string> {
  if ('column' in rule) return `CASE WHEN r.${ident(rule.column)} IS NULL THEN '{}'::text[] ELSE ARRAY[r.${ident(rule.column)}] END`;
  const branches: string[] = [];
  for (const f of rule.from) {
    const teams = await sourceTeams(client, f);
    if (!teams || !columns.has(f.by)) continue;
    const match = columns.get(f.by) === 'text[]' ? `x.id = ANY (r.${ident(f.by)})` : `x.id = r.${ident(f.by)}`;
    branches.push(`SELECT ${teams} AS teams FROM ${qualified(f.table)} x WHERE ${match}`);
  }
  if (branches.length === 0) return 'NULL::text[]';
  return `(SELECT CASE WHEN count(*) = 0 THEN NULL ELSE coalesce(array_agg(DISTINCT t.id ORDER BY t.id) FILTER (WHERE t.id IS NOT NULL), '{}') END
    FROM (${branches.join(' UNION ALL ')}) f LEFT JOIN LATERAL unnest(f.teams) AS t(id) ON true)`;
}

/** Fills team_ids of staged rows (columns as the layout has them) by the stream's rule, before they are applied (in the publish transaction). */
export async function fillStagedTeamIds(client: PoolClient, stream: PlannedStream, staging: TableName, layout: ColumnLayout[]): Promise<void> {
  const columns = new Map(layout.map((c) => [c.name, c.type]));
  if (!stream.teamIds || !columns.has(TEAM_IDS)) return;
  await client.query(`UPDATE ${qualified(staging)} r SET ${ident(TEAM_IDS)} = ${await teamIdsOf(client, stream.teamIds, columns)}`);
}

/**
 * Keeps a table's team_ids current with its sources, after a run's loads: rows loaded before
 * their incident or service was, and rows whose service moved to another team. Writes only the
 * rows that differ. Returns how many.
 */
export async function keepTeamIds(client: PoolClient, stream: PlannedStream): Promise<number> {
  if (!stream.teamIds || !(await tableExists(client, stream.object))) return 0;
  const columns = await existingColumns(client, stream.object);
  if (!columns.has(TEAM_IDS)) return 0;
  const value = await teamIdsOf(client, stream.teamIds, columns);
  const { rowCount } = await client.query(`UPDATE ${qualified(stream.object)} r SET ${ident(TEAM_IDS)} = ${value} WHERE r.${ident(TEAM_IDS)} IS DISTINCT FROM ${value}`);
  return rowCount ?? 0;
}
