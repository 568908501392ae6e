import type { PoolClient } from 'pg';
import { stagedWindowsProvable } from '../../../catalogue/catalogue.js';
import type { PlannedStream } from '../../../plan/plan.js';
import { insideAny } from '../../../source/stream-item.js';
import { forgetParts, type LoadRow, registerLoad, RESUME_WITHIN_MS } from '../bookkeeping/load-registry.js';
import { tableExists } from '../privileges.js';
import { ident, qualified } from '../sql.js';
import { PART } from '../tables/table-layout.js';
import { keepParts, sameColumns, type StagingTable } from './staging-table.js';

export interface Resumed {
  parts: Set<string>;
  rows: number;
  /** When the run that staged them began, by the database's clock. */
  startedAt: Date;
  /** That run's end of history, by the API's clock: what changed since is read again through the change feed. */
  until: Date;
}

/** What became of the load a killed run left: resumed, or dropped (`unprovable`: its windows cannot be proven current). */
export type Previous = { resumed: Resumed } | { resumed?: undefined; unprovable: boolean };

/**
 * The staging a killed run left, resumed when it is recent, of the same mode and shape, and of a
 * stream whose staged windows can be proven current (see stagedWindowsProvable): the parts it
 * finished inside this run's windows are kept (the rest of its rows dropped), for the runner to
 * count again at the source.
 */
export async function resumeStaging(
  client: PoolClient, stream: PlannedStream, staging: StagingTable, previous: LoadRow, o: { mode: string; runId: string; replication: string; windows: { since: Date; until: Date }[] },
): Promise<Previous> {
  const fresh = Date.now() - previous.started_at.getTime() < RESUME_WITHIN_MS;
  if (previous.mode !== o.mode || previous.staging !== staging.name.table || !fresh) return { unprovable: false };
  if (!stagedWindowsProvable(stream.spec)) return { unprovable: true };
  if (!(await tableExists(client, staging.name)) || !(await sameColumns(client, staging))) return { unprovable: false };
  const kept = previous.parts_done.filter((part) => insideAny(part, o.windows));
  if (kept.length === 0) return { unprovable: false };
  const rows = await keepParts(client, staging, kept);
  await registerLoad(client, stream.name, stream.object, { ...previous, run_id: o.runId, replication: o.replication }, kept);
  return { resumed: { parts: new Set(kept), rows, startedAt: previous.started_at, until: previous.until } };
}

/** Distinct keys staged per part: what the source listed in each window when it was staged. */
export async function stagedKeys(client: PoolClient, staging: StagingTable, key: string[]): Promise<Map<string, number>> {
  const { rows } = await client.query<{ part: string; n: string }>(
    `SELECT ${ident(PART)} AS part, count(DISTINCT (${key.map(ident).join(', ')})) AS n FROM ${qualified(staging.name)} GROUP BY 1`,
  );
  return new Map(rows.map((r) => [r.part, Number(r.n)]));
}

/** Drops staged parts (their rows, and their mark as done): they are read again. Returns what stays resumed. */
export async function dropParts(client: PoolClient, stream: PlannedStream, staging: StagingTable, resumed: Resumed, parts: string[]): Promise<Resumed | undefined> {
  await client.query(`DELETE FROM ${qualified(staging.name)} WHERE ${ident(PART)} = ANY($1)`, [parts]);
  await forgetParts(client, stream.name, stream.object, parts);
  const left = [...resumed.parts].filter((p) => !parts.includes(p));
  if (left.length === 0) return undefined;
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(staging.name)}`);
  return { ...resumed, parts: new Set(left), rows: Number(rows[0]!.n) };
}
