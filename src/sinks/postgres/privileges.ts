import type { PoolClient } from 'pg';
import { TargetError } from '../../errors.js';
import type { TableName } from '../../plan/plan.js';
import { ident, qualified } from './sql.js';

/**
 * What the connecting role may do, asked before doing it, so a missing privilege is named with
 * the GRANT that fixes it instead of surfacing as "permission denied" halfway through a load.
 * pdsync asks only for what the existing objects make necessary: no CREATE on a schema that
 * exists, no ownership of a table it only writes rows to.
 */
export interface Privileges {
  role: string;
  database: string;
}

export async function privilegesOf(client: PoolClient): Promise<Privileges> {
  const { rows } = await client.query<{ role: string; database: string }>('SELECT current_user AS role, current_database() AS database');
  return rows[0]!;
}

export async function schemaExists(client: PoolClient, schema: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rowCount === 1;
}

export async function tableExists(client: PoolClient, t: TableName): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [qualified(t)]);
  return rows[0]!.ok;
}

async function has(client: PoolClient, sql: string, params: unknown[]): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(`SELECT ${sql} AS ok`, params);
  return rows[0]!.ok;
}

/** Fails with the GRANT to give when the role cannot create a schema that is missing. */
export async function requireCreateSchema(client: PoolClient, p: Privileges, schema: string): Promise<void> {
  if (await has(client, `has_database_privilege(current_database(), 'CREATE')`, [])) return;
  throw new TargetError(
    `schema ${schema} does not exist and role ${p.role} may not create it: GRANT CREATE ON DATABASE ${ident(p.database)} TO ${ident(p.role)}, or create it for this role: CREATE SCHEMA ${ident(schema)} AUTHORIZATION ${ident(p.role)}`,
  );
}

export async function canCreateIn(client: PoolClient, schema: string): Promise<boolean> {
  return has(client, `has_schema_privilege($1, 'CREATE')`, [schema]);
}

/** Fails with the GRANT to give when the role cannot create a table in an existing schema. */
export async function requireCreateIn(client: PoolClient, p: Privileges, t: TableName): Promise<void> {
  if (await canCreateIn(client, t.schema)) return;
  throw new TargetError(
    `table ${t.schema}.${t.table} does not exist and role ${p.role} may not create it: GRANT CREATE ON SCHEMA ${ident(t.schema)} TO ${ident(p.role)}, or create the table for this role`,
  );
}

/** Fails with the GRANT to give when the role lacks a row privilege the load needs on an existing table. */
export async function requireRowPrivileges(client: PoolClient, p: Privileges, t: TableName, needed: string[]): Promise<void> {
  const missing: string[] = [];
  for (const privilege of needed) {
    if (!(await has(client, 'has_table_privilege($1, $2)', [qualified(t), privilege]))) missing.push(privilege);
  }
  if (missing.length === 0) return;
  throw new TargetError(
    `role ${p.role} lacks ${missing.join(', ')} on ${t.schema}.${t.table}: GRANT ${needed.join(', ')} ON ${qualified(t)} TO ${ident(p.role)}`,
  );
}

/** Whether the role owns the table (directly or through a role it belongs to): only an owner may add columns or comments. */
export async function ownsTable(client: PoolClient, t: TableName): Promise<{ owns: boolean; owner: string }> {
  const { rows } = await client.query<{ owns: boolean; owner: string }>(
    `SELECT pg_has_role(c.relowner, 'USAGE') AS owns, pg_get_userbyid(c.relowner) AS owner FROM pg_class c WHERE c.oid = $1::regclass`,
    [qualified(t)],
  );
  return rows[0]!;
}
