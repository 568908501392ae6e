import { isFile, type TargetConnection } from '../config/connections.js';
import type { TargetNow } from '../plan/cost-estimate.js';
import type { Plan } from '../plan/plan.js';
import { FileTarget } from '../sinks/files/file-target.js';
import { openDatabase } from '../sinks/postgres/open-database.js';
import { PostgresTarget } from '../sinks/postgres/postgres-target.js';
import type { Load, Target } from '../sinks/target.js';
import type { CommandContext } from './context.js';
import { POOL_SIZE } from './sync-with-progress.js';

/** A run's target, opened: what `--dry-run` reads of it, and how to close it. */
export interface OpenedTarget {
  target: Target<Load>;
  /** Saved cursors and the rows each stream's table holds now, for the plan's cost. */
  now(plan: Plan): Promise<TargetNow>;
  close(): Promise<void>;
}

/** For the cost of the plan: the rows each stream's table (a backfill's: of its range; each child stream's parent's table) holds now. */
async function tableRows(thePlan: Plan, target: PostgresTarget): Promise<Map<string, number | undefined>> {
  const out = new Map<string, number | undefined>();
  for (const s of thePlan.streams) {
    out.set(s.name, s.range ? await target.rowsInRange(s) : await target.rowCount(s.object));
    const parent = s.parent && thePlan.streams.find((p) => p.name === s.parent!.spec.name);
    const table = parent?.object ?? (s.parent && thePlan.relations?.tables[s.parent.spec.name]);
    if (s.parent && table && !out.has(s.parent.spec.name)) out.set(s.parent.spec.name, await target.rowCount(table));
  }
  return out;
}

/** The replication's target: its database (the embedded server started first when asked), or its folder of files. */
export async function openTarget(conn: TargetConnection, thePlan: Plan, ctx: CommandContext, trial: boolean): Promise<OpenedTarget> {
  if (isFile(conn)) {
    const files = await FileTarget.open(thePlan, trial);
    // Files hold no row counts worth a read: a plan's cost is then a floor, as for tables not synced yet.
    return { target: files, now: async (p) => ({ cursors: await files.savedCursors(p.streams), rows: new Map() }), close: async () => undefined };
  }
  const database = await openDatabase(conn, ctx.cwd, ctx.env);
  try {
    if (database.where) ctx.output.err(`pdsync: target ${thePlan.target.name}: ${database.where}`);
    const target = await PostgresTarget.connect(database.url, POOL_SIZE, thePlan.target.name);
    return {
      target,
      now: async (p) => ({ cursors: await target.savedCursors(p.streams), rows: await tableRows(p, target) }),
      close: async () => {
        try {
          await target.close();
        } finally {
          await database.close();
        }
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}
