import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { BOOKKEEPING_SCHEMA } from '../bookkeeping/schema.js';
import { ident, literal, qualified } from '../sql.js';
import type { Relation } from './relation.js';
import { teamFilter, teamPolicy } from '../row-security.js';

/** The tag a relation's comment carries: which definition made it, so a changed one is made again. */
export function tagOf(sql: string, secure: boolean): string {
  // The team filter is part of the definition: a relation secured by an older filter is made again.
  return `[pdsync table ${createHash('sha256').update(`${secure ? teamFilter('team_ids') : ''}\0${sql}`).digest('hex').slice(0, 12)}]`;
}

export interface Existing {
  /** pg_class.relkind: r a table (what pdsync makes now), m or v what an older pdsync made. */
  kind: string;
  comment: string | null;
}

export async function current(client: PoolClient, name: string): Promise<Existing | undefined> {
  const { rows } = await client.query<Existing>(
    `SELECT c.relkind AS kind, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [name],
  );
  return rows[0];
}

/** Whether pdsync made it (an older pdsync's materialized view or view included). */
export function isOurs(e: Existing): boolean {
  return e.comment?.includes('[pdsync ') === true;
}

/** What an older pdsync made: a materialized view (with, under row security, a private one in `pdsync` behind a view). */
async function dropOlder(client: PoolClient, schema: string, relation: string, now: Existing | undefined): Promise<void> {
  const name = qualified({ schema, table: relation });
  if (now?.kind === 'm') await client.query(`DROP MATERIALIZED VIEW ${name}`);
  if (now?.kind === 'v') await client.query(`DROP VIEW ${name}`);
  const hidden = `_rel_${relation}_${createHash('sha256').update(schema).digest('hex').slice(0, 12)}`;
  await client.query(`DROP MATERIALIZED VIEW IF EXISTS ${qualified({ schema: BOOKKEEPING_SCHEMA, table: hidden })}`);
}

/** Whether a table has the columns (names and types, in order) a query gives. */
async function sameShape(client: PoolClient, name: string, sql: string): Promise<boolean> {
  const shape = async (from: string) =>
    (await client.query<{ a: string }>(`SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) AS a
       FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`, [from])).rows[0]!.a;
  await client.query(`CREATE TEMP TABLE _pdsync_shape ON COMMIT DROP AS ${sql} WITH NO DATA`);
  const same = (await shape(name)) === (await shape('pg_temp._pdsync_shape'));
  await client.query('DROP TABLE pg_temp._pdsync_shape');
  return same;
}

/** What an index of `indexed` is on: `(a, b)`, or `USING gin (a)`. */
function indexOn(c: Relation['indexed'][number]): string {
  if (typeof c === 'string' || Array.isArray(c)) return `(${(Array.isArray(c) ? c : [c]).map(ident).join(', ')})`;
  return `USING ${c.using} (${c.columns.map(ident).join(', ')})`;
}

/**
 * Computes a relation whole, inside the caller's transaction: into its table when the table has
 * the definition's columns (its grants and indexes stay), else into a new table with its key,
 * indexes, comment and, under row security, the team policy.
 */
export async function buildRelation(client: PoolClient, schema: string, r: Relation, sql: string, secure: boolean, now: Existing | undefined): Promise<void> {
  const name = qualified({ schema, table: r.name });
  const comment = literal(`${r.comment} ${tagOf(sql, secure)}`);
  if (now?.kind === 'r' && (await sameShape(client, name, sql))) {
    await client.query(`DELETE FROM ${name}`);
    await client.query(`INSERT INTO ${name} ${sql}`);
  } else {
    if (now?.kind === 'r') await client.query(`DROP TABLE ${name}`);
    await dropOlder(client, schema, r.name, now);
    await client.query(`CREATE TABLE ${name} AS ${sql}`);
    await client.query(`ALTER TABLE ${name} ADD PRIMARY KEY (${r.key.map(ident).join(', ')})`);
    for (const c of r.indexed) await client.query(`CREATE INDEX ON ${name} ${indexOn(c)}`);
  }
  await client.query(`COMMENT ON TABLE ${name} IS ${comment}`);
  if (secure) await teamPolicy(client, name, 'team_ids');
  else await client.query(`ALTER TABLE ${name} DISABLE ROW LEVEL SECURITY`);
  await client.query(`ANALYZE ${name}`);
}
