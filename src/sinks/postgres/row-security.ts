import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { TargetError } from '../../errors.js';
import type { PlannedStream, TableName } from '../../plan/plan.js';
import { ownsTable, type Privileges, tableExists } from './privileges.js';
import { ident, literal, qualified } from './sql.js';
import type { ColumnType } from '../../catalogue/catalogue.js';
import { existingColumns, lockDdl } from './tables/ddl.js';
import { streamLayout, TEAM_IDS } from './tables/table-layout.js';
import { inTransaction } from './transaction.js';
import { ALLOWED_TEAMS, BOOKKEEPING_SCHEMA, bookkeeping, TEAM_ACCESS } from './bookkeeping/schema.js';

const POLICY = 'pdsync_team_access';

const ACCESS_FUNCTION = `CREATE OR REPLACE FUNCTION ${ALLOWED_TEAMS}(reader name) RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pdsync
    AS $$ SELECT coalesce(array_agg(team_id), '{}') FROM ${TEAM_ACCESS} WHERE CASE WHEN EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = role_name) THEN pg_has_role(reader, role_name, 'MEMBER') ELSE false END $$`;
const ACCESS_TAG = `[pdsync function ${createHash('sha256').update(ACCESS_FUNCTION).digest('hex').slice(0, 12)}]`;

/**
 * Team access, as search connectors do it: `pdsync.team_access (role_name, team_id)` says which
 * teams a database role may see ('*': all). The function runs as its owner, so readers need no
 * privilege on the table itself. (A role named in it that does not exist is ignored.) When both
 * exist as this pdsync makes them, nothing is done: a role that does not own them may run too.
 */
export async function ensureTeamAccess(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ ok: boolean }>(
    `SELECT to_regclass(${literal(TEAM_ACCESS)}) IS NOT NULL AND obj_description(to_regprocedure(${literal(`${ALLOWED_TEAMS}(name)`)}), 'pg_proc') = $1 AS ok`,
    [ACCESS_TAG],
  );
  if (rows[0]!.ok) return;
  await client.query(`CREATE TABLE IF NOT EXISTS ${TEAM_ACCESS} (role_name text NOT NULL, team_id text NOT NULL, PRIMARY KEY (role_name, team_id))`);
  await client.query(`COMMENT ON TABLE ${TEAM_ACCESS} IS 'pdsync: the teams each database role may see in tables with row security by team; team_id ''*'' is every team.'`);
  // Inside a SECURITY DEFINER function current_user is the owner: the policy passes the reader's name.
  await client.query(ACCESS_FUNCTION);
  await client.query(`COMMENT ON FUNCTION ${ALLOWED_TEAMS}(name) IS ${literal(ACCESS_TAG)}`);
}

/**
 * Whether the reader (current_user) may see a row with these teams: its teams, or rows that
 * belong to no team (an empty list). Rows whose teams are not known (NULL: a note whose incident
 * is not loaded yet) only roles granted '*' see. The reader's teams are a sub-select, computed
 * once per query, not once per row.
 */
export function teamFilter(teams: string): string {
  const allowed = `(SELECT ${ALLOWED_TEAMS}(current_user))::text[]`;
  return `cardinality(${teams}) = 0 OR ${teams} = ARRAY[NULL]::text[] OR '*' = ANY (${allowed}) OR ${teams} && ${allowed}`;
}

/** The policy's definition, tagged so that a table secured by an older pdsync is secured again. */
const POLICY_TAG = `[pdsync policy ${createHash('sha256').update(teamFilter(TEAM_IDS)).digest('hex').slice(0, 12)}]`;

/** Turns row security on for a table (a quoted name) with the team policy on `teams`, an expression of its row. */
export async function teamPolicy(client: PoolClient, table: string, teams: string): Promise<void> {
  await client.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await client.query(`DROP POLICY IF EXISTS ${POLICY} ON ${table}`);
  await client.query(`CREATE POLICY ${POLICY} ON ${table} FOR SELECT USING (${teamFilter(teams)})`);
  await client.query(`COMMENT ON POLICY ${POLICY} ON ${table} IS ${literal(POLICY_TAG)}`);
}

/** Whether a table has row security on with this pdsync's team policy. */
async function secured(client: PoolClient, t: TableName): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(
    `SELECT c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = $2 AND obj_description(p.oid, 'pg_policy') = $3) AS ok
     FROM pg_class c WHERE c.oid = $1::regclass`,
    [qualified(t), POLICY, POLICY_TAG],
  );
  return rows[0]?.ok === true;
}

/**
 * Row security by team on a stream's table, inside the transaction that creates it or writes its
 * rows, so no reader ever sees its rows unfiltered. Only what is missing is done: turning it on
 * takes a lock readers wait for.
 */
export async function secureTable(client: PoolClient, t: TableName): Promise<void> {
  if (!(await secured(client, t))) await teamPolicy(client, qualified(t), TEAM_IDS);
}

/**
 * Before a stream reads anything: pdsync can keep row security on its existing table, or it fails
 * with the fix (a table another role owns, without the team policy or its team_ids column).
 */
export async function requireTeamSecurity(client: PoolClient, p: Privileges, stream: PlannedStream, columns: Map<string, unknown>, teamIds: boolean): Promise<void> {
  if (!stream.rowSecurity || !teamIds || !(await tableExists(client, stream.object))) return;
  const { owns, owner } = await ownsTable(client, stream.object);
  if (owns || (columns.has(TEAM_IDS) && (await secured(client, stream.object)))) return;
  const t = qualified(stream.object);
  throw new TargetError(
    `row_security: teams: ${stream.object.schema}.${stream.object.table} belongs to role ${owner}, and role ${p.role} may not ${columns.has(TEAM_IDS) ? 'turn on its row security' : `add its ${TEAM_IDS} column`}: make ${p.role} its owner (ALTER TABLE ${t} OWNER TO ${ident(p.role)}), or turn row security off for ${stream.name}`,
  );
}

/** pdsync's own tables that hold ids of records (scopes to compute again, webhooks applied): only roles that write them read them. */
const PRIVATE = ['relation_pending', 'webhook_events'];

/**
 * Before a run or pdsync listen writes under row security: the team access table and function,
 * and pdsync's tables of record ids kept from readers who may read everything else
 * (pg_read_all_data does not pass row security). Staging tables are private from their creation.
 */
export async function prepareRowSecurity(client: PoolClient): Promise<void> {
  await inTransaction(client, async () => {
    // Two runs starting at once would replace the function side by side.
    await lockDdl(client);
    await ensureTeamAccess(client);
    for (const table of PRIVATE) {
      const t = { schema: BOOKKEEPING_SCHEMA, table };
      if (!(await tableExists(client, t)) || !(await ownsTable(client, t)).owns) continue;
      const { rows } = await client.query<{ on: boolean }>('SELECT relrowsecurity AS on FROM pg_class WHERE oid = $1::regclass', [qualified(t)]);
      if (rows[0]!.on) continue;
      await client.query(`ALTER TABLE ${qualified(t)} ENABLE ROW LEVEL SECURITY`);
      await client.query(`CREATE POLICY pdsync_writers_only ON ${qualified(t)} USING (has_table_privilege(current_user, ${literal(bookkeeping(table))}, 'INSERT'))`);
    }
  });
}

/** pdsync listen's start, under row security: as a run's, and its tables checked as a load checks them (see requireTeamSecurity). */
export async function prepareListenRowSecurity(client: PoolClient, p: Privileges, streams: PlannedStream[]): Promise<void> {
  if (!streams.some((s) => s.rowSecurity)) return;
  await prepareRowSecurity(client);
  for (const s of streams) {
    const existing = (await tableExists(client, s.object)) ? await existingColumns(client, s.object) : new Map<string, ColumnType>();
    await requireTeamSecurity(client, p, s, existing, streamLayout(s, existing).columns.some((c) => c.name === TEAM_IDS));
  }
}
