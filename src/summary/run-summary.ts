import type { Mode } from '../config/replication.js';

/** `interrupted`: stopped by SIGINT/SIGTERM before it published (or before it started). */
export type StreamStatus = 'ok' | 'failed' | 'skipped' | 'interrupted';

export interface StreamSummary {
  stream: string;
  object: string;
  mode: Mode;
  status: StreamStatus;
  rowsRead: number;
  rowsWritten: number;
  /** Of the rows written, those new or changed, and rows removed (a full refresh's records gone at the source). */
  rowsChanged: number;
  rowsRemoved: number;
  requests: number;
  retries: number;
  durationMs: number;
  warnings: string[];
  /** Why a stream was skipped or failed. */
  reason?: string;
}

export interface RunSummary {
  runId: string;
  status: 'ok' | 'failed' | 'interrupted';
  startedAt: string;
  finishedAt: string;
  streams: StreamSummary[];
}

/** Human lines for stderr: a header, one line per stream (and its reason), then a total naming the run, as pdsync.runs does. */
export function formatSummary(summary: RunSummary): string {
  const head = `${'stream'.padEnd(20)} ${'mode'.padEnd(12)} ${'status'.padEnd(11)} ${'read'.padStart(8)} ${'written'.padStart(8)} ${'requests'.padStart(8)} ${'retries'.padStart(7)} ${'seconds'.padStart(7)}  table`;
  const lines = [head];
  for (const s of summary.streams) {
    lines.push(
      `${s.stream.padEnd(20)} ${s.mode.padEnd(12)} ${s.status.padEnd(11)} ${String(s.rowsRead).padStart(8)} ${String(s.rowsWritten).padStart(8)} ${String(s.requests).padStart(8)} ${String(s.retries).padStart(7)} ${(s.durationMs / 1000).toFixed(1).padStart(7)}  ${s.object}`,
    );
    if (s.reason) lines.push(`    ${s.reason}`);
  }
  const rows = summary.streams.reduce((n, s) => n + s.rowsWritten, 0);
  const requests = summary.streams.reduce((n, s) => n + s.requests, 0);
  const seconds = (Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000;
  const failed = summary.streams.filter((s) => s.status === 'failed').length;
  const skipped = summary.streams.filter((s) => s.status === 'skipped').length;
  const stopped = summary.streams.filter((s) => s.status === 'interrupted' || s.status === 'failed').length;
  const verdict =
    summary.status === 'interrupted'
      ? `INTERRUPTED: ${stopped} of ${summary.streams.length} streams rolled back or not started`
      : failed
        ? `FAILED: ${failed} of ${summary.streams.length} streams`
        : `ok: ${summary.streams.length} streams${skipped ? ` (${skipped} skipped)` : ''}`;
  lines.push(`${verdict}, ${rows} rows, ${requests} requests, ${seconds.toFixed(1)} s (run ${summary.runId})`);
  return lines.join('\n');
}
