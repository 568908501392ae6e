import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { BOOKKEEPING_SCHEMA } from '../bookkeeping/bookkeeping.js';
import { ident, literal, qualified } from '../sql.js';
import type { Relation } from './relation.js';
import { teamFilter } from './row-security.js';

/**
 * Where a relation lives. Plain: a materialized view in the target schema. Under row security:
 * the materialized view is pdsync's own (`pdsync._rel_*`, readable by its owner alone), and the
 * target schema holds a security_barrier view of it that shows each reader the rows of its teams,
 * as the tables' policies do. Queries stay as fast as the materialized view's indexes make them.
 */
export interface RelationObjects {
  /** What readers query, in the target schema. */
  name: string;
  /** The materialized view: `name` itself, or pdsync's private one under row security. */
  data: string;
  secure: boolean;
}

export function relationObjects(schema: string, relation: string, secure: boolean): RelationObjects {
  const name = qualified({ schema, table: relation });
  const hidden = qualified({ schema: BOOKKEEPING_SCHEMA, table: `_rel_${relation}_${createHash('sha256').update(schema).digest('hex').slice(0, 12)}` });
  return { name, data: secure ? hidden : name, secure };
}

/** The tag a relation's comment carries: which definition made it, so a changed one is made again. */
export function tagOf(sql: string, secure: boolean): string {
  return `[pdsync ${secure ? 'team view' : 'materialized view'} ${createHash('sha256').update(sql).digest('hex').slice(0, 12)}]`;
}

export async function current(client: PoolClient, name: string): Promise<{ kind: string; comment: string | null } | undefined> {
  const { rows } = await client.query<{ kind: string; comment: string | null }>(
    `SELECT c.relkind AS kind, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [name],
  );
  return rows[0];
}

/** Makes the relation's objects, inside the caller's transaction. */
export async function createRelation(client: PoolClient, r: Relation, o: RelationObjects, sql: string): Promise<void> {
  await client.query(`CREATE MATERIALIZED VIEW ${o.data} AS ${sql}`);
  await client.query(`CREATE UNIQUE INDEX ON ${o.data} (${r.key.map(ident).join(', ')})`);
  for (const c of r.indexed) await client.query(`CREATE INDEX ON ${o.data} (${ident(c)})`);
  const comment = literal(`${r.comment} ${tagOf(sql, o.secure)}`);
  if (!o.secure) return void (await client.query(`COMMENT ON MATERIALIZED VIEW ${o.name} IS ${comment}`));
  await client.query(`CREATE VIEW ${o.name} WITH (security_barrier) AS SELECT * FROM ${o.data} WHERE ${teamFilter('team_ids')}`);
  await client.query(`COMMENT ON VIEW ${o.name} IS ${comment}`);
}

/** Drops what readers see and the data behind it, when pdsync made them. */
export async function dropRelation(client: PoolClient, schema: string, relation: string): Promise<void> {
  const plain = relationObjects(schema, relation, false);
  const now = await current(client, plain.name);
  if (now) await client.query(`DROP ${now.kind === 'm' ? 'MATERIALIZED VIEW' : 'VIEW'} ${plain.name}`);
  await client.query(`DROP MATERIALIZED VIEW IF EXISTS ${relationObjects(schema, relation, true).data}`);
}
