import type { PoolClient } from 'pg';
import type { PlannedStream, TableName, TeamIdsRule } from '../../../plan/plan.js';
import { existingColumns } from './ddl.js';
import { ident, objectName, qualified } from '../sql.js';
import { type ColumnLayout, SEQ, TEAM_IDS } from './table-layout.js';
import { tableExists } from '../privileges.js';

type From = Extract<TeamIdsRule, { from: unknown }>['from'][number];

/** A source's teams, over its row `x`: its team_ids, or (the teams stream) its own id. */
async function sourceTeams(client: PoolClient, f: From): Promise<string | undefined> {
  if (!(await tableExists(client, f.table))) return undefined;
  const columns = await existingColumns(client, f.table);
  if (columns.has(TEAM_IDS)) return `x.${ident(TEAM_IDS)}`;
  return f.stream === 'teams' && columns.has('id') ? 'ARRAY[x.id]' : undefined;
}

interface Source {
  i: number;
  f: From;
  teams: string;
  many: boolean;
}

/** The sources of a `from` rule that are loaded, and the column of `table` naming each. */
async function loadedSources(client: PoolClient, rule: Extract<TeamIdsRule, { from: unknown }>, columns: Map<string, string>): Promise<Source[]> {
  const out: Source[] = [];
  for (const [i, f] of rule.from.entries()) {
    const teams = await sourceTeams(client, f);
    if (teams && columns.has(f.by)) out.push({ i, f, teams, many: columns.get(f.by) === 'text[]' });
  }
  return out;
}

/**
 * The team_ids of each row of `table` (alias r, named by its `key` columns) from several sources,
 * or one named by a list, as a query of (key, teams): the union of the teams of the rows it names
 * that are loaded, an empty list when they have none, NULL (shown to no team) while none is found.
 */
function teamsQuery(sources: Source[], table: string, key: string[]): string {
  const refs = sources.map((s) => (s.many ? `SELECT ${s.i} AS src, u AS ref FROM unnest(r.${ident(s.f.by)}) u` : `SELECT ${s.i} AS src, r.${ident(s.f.by)} AS ref WHERE r.${ident(s.f.by)} IS NOT NULL`));
  const rows = sources.map((s) => `SELECT ${s.i} AS src, x.id AS ref, ${s.teams} AS teams FROM ${qualified(s.f.table)} x`);
  const keys = key.map((k) => `r.${ident(k)}`).join(', ');
  return `SELECT ${keys}, CASE WHEN count(s.ref) = 0 THEN NULL ELSE coalesce(array_agg(DISTINCT t.id ORDER BY t.id) FILTER (WHERE t.id IS NOT NULL), '{}') END AS teams
    FROM ${table} r
    LEFT JOIN LATERAL (${refs.join(' UNION ALL ')}) n ON true
    LEFT JOIN (${rows.join(' UNION ALL ')}) s ON s.src = n.src AND s.ref = n.ref
    LEFT JOIN LATERAL unnest(s.teams) AS t(id) ON true
    GROUP BY ${keys}`;
}

/**
 * Sets team_ids of `table`'s rows by the rule; with `onlyChanged`, only where they differ. Set
 * based (hash joins, not a sub-query per row). Returns the rows written.
 */
async function setTeamIds(client: PoolClient, rule: TeamIdsRule, table: string, columns: Map<string, string>, key: string[], onlyChanged: boolean): Promise<number> {
  const col = ident(TEAM_IDS);
  const run = async (sql: string) => (await client.query(sql)).rowCount ?? 0;
  if ('column' in rule) {
    const value = `CASE WHEN r.${ident(rule.column)} IS NULL THEN '{}'::text[] ELSE ARRAY[r.${ident(rule.column)}] END`;
    return run(`UPDATE ${table} r SET ${col} = ${value}${onlyChanged ? ` WHERE r.${col} IS DISTINCT FROM ${value}` : ''}`);
  }
  const sources = await loadedSources(client, rule, columns);
  const changed = (value: string) => (onlyChanged ? ` AND r.${col} IS DISTINCT FROM ${value}` : '');
  const [one] = sources;
  // One source named by one key (a note's incident): a plain join; a row whose source is not loaded keeps what it has.
  if (sources.length === 1 && !one!.many) {
    return run(`UPDATE ${table} r SET ${col} = ${one!.teams} FROM ${qualified(one!.f.table)} x WHERE x.id = r.${ident(one!.f.by)}${changed(one!.teams)}`);
  }
  if (sources.length === 0) return 0;
  const match = key.map((k) => `r.${ident(k)} = c.${ident(k)}`).join(' AND ');
  return run(`UPDATE ${table} r SET ${col} = c.teams FROM (${teamsQuery(sources, table, key)}) c WHERE ${match}${changed('c.teams')}`);
}

/** Fills team_ids of staged rows (columns as the layout has them) by the stream's rule, before they are applied (in the publish transaction). */
export async function fillStagedTeamIds(client: PoolClient, stream: PlannedStream, staging: TableName, layout: ColumnLayout[]): Promise<void> {
  const columns = new Map(layout.map((c) => [c.name, c.type]));
  if (!stream.teamIds || !columns.has(TEAM_IDS)) return;
  // Each staged row has its own load order number: the rows are told apart by it.
  await setTeamIds(client, stream.teamIds, qualified(staging), columns, [SEQ], false);
}

/** The primary key columns of a table. */
async function primaryKey(client: PoolClient, t: TableName): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [qualified(t)],
  );
  return rows.map((r) => r.name);
}

/**
 * Keeps a table's team_ids current with its sources, after a run's loads: rows loaded before
 * their incident or service was, and rows whose service moved to another team. Writes only the
 * rows that differ, under the table's lock; a table another run is loading is left to it.
 * Returns the rows written.
 */
export async function keepTeamIds(client: PoolClient, stream: PlannedStream): Promise<number> {
  if (!stream.teamIds || !(await tableExists(client, stream.object))) return 0;
  const columns = await existingColumns(client, stream.object);
  const key = await primaryKey(client, stream.object);
  if (!columns.has(TEAM_IDS) || key.length === 0) return 0;
  const lock = `pdsync:${objectName(stream.object)}`;
  if (!(await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lock])).rows[0]!.ok) return 0;
  try {
    return await setTeamIds(client, stream.teamIds, qualified(stream.object), columns, key, true);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
  }
}
