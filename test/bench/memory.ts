import { benchRun, buildRef, median } from './bench-support.js';

/** The 13 streams Sling's PagerDuty connector has. */
const SLING = ['users', 'teams', 'services', 'escalation_policies', 'schedules', 'priorities', 'tags', 'business_services', 'oncalls', 'vendors', 'incidents', 'log_entries', 'notifications'];
const ROWS = Number(process.env.PDSYNC_BENCH_ROWS ?? 1_000_000);
/** The build to compare with: before memory was bounded by batches. */
const BASELINE_REF = process.env.PDSYNC_BENCH_MEMORY_REF ?? 'a3eb3e3';
const TIMES = 3;

interface Figures {
  rss: number[];
  rate: number[];
}

/**
 * Peak RSS of a `pdsync run` measured from outside (/usr/bin/time), side by side with the baseline
 * build, alternating: the 13 Sling streams at the simulator's default scale (1,200 incidents), and
 * a load of 1M log entries (its rows/s too). Goals: at most 120 MB and 150 MB, rows/s within 10%.
 */
export async function memory(): Promise<string[]> {
  const baseline = buildRef(BASELINE_REF);
  try {
    const out: string[] = [];
    const cases = [
      { name: '13 Sling streams, 1,200 incidents', streams: SLING, sim: {} },
      { name: `${ROWS} log entries`, streams: ['log_entries'], sim: { volume: { log_entries: ROWS, incidents: ROWS / 10 } } },
    ];
    for (const c of cases) {
      const figures: Record<'before' | 'now', Figures> = { before: { rss: [], rate: [] }, now: { rss: [], rate: [] } };
      for (let i = 0; i < TIMES; i++) {
        for (const which of ['before', 'now'] as const) {
          const r = await benchRun({
            sim: c.sim,
            inputs: { rate: 100_000, concurrency: 8, anchor_date: '2024-01-01T00:00:00Z' },
            streams: c.streams,
            ...(which === 'before' ? { bin: baseline.bin } : {}),
          });
          const rows = r.summary.streams.reduce((n, s) => n + s.rowsWritten, 0);
          figures[which].rss.push(r.maxRssMb);
          figures[which].rate.push(rows / r.seconds);
        }
      }
      const f = (x: Figures) => `peak RSS median ${median(x.rss).toFixed(0)} MB (max ${Math.max(...x.rss).toFixed(0)}), ${Math.round(median(x.rate))} rows/s`;
      out.push(`memory, ${c.name}: now ${f(figures.now)}; before (${BASELINE_REF}) ${f(figures.before)}; rows/s ratio ${(median(figures.now.rate) / median(figures.before.rate)).toFixed(2)} (medians of ${TIMES})`);
    }
    return out;
  } finally {
    baseline.remove();
  }
}
