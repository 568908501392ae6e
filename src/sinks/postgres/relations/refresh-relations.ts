import type { PoolClient } from 'pg';
import type { RelationPlan } from '../../../plan/plan.js';
import { tableExists } from '../privileges.js';
import { qualified } from '../sql.js';
import { incidentMetrics } from './incident-metrics.js';
import { oncallLoad } from './oncall-load.js';
import type { Relation, Tables } from './relation.js';
import { createRelation, current, dropRelation, type RelationObjects, relationObjects, tagOf } from './relation-objects.js';
import { serviceWeekly } from './service-weekly.js';
import { statusHistory } from './status-history.js';

/** In the order they are made: a relation comes after those it reads. */
export const RELATIONS: Relation[] = [incidentMetrics, statusHistory, serviceWeekly, oncallLoad];

export interface RelationsDone {
  made: string[];
  failed: { name: string; reason: string }[];
}

/** Makes one relation, or refreshes it without blocking readers. One made by another definition was dropped first (see dropChanged). */
async function makeOrRefresh(client: PoolClient, r: Relation, o: RelationObjects, sql: string): Promise<void> {
  const now = await current(client, o.name);
  if (now && !now.comment?.includes(tagOf(sql, o.secure))) {
    throw new Error(`${o.name} exists and was not made by pdsync: rename or drop it, or turn relations off (target_options: {relations: false})`);
  }
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL statement_timeout = 0');
    if (now) await client.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${o.data}`);
    else await createRelation(client, r, o, sql);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

interface Wanted {
  objects: RelationObjects;
  sql: string;
}

/**
 * Drops the relations whose definition changed (or that row security turned on or off), and those
 * made from them, dependents first: they are all made again. A relation that is not pdsync's (no
 * tag) is left alone, and fails to be made.
 */
async function dropChanged(client: PoolClient, schema: string, wanted: Map<string, Wanted>): Promise<void> {
  const remake = new Set<string>();
  for (const r of RELATIONS) {
    const w = wanted.get(r.name);
    if (!w) continue;
    const now = await current(client, w.objects.name);
    const ours = now?.comment?.includes('[pdsync ');
    if ((ours && !now!.comment!.includes(tagOf(w.sql, w.objects.secure))) || (r.after ?? []).some((a) => remake.has(a))) remake.add(r.name);
  }
  for (const r of [...RELATIONS].reverse()) if (remake.has(r.name)) await dropRelation(client, schema, r.name);
}

/**
 * Makes or refreshes every relation whose inputs the target holds (or only those named); one that
 * fails is reported, the others go on.
 */
export async function refreshRelations(client: PoolClient, plan: RelationPlan, only?: readonly string[]): Promise<RelationsDone> {
  const present = new Set<string>();
  for (const [stream, table] of Object.entries(plan.tables)) if (await tableExists(client, table)) present.add(stream);
  const tables: Tables = Object.fromEntries(Object.entries(plan.tables).map(([s, t]) => [s, qualified(t)]));
  // Relations read each other's data, never the filtered view a reader sees.
  for (const r of RELATIONS) tables[r.name] = relationObjects(plan.schema, r.name, plan.rowSecurity).data;
  const wanted = new Map<string, Wanted>();
  for (const r of RELATIONS) {
    if (!r.needs.every((s) => present.has(s)) || (only && !only.includes(r.name))) continue;
    wanted.set(r.name, { objects: relationObjects(plan.schema, r.name, plan.rowSecurity), sql: r.sql(tables, (s) => present.has(s)) });
  }
  const done: RelationsDone = { made: [], failed: [] };
  try {
    await dropChanged(client, plan.schema, wanted);
  } catch (e) {
    done.failed.push({ name: 'relations', reason: (e as Error).message });
    return done;
  }
  for (const r of RELATIONS) {
    const w = wanted.get(r.name);
    // Refreshing some alone (as `pdsync listen` does) leaves the others as they are.
    if (!w || !(only || (r.after ?? []).every((a) => done.made.includes(a)))) continue;
    try {
      await makeOrRefresh(client, r, w.objects, w.sql);
      done.made.push(r.name);
    } catch (e) {
      done.failed.push({ name: r.name, reason: (e as Error).message });
    }
  }
  return done;
}
