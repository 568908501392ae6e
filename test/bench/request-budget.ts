import { benchRun, median } from './bench-support.js';

/**
 * Share of the request budget a sustained sync uses at rate 5 with 3 in flight and 300 ms of
 * API latency: requests / (seconds x rate), the median of three runs. Target: at least 95%.
 */
export async function requestBudget(): Promise<string[]> {
  const shares: number[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await benchRun({
      sim: { latencyMs: 300, volume: { incidents: 2500, log_entries: 5000, notifications: 1500 } },
      inputs: { rate: 5, concurrency: 3 },
      streams: ['incidents', 'log_entries', 'notifications', 'users', 'services'],
    });
    const requests = r.summary.streams.reduce((n, s) => n + s.requests, 0);
    const runSeconds = (Date.parse(r.summary.finishedAt) - Date.parse(r.summary.startedAt)) / 1000;
    const share = requests / (runSeconds * 5);
    shares.push(share);
    lines.push(`  run ${i + 1}: ${requests} requests in ${runSeconds.toFixed(1)} s = ${(requests / runSeconds).toFixed(2)} req/s, ${(share * 100).toFixed(1)}% of budget`);
  }
  return [`request budget used at rate 5, 3 in flight, 300 ms latency: median ${(median(shares) * 100).toFixed(1)}%`, ...lines];
}
