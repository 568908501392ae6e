import type { PoolClient } from 'pg';
import type { RelationPlan } from '../../src/plan/plan.js';
import { keepRelations } from '../../src/sinks/postgres/relations/keep-relations.js';
import { recordTouches } from '../../src/sinks/postgres/relations/pending.js';
import { RELATIONS } from '../../src/sinks/postgres/relations/relations.js';
import { ensureTeamAccess } from '../../src/sinks/postgres/row-security.js';
import { benchSession, DATA_END, median } from './bench-support.js';

const INCIDENTS = Number(process.env.PDSYNC_BENCH_INCIDENTS ?? 100_000);
const LOG_ENTRIES = Number(process.env.PDSYNC_BENCH_LOG_ENTRIES ?? 1_000_000);
const STREAMS = ['incidents', 'log_entries', 'notifications', 'users', 'services', 'teams', 'change_events', 'oncall_shifts'];
/** The time each relation is filtered on for "the last 30 days". */
const TIME_COLUMN: Record<string, string> = {
  incident_metrics: 'created_at', incident_status_history: 'valid_from', service_weekly: 'week', oncall_load: 'week',
};
const TIMES = 3;

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** What a load of `n` changed incidents records as pending (their rows, their log entries and shifts' weeks), then the upkeep of it. */
async function upkeepAfter(client: PoolClient, plan: RelationPlan, n: number, round: number): Promise<number> {
  const s = `"${plan.schema}"`;
  const ids = `(SELECT id FROM ${s}.incidents ORDER BY md5(id || '${round}') LIMIT ${n})`;
  await client.query('BEGIN');
  await recordTouches(client, plan, 'incidents', `(SELECT * FROM ${s}.incidents WHERE id IN ${ids})`);
  await recordTouches(client, plan, 'log_entries', `(SELECT * FROM ${s}.log_entries WHERE incident->>'id' IN ${ids})`);
  await recordTouches(client, plan, 'oncall_shifts', `(SELECT x.* FROM ${s}.oncall_shifts x ORDER BY md5(x::text || '${round}') LIMIT ${Math.ceil(n / 10)})`);
  await client.query('COMMIT');
  return seconds(() => keepRelations(client, plan));
}

const fmt = (xs: number[]) => `median ${median(xs).toFixed(2)} s (max ${Math.max(...xs).toFixed(2)} s) over ${xs.length}`;

/**
 * The analytics relations at 100k incidents and 1M log entries, side by side: computed whole (what
 * every run did before they were kept by change, a REFRESH of each) against their upkeep by change
 * after an idle run, a run that changed 100 incidents, and a listen batch (50 incidents); then how
 * long `select * ... where <time> > <end of data> - 30 days` takes on each, without and with row
 * security (a role granted every team).
 */
export async function relationQueries(): Promise<string[]> {
  const session = await benchSession({
    sim: { volume: { incidents: INCIDENTS, log_entries: LOG_ENTRIES } },
    inputs: { rate: 5000, concurrency: 8 },
    streams: STREAMS,
    mode: 'incremental',
  });
  try {
    const run = await session.run();
    const rows = Object.fromEntries(run.summary.streams.map((s) => [s.stream, s.rowsWritten]));
    const out = [`relations bench: ${rows.incidents} incidents, ${rows.log_entries} log entries, ${rows.notifications} notifications, ${rows.oncall_shifts} on-call shifts (sync ${run.seconds.toFixed(0)} s)`];
    const schema = session.db.schema;
    const tables = Object.fromEntries(STREAMS.map((s) => [s, { schema, table: s }]));
    const client = await session.db.pool.connect();
    try {
      for (const rowSecurity of [false, true]) {
        const plan = { schema, tables, rowSecurity };
        const kind = rowSecurity ? 'with row security' : 'without row security';
        if (rowSecurity) {
          // As a run with row_security: teams sets it up; the reader is granted every team, the widest answer.
          await ensureTeamAccess(client);
          await client.query(`INSERT INTO pdsync.team_access VALUES (current_user, '*') ON CONFLICT DO NOTHING`);
          await keepRelations(client, plan, true);
        }
        const whole: number[] = [];
        const idle: number[] = [];
        const changed: number[] = [];
        const batch: number[] = [];
        for (let i = 0; i < TIMES; i++) {
          whole.push(await seconds(() => keepRelations(client, plan, true)));
          idle.push(await seconds(() => keepRelations(client, plan)));
          changed.push(await upkeepAfter(client, plan, 100, i));
          batch.push(await upkeepAfter(client, plan, 50, i + TIMES));
        }
        out.push(`  ${kind}: computed whole (each run before) ${fmt(whole)}`);
        out.push(`  ${kind}: kept by change, idle run ${fmt(idle)}; run that changed 100 incidents ${fmt(changed)}; listen batch of 50 incidents ${fmt(batch)}`);
        out.push(`  ${kind}: ratio whole / 100 changed ${(median(whole) / median(changed)).toFixed(0)}x`);
        for (const r of RELATIONS.filter((x) => TIME_COLUMN[x.name])) {
          const sql = `SELECT * FROM "${schema}"."${r.name}" WHERE "${TIME_COLUMN[r.name]}" > $1::timestamptz - interval '30 days'`;
          const ms: number[] = [];
          let n = 0;
          for (let i = 0; i < 5; i++) {
            const started = process.hrtime.bigint();
            n = (await client.query(sql, [DATA_END])).rowCount ?? 0;
            ms.push(Number(process.hrtime.bigint() - started) / 1e6);
          }
          out.push(`  ${kind} ${r.name}: last 30 days, ${n} rows, median ${median(ms).toFixed(0)} ms (max ${Math.max(...ms).toFixed(0)} ms) over 5`);
        }
      }
    } finally {
      client.release();
    }
    return out;
  } finally {
    await session.close();
  }
}
