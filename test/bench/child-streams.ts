import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { benchSession } from './bench-support.js';

const INCIDENTS = Number(process.env.PDSYNC_BENCH_INCIDENTS ?? 2400);
const CHILDREN = ['incident_notes', 'incident_alerts', 'team_members'];

/**
 * Every catalogue stream, incremental where it can be: requests per 1,000 rows of a first run, and
 * what the child streams cost on the first run, an idle rerun, and a rerun after 10 incidents changed.
 */
export async function childStreamCost(): Promise<string[]> {
  const streams = Object.keys((await loadCatalogue()).streams);
  const session = await benchSession({ sim: { volume: { incidents: INCIDENTS } }, inputs: { rate: 2000, concurrency: 8 }, streams, mode: 'incremental' });
  try {
    const first = await session.run();
    const idle = await session.run();
    session.sim.clock.advance(3_600_000);
    for (const id of session.sim.dataset.ids('incidents').slice(0, 10)) session.sim.dataset.addNote(id, `postmortem note for ${id}`);
    session.sim.clock.advance(60_000);
    const changed = await session.run();
    const of = (r: typeof first, names: string[]) => r.summary.streams.filter((s) => names.includes(s.stream)).reduce((n, s) => n + s.requests, 0);
    const rows = first.summary.streams.reduce((n, s) => n + s.rowsWritten, 0);
    const total = of(first, streams);
    return [
      `all ${streams.length} streams, incremental, ${INCIDENTS} incidents: first run ${total} requests for ${rows} rows (${((total / rows) * 1000).toFixed(1)} per 1,000 rows), ${first.seconds.toFixed(1)} s`,
      ...CHILDREN.map((c) => `  ${c}: first run ${of(first, [c])} requests, idle rerun ${of(idle, [c])}, rerun after 10 changed incidents ${of(changed, [c])}`),
      `  every stream: idle rerun ${of(idle, streams)} requests, rerun after 10 changed incidents ${of(changed, streams)}`,
    ];
  } finally {
    await session.close();
  }
}
