import type { RelationsDone } from '../../target.js';
import type { PoolClient } from 'pg';
import type { RelationPlan } from '../../../plan/plan.js';
import { tableExists } from '../privileges.js';
import { ident, qualified } from '../sql.js';
import { RELATION_PENDING } from '../bookkeeping/schema.js';
import { decode, pendingName, recordTouches } from './pending.js';
import type { Relation, Tables } from './relation.js';
import { buildRelation, current, isOurs, tagOf } from './relation-table.js';
import { ensureInputIndexes, timeZoneTable } from './relation-inputs.js';
import { RELATIONS } from './relations.js';
import { inTransaction } from '../transaction.js';

export type { RelationsDone };

const SCOPE = ident('_pdsync_scope');

/** Rows of a relation (alias `alias`) in the scopes of SCOPE; a NULL scope column stands for every value. */
function inScope(r: Relation, alias: string): string {
  const match = r.scope.map((c, i) => (i === 0 ? `s.${ident(c.name)} = ${alias}.${ident(c.name)}` : `(s.${ident(c.name)} IS NULL OR s.${ident(c.name)} = ${alias}.${ident(c.name)})`));
  return `EXISTS (SELECT 1 FROM ${SCOPE} s WHERE ${match.join(' AND ')})`;
}

/**
 * Computes again the rows of the scopes changes touched since the relation was last kept: their
 * rows deleted and inserted anew, and the scopes of the relations made from it touched in turn.
 * Returns the rows inserted.
 */
async function keepByChange(client: PoolClient, plan: RelationPlan, r: Relation, tables: Tables, available: (s: string) => boolean): Promise<number> {
  const cols = r.scope.map((c, i) => `${decode(c, `d.scope[${i + 1}]`)} AS ${ident(c.name)}`).join(', ');
  await client.query(`CREATE TEMP TABLE ${SCOPE} ON COMMIT DROP AS SELECT ${r.scope.map((c) => `NULL::${c.type} AS ${ident(c.name)}`).join(', ')} WITH NO DATA`);
  const { rowCount } = await client.query(
    `WITH d AS (DELETE FROM ${RELATION_PENDING} WHERE relation = $1 RETURNING scope) INSERT INTO ${SCOPE} SELECT DISTINCT ${cols} FROM d`,
    [pendingName(plan.schema, r.name)],
  );
  let inserted = 0;
  if (rowCount) {
    await client.query(`ANALYZE ${SCOPE}`);
    const name = qualified({ schema: plan.schema, table: r.name });
    const rows = `(SELECT x.* FROM ${name} x WHERE ${inScope(r, 'x')})`;
    const dependents = RELATIONS.filter((d) => d.touches[r.name]);
    await recordTouches(client, plan, r.name, rows, dependents);
    await client.query(`DELETE FROM ${name} x WHERE ${inScope(r, 'x')}`);
    // A few scopes' rows take milliseconds to compute; compiling the plan (JIT) would take more.
    const { rows: [jit] } = await client.query<{ was: string }>(`SELECT current_setting('jit') AS was`);
    await client.query(`SELECT set_config('jit', 'off', true)`);
    inserted = (await client.query(`INSERT INTO ${name} SELECT q.* FROM (${r.sql(tables, available, SCOPE)}) q WHERE ${inScope(r, 'q')}`)).rowCount ?? 0;
    await client.query(`SELECT set_config('jit', $1, true)`, [jit!.was]);
    await recordTouches(client, plan, r.name, rows, dependents);
  }
  await client.query(`DROP TABLE ${SCOPE}`);
  return inserted;
}

/** The input tables by stream and the relation tables by name, and which streams' tables exist. */
async function inputs(client: PoolClient, plan: RelationPlan): Promise<{ tables: Tables; present: Set<string> }> {
  const present = new Set<string>();
  for (const [stream, table] of Object.entries(plan.tables)) if (await tableExists(client, table)) present.add(stream);
  const tables: Tables = Object.fromEntries(Object.entries(plan.tables).map(([s, t]) => [s, qualified(t)]));
  for (const r of RELATIONS) tables[r.name] = qualified({ schema: plan.schema, table: r.name });
  tables.time_zones = await timeZoneTable(client);
  return { tables, present };
}

/**
 * Keeps every relation whose inputs the target holds, in one transaction (readers see all of
 * them before or after, never half): made whole when new, when its definition changed, when one
 * it reads was made whole, or when `rebuild` asks; otherwise kept by change. One that fails is
 * reported, the others go on. Runs, and pdsync listen, call it after they write.
 */
export async function keepRelations(client: PoolClient, plan: RelationPlan, rebuild = false): Promise<RelationsDone> {
  const done: RelationsDone = { made: [], kept: [], failed: [] };
  await inTransaction(client, async () => {
    // Weeks are Mondays in UTC, whatever the server's or the role's time zone.
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    // Two keepers at once (a run and pdsync listen) would compute the same scopes twice.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`pdsync:relations:${plan.schema}`]);
    const { tables, present } = await inputs(client, plan);
    const available = (s: string) => present.has(s);
    for (const r of RELATIONS) {
      // Without its inputs, or a relation it reads, it is left as it is.
      const kept = [...done.made, ...done.kept.map((k) => k.name)];
      const inputsHere = r.needs.length ? r.needs.every(available) : (r.uses ?? []).some(available);
      if (!inputsHere || !(r.after ?? []).every((a) => kept.includes(a))) continue;
      await ensureInputIndexes(client, r, plan.tables, present);
      await client.query('SAVEPOINT relation');
      try {
        const sql = r.sql(tables, available);
        const now = await current(client, tables[r.name]!);
        if (now && !isOurs(now)) {
          throw new Error(`${tables[r.name]} exists and was not made by pdsync: rename or drop it, or turn relations off (target_options: {relations: false})`);
        }
        const whole = rebuild || !now || now.kind !== 'r' || !now.comment!.includes(tagOf(sql, plan.rowSecurity)) || (r.after ?? []).some((a) => done.made.includes(a));
        if (whole) {
          await buildRelation(client, plan.schema, r, sql, plan.rowSecurity, now);
          await client.query(`DELETE FROM ${RELATION_PENDING} WHERE relation = $1`, [pendingName(plan.schema, r.name)]);
          done.made.push(r.name);
        } else {
          done.kept.push({ name: r.name, rows: await keepByChange(client, plan, r, tables, available) });
        }
        await client.query('RELEASE SAVEPOINT relation');
      } catch (e) {
        await client.query('ROLLBACK TO SAVEPOINT relation');
        done.failed.push({ name: r.name, reason: (e as Error).message });
      }
    }
  }, { unbounded: true });
  return done;
}
