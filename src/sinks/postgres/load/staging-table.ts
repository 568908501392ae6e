import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { TableName } from '../../../plan/plan.js';
import { BOOKKEEPING_SCHEMA } from '../bookkeeping/schema.js';
import { existingColumns } from '../tables/ddl.js';
import { ident, qualified } from '../sql.js';
import { type ColumnLayout, PART, SEQ, STAGING_ONLY, type TableLayout } from '../tables/table-layout.js';

/** Where a load stages its batches: a table of its own, kept between runs when it may be. */
export interface StagingTable {
  name: TableName;
  /** In the pdsync schema, kept until published: a killed run's batches can be resumed. Else a temporary table of the session. */
  persistent: boolean;
  /** Under row security: no role but its owner (pdsync) reads it, pg_read_all_data included. */
  private: boolean;
  columns: ColumnLayout[];
}

/** A staging table name of fixed length (PostgreSQL counts 63 bytes), one per stream, table and mode. */
export function stagingTableName(stream: string, object: TableName, mode: string): string {
  return `_stage_${createHash('sha256').update(`${stream}\0${object.schema}\0${object.table}\0${mode}`).digest('hex').slice(0, 24)}`;
}

export function stagingTable(table: string, layout: TableLayout, persistent: boolean, secure = false): StagingTable {
  return {
    name: { schema: persistent ? BOOKKEEPING_SCHEMA : 'pg_temp', table },
    persistent,
    private: persistent && secure,
    columns: [...layout.columns, ...STAGING_ONLY],
  };
}

/** Creates the staging table: unlogged (it is rebuilt, never recovered), or temporary. */
export async function createStaging(client: PoolClient, s: StagingTable): Promise<void> {
  const cols = s.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
  await client.query(s.persistent ? `CREATE UNLOGGED TABLE ${qualified(s.name)} (${cols})` : `CREATE TEMP TABLE ${ident(s.name.table)} (${cols})`);
  await client.query(`CREATE INDEX ON ${qualified(s.name)} (${ident(PART)})`);
  // Row security with no policy: only the owner passes.
  if (s.private) await client.query(`ALTER TABLE ${qualified(s.name)} ENABLE ROW LEVEL SECURITY`);
}

export async function dropStaging(client: PoolClient, name: TableName): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${qualified(name)}`);
}

/** Whether a table left by an earlier run has exactly the columns this load would give it. */
export async function sameColumns(client: PoolClient, s: StagingTable): Promise<boolean> {
  const have = await existingColumns(client, s.name);
  return have.size === s.columns.length && s.columns.every((c) => have.get(c.name) === c.type);
}

/** The next load order number after rows already staged (a resumed load). */
export async function nextSeq(client: PoolClient, s: StagingTable): Promise<number> {
  const { rows } = await client.query<{ n: string | null }>(`SELECT max(${ident(SEQ)}) AS n FROM ${qualified(s.name)}`);
  return Number(rows[0]!.n ?? 0);
}

/** Drops the rows of parts not kept: what a killed run staged of windows it did not finish. */
export async function keepParts(client: PoolClient, s: StagingTable, parts: string[]): Promise<number> {
  await client.query(`DELETE FROM ${qualified(s.name)} WHERE NOT (${ident(PART)} = ANY($1))`, [parts]);
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(s.name)}`);
  return Number(rows[0]!.n);
}

export async function dropPart(client: PoolClient, s: StagingTable, part: string): Promise<void> {
  await client.query(`DELETE FROM ${qualified(s.name)} WHERE ${ident(PART)} = $1`, [part]);
}
