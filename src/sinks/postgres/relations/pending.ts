import type { PoolClient } from 'pg';
import type { RelationPlan } from '../../../plan/plan.js';
import { ident, qualified } from '../sql.js';
import { RELATION_PENDING } from '../bookkeeping/schema.js';
import { RELATIONS } from './relations.js';
import type { Relation, ScopeColumn } from './relation.js';

/**
 * `pdsync.relation_pending`: the scopes of a relation that a change touched and that are not yet
 * computed again, written in the transaction that made the change. Whoever keeps the relations
 * next (this run, a later one, pdsync listen) takes them, so a run killed between its loads and
 * its relations loses none (the table: RELATION_PENDING).
 */

/** A relation's name in the pending table: schema-qualified, as two replications may keep relations in two schemas. */
export const pendingName = (schema: string, relation: string) => `${schema}.${relation}`;

/** A scope value as text, exact and the same in any session (timestamps in UTC with microseconds). */
function encode(c: ScopeColumn, value: string): string {
  return c.type === 'timestamptz' ? `to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')` : `${value}::text`;
}

/** A scope value back from its text. */
export function decode(c: ScopeColumn, text: string): string {
  return c.type === 'timestamptz' ? `(${text}::timestamp AT TIME ZONE 'UTC')` : text;
}

async function relationExists(client: PoolClient, schema: string, relation: string): Promise<boolean> {
  const { rows } = await client.query<{ kind: string | null }>(`SELECT (SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)) AS kind`, [qualified({ schema, table: relation })]);
  return rows[0]!.kind === 'r';
}

/** PostgreSQL's undefined_column. */
const UNDEFINED_COLUMN = '42703';

/**
 * Records the scopes that rows of `input` (a stream, or a relation) touch, for every relation kept
 * that reads it. A table whose select left out a column a relation reads has no scopes for it:
 * that relation cannot be computed from it either, and keeping it says so (a warning), so the
 * missing column skips the touch instead of failing the load.
 */
export async function recordTouches(client: PoolClient, plan: RelationPlan, input: string, rows: string, relations: Relation[] = RELATIONS): Promise<void> {
  for (const r of relations) {
    const touch = r.touches[input];
    // A relation not made yet is computed whole when it is made.
    if (!touch || !(await relationExists(client, plan.schema, r.name))) continue;
    const names = r.scope.map((c, i) => ident(`s${i}`));
    await client.query('SAVEPOINT pdsync_touch');
    try {
      await client.query(
        `INSERT INTO ${RELATION_PENDING} (relation, scope) SELECT DISTINCT $1, ARRAY[${r.scope.map((c, i) => encode(c, `t.${names[i]}`)).join(', ')}]
         FROM (${touch(rows)}) t(${names.join(', ')})`,
        [pendingName(plan.schema, r.name)],
      );
      await client.query('RELEASE SAVEPOINT pdsync_touch');
    } catch (e) {
      if ((e as { code?: string }).code !== UNDEFINED_COLUMN) throw e;
      await client.query('ROLLBACK TO SAVEPOINT pdsync_touch');
    }
  }
}
