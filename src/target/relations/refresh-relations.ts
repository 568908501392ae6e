import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { RelationPlan } from '../../plan/plan.js';
import { tableExists } from '../privileges.js';
import { ident, literal, qualified } from '../sql.js';
import { incidentMetrics } from './incident-metrics.js';
import { oncallLoad } from './oncall-load.js';
import type { Relation, Tables } from './relation.js';
import { serviceWeekly } from './service-weekly.js';
import { statusHistory } from './status-history.js';

/** In the order they are made: a relation comes after those it reads. */
export const RELATIONS: Relation[] = [incidentMetrics, statusHistory, serviceWeekly, oncallLoad];

export interface RelationsDone {
  made: string[];
  failed: { name: string; reason: string }[];
}

/** The tag a relation's comment carries: which definition made it, so a changed one is made again. */
function tagOf(sql: string, kind: string): string {
  return `[pdsync ${kind} ${createHash('sha256').update(sql).digest('hex').slice(0, 12)}]`;
}

async function current(client: PoolClient, name: string): Promise<{ kind: string; comment: string | null } | undefined> {
  const { rows } = await client.query<{ kind: string; comment: string | null }>(
    `SELECT c.relkind AS kind, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [name],
  );
  return rows[0];
}

/**
 * Makes one relation, or refreshes it: a materialized view (indexed, refreshed without blocking
 * readers), or, under row security, a security_invoker view, so each reader sees only the rows the
 * tables' policies give them. One made by another definition was dropped first (see dropChanged).
 */
async function makeOrRefresh(client: PoolClient, r: Relation, name: string, sql: string, secure: boolean): Promise<void> {
  const tag = tagOf(sql, secure ? 'view' : 'materialized view');
  const now = await current(client, name);
  if (now && !now.comment?.includes(tag)) {
    throw new Error(`${name} exists and was not made by pdsync: rename or drop it, or turn relations off (target_options: {relations: false})`);
  }
  const exists = now !== undefined;
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL statement_timeout = 0');
    if (exists) {
      if (!secure) await client.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${name}`);
    } else {
      if (secure) {
        await client.query(`CREATE VIEW ${name} WITH (security_invoker = true) AS ${sql}`);
      } else {
        await client.query(`CREATE MATERIALIZED VIEW ${name} AS ${sql}`);
        await client.query(`CREATE UNIQUE INDEX ON ${name} (${r.key.map(ident).join(', ')})`);
        for (const c of r.indexed) await client.query(`CREATE INDEX ON ${name} (${ident(c)})`);
      }
      await client.query(`COMMENT ON ${secure ? 'VIEW' : 'MATERIALIZED VIEW'} ${name} IS ${literal(`${r.comment} ${tag}`)}`);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/**
 * Drops the relations whose definition changed (or that switch between view and materialized
 * view), and those made from them, dependents first: they are all made again. A relation that is
 * not pdsync's (no tag) is left alone, and fails to be made.
 */
async function dropChanged(client: PoolClient, wanted: Map<string, { name: string; tag: string }>): Promise<void> {
  const remake = new Set<string>();
  for (const r of RELATIONS) {
    const w = wanted.get(r.name);
    if (!w) continue;
    const now = await current(client, w.name);
    if ((now && !now.comment?.includes(w.tag) && now.comment?.includes('[pdsync ')) || (r.after ?? []).some((a) => remake.has(a))) remake.add(r.name);
  }
  for (const r of [...RELATIONS].reverse()) {
    if (!remake.has(r.name)) continue;
    const name = wanted.get(r.name)!.name;
    const now = await current(client, name);
    if (now) await client.query(`DROP ${now.kind === 'm' ? 'MATERIALIZED VIEW' : 'VIEW'} ${name}`);
  }
}

/** Makes or refreshes every relation whose inputs the target holds; one that fails is reported, the others go on. */
export async function refreshRelations(client: PoolClient, plan: RelationPlan): Promise<RelationsDone> {
  const present = new Set<string>();
  for (const [stream, table] of Object.entries(plan.tables)) if (await tableExists(client, table)) present.add(stream);
  const tables: Tables = Object.fromEntries(Object.entries(plan.tables).map(([s, t]) => [s, qualified(t)]));
  for (const r of RELATIONS) tables[r.name] = qualified({ schema: plan.schema, table: r.name });
  const wanted = new Map<string, { name: string; sql: string; tag: string }>();
  for (const r of RELATIONS) {
    if (!r.needs.every((s) => present.has(s))) continue;
    const sql = r.sql(tables, (s) => present.has(s));
    wanted.set(r.name, { name: tables[r.name]!, sql, tag: tagOf(sql, plan.rowSecurity ? 'view' : 'materialized view') });
  }
  const done: RelationsDone = { made: [], failed: [] };
  try {
    await dropChanged(client, wanted);
  } catch (e) {
    done.failed.push({ name: 'relations', reason: (e as Error).message });
    return done;
  }
  for (const r of RELATIONS) {
    const w = wanted.get(r.name);
    if (!w || !(r.after ?? []).every((a) => done.made.includes(a))) continue;
    try {
      await makeOrRefresh(client, r, w.name, w.sql, plan.rowSecurity);
      done.made.push(r.name);
    } catch (e) {
      done.failed.push({ name: r.name, reason: (e as Error).message });
    }
  }
  return done;
}
