import { startSimulator } from '../../src/simulator/server.js';
import { envYaml, pdsync, SIM_KEY, workspace } from '../support/cli.js';
import { testDatabase } from '../support/database.js';
import { benchRun, DATA_END } from './bench-support.js';

/**
 * Requests per 1,000 incidents for two years of history holding one day of 17,000 incidents;
 * the ideal is 10 (one page of 100 per request). Also the two ways of catching late status
 * changes of old incidents: the log-entry change feed against re-reading a look-back window.
 */
export async function incidentRequests(): Promise<string[]> {
  const r = await benchRun({
    sim: { volume: { incidents: 20_000 }, burst: { stream: 'incidents', day: '2025-06-15', count: 17_000 } },
    inputs: { rate: 1000, concurrency: 6, anchor_date: '2024-05-01T00:00:00Z' },
    streams: ['incidents'],
  });
  const s = r.summary.streams[0]!;
  return [
    `incidents, two years with a 17,000-incident day: ${s.rowsWritten} rows, ${s.requests} requests = ${((s.requests / s.rowsWritten) * 1000).toFixed(2)} per 1,000 incidents (ideal 10)`,
  ];
}

/**
 * Late status changes of old incidents, two ways, after one day in which 40 old incidents were
 * resolved and 50 new ones created, over 20,000 incidents: the change feed (log entries since the
 * cursor with include[]=incidents, what pdsync does) against re-reading a six-month look-back
 * window (which still misses incidents older than six months).
 */
export async function lateChangeRequests(): Promise<string[]> {
  const sim = await startSimulator({ port: 0, seed: 42, dataEnd: DATA_END, now: () => DATA_END, volume: { incidents: 20_000 } });
  const db = await testDatabase('late');
  try {
    const replication = (mode: string) =>
      `source: PAGERDUTY\ntarget: PG\ndefaults:\n  mode: ${mode}\n  object: ${db.schema}.{stream_name}\nstreams:\n  incidents:\n`;
    const cwd = workspace({ 'env.yaml': envYaml(sim.url, db.url, { rate: 1000, concurrency: 6 }), 'incr.yaml': replication('incremental') });
    const run = async (file: string) => {
      const r = await pdsync(['run', file, '--json', '--quiet'], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
      if (r.code !== 0) throw new Error(r.stderr);
      return (JSON.parse(r.stdout) as { streams: { requests: number }[] }).streams[0]!.requests;
    };
    await run('incr.yaml');
    sim.clock.advance(3_600_000);
    const open = [...sim.dataset.records('incidents')].filter((r) => r.status !== 'resolved').map((r) => String(r.id));
    const old = sim.dataset.ids('incidents').slice(0, 2_000).filter((_, i) => i % 50 === 0);
    for (const id of old) {
      if (!open.includes(id)) sim.dataset.updateRecord('incidents', id, { status: 'acknowledged', resolved_at: null });
      sim.dataset.resolveIncident(id);
    }
    sim.dataset.addIncidents(50);
    sim.clock.advance(86_400_000);
    const feed = await run('incr.yaml');
    const lookback = new Date(DATA_END.getTime() + 86_400_000 - 180 * 86_400_000).toISOString();
    const lookCwd = workspace({
      'env.yaml': envYaml(sim.url, db.url, { rate: 1000, concurrency: 6, anchor_date: lookback }),
      'full.yaml': replication('full-refresh').replace(`${db.schema}.{stream_name}`, `${db.schema}.lookback_{stream_name}`),
    });
    const r = await pdsync(['run', 'full.yaml', '--json', '--quiet'], { cwd: lookCwd, env: { PAGERDUTY_API_KEY: SIM_KEY } });
    const window = (JSON.parse(r.stdout) as { streams: { requests: number }[] }).streams[0]!.requests;
    return [
      `late changes after one day (${old.length} old incidents resolved, 50 created, 20,000 in all): change feed ${feed} requests; six-month look-back ${window} requests (and it misses incidents older than six months)`,
    ];
  } finally {
    await sim.close();
    await db.drop();
  }
}
