import { benchRun } from './bench-support.js';

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
