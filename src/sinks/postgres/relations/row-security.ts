import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { existingColumns } from '../tables/ddl.js';
import { qualified } from '../sql.js';

/**
 * Team access, as search connectors do it: `pdsync.team_access (role_name, team_id)` says which
 * teams a database role may see ('*': all). The function runs as its owner, so readers need no
 * privilege on the table itself. (A role named in it that does not exist is ignored.)
 */
export async function ensureTeamAccess(client: PoolClient): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS pdsync.team_access (role_name text NOT NULL, team_id text NOT NULL, PRIMARY KEY (role_name, team_id))`);
  await client.query(`COMMENT ON TABLE pdsync.team_access IS 'pdsync: the teams each database role may see in tables with row security by team; team_id ''*'' is every team.'`);
  // Inside a SECURITY DEFINER function current_user is the owner: the policy passes the reader's name.
  await client.query(`CREATE OR REPLACE FUNCTION pdsync.allowed_teams(reader name) RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pdsync
    AS $$ SELECT coalesce(array_agg(team_id), '{}') FROM pdsync.team_access WHERE CASE WHEN EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = role_name) THEN pg_has_role(reader, role_name, 'MEMBER') ELSE false END $$`);
}

/**
 * Row-level security on a table whose records carry teams (`team_ids`, or a single `team_id`): a
 * role sees the rows of its teams, and the rows that belong to no team. The table's owner (pdsync)
 * is not subject to it, so loads are unchanged. Undefined when the table has no team column.
 */
export async function enableTeamPolicy(client: PoolClient, t: TableName): Promise<boolean> {
  const columns = await existingColumns(client, t);
  const teams = columns.has('team_ids') ? 'team_ids' : columns.has('team_id') ? 'ARRAY[team_id]' : undefined;
  if (!teams) return false;
  await teamPolicy(client, qualified(t), teams);
  return true;
}

/** Turns row security on for a table (a quoted name) with the team policy on `teams`, an expression of its row. */
export async function teamPolicy(client: PoolClient, table: string, teams: string): Promise<void> {
  await client.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await client.query(`DROP POLICY IF EXISTS pdsync_team_access ON ${table}`);
  await client.query(`CREATE POLICY pdsync_team_access ON ${table} FOR SELECT USING (${teamFilter(teams)})`);
}

/**
 * Whether the reader (current_user) may see a row with these teams: its teams, or rows of no team.
 * The reader's teams are a sub-select, computed once per query, not once per row.
 */
export function teamFilter(teams: string): string {
  const allowed = '(SELECT pdsync.allowed_teams(current_user))::text[]';
  return `${teams} IS NULL OR cardinality(${teams}) = 0 OR ${teams} = ARRAY[NULL]::text[]
      OR '*' = ANY (${allowed}) OR ${teams} && ${allowed}`;
}
