import { keepRelations } from '../../src/sinks/postgres/relations/keep-relations.js';
import { RELATIONS } from '../../src/sinks/postgres/relations/relations.js';
import { ensureTeamAccess } from '../../src/sinks/postgres/relations/row-security.js';
import { benchSession, DATA_END, median } from './bench-support.js';

const INCIDENTS = Number(process.env.PDSYNC_BENCH_INCIDENTS ?? 100_000);
const LOG_ENTRIES = Number(process.env.PDSYNC_BENCH_LOG_ENTRIES ?? 1_000_000);
const STREAMS = ['incidents', 'log_entries', 'notifications', 'users', 'services', 'teams', 'change_events', 'oncall_shifts'];
/** The time each relation is filtered on for "the last 30 days". */
const TIME_COLUMN: Record<string, string> = {
  incident_metrics: 'created_at', incident_status_history: 'valid_from', service_weekly: 'week', oncall_load: 'week',
};

/**
 * The analytics relations at 100k incidents and 1M log entries: how long a run takes to make and to
 * refresh them, and how long `select * ... where <time> > <end of data> - 30 days` takes on each, as
 * materialized views (the default) and as the views over them that row security uses, read by a
 * role granted every team (median of 5).
 */
export async function relationQueries(): Promise<string[]> {
  const session = await benchSession({
    sim: { volume: { incidents: INCIDENTS, log_entries: LOG_ENTRIES } },
    inputs: { rate: 5000, concurrency: 8 },
    streams: STREAMS,
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
        const kind = rowSecurity ? 'view (row security)' : 'materialized view';
        if (rowSecurity) {
          // As a run with row_security: teams sets it up; the reader is granted every team, the widest answer.
          await ensureTeamAccess(client);
          await client.query(`INSERT INTO pdsync.team_access VALUES (current_user, '*') ON CONFLICT DO NOTHING`);
        }
        // The run made the materialized views: calling again refreshes them (or makes the views).
        const started = Date.now();
        const done = await keepRelations(client, { schema, tables, rowSecurity }, true);
        if (done.failed.length) throw new Error(`relations failed: ${JSON.stringify(done.failed)}`);
        out.push(`  ${kind}: ${rowSecurity ? 'made' : 'refreshed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        for (const r of RELATIONS) {
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
