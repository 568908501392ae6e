import type { Mode } from '../config/replication.js';

export type StreamStatus = 'ok' | 'failed' | 'skipped';

export interface StreamSummary {
  stream: string;
  object: string;
  mode: Mode;
  status: StreamStatus;
  rowsRead: number;
  rowsWritten: number;
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

/** Human lines for stderr: one per stream, then a total. */
export function formatSummary(summary: RunSummary): string {
  const lines = summary.streams.map((s) => {
    const head = `${s.stream.padEnd(20)} ${s.mode.padEnd(12)} ${s.status.padEnd(7)} ${String(s.rowsWritten).padStart(8)} rows ${String(s.requests).padStart(6)} requests ${(s.durationMs / 1000).toFixed(1).padStart(6)} s  -> ${s.object}`;
    return s.reason ? `${head}\n    ${s.reason}` : head;
  });
  const rows = summary.streams.reduce((n, s) => n + s.rowsWritten, 0);
  const requests = summary.streams.reduce((n, s) => n + s.requests, 0);
  const seconds = (Date.parse(summary.finishedAt) - Date.parse(summary.startedAt)) / 1000;
  const failed = summary.streams.filter((s) => s.status === 'failed').length;
  lines.push(
    `${failed ? `FAILED: ${failed} of ${summary.streams.length} streams` : `ok: ${summary.streams.length} streams`}, ${rows} rows, ${requests} requests, ${seconds.toFixed(1)} s`,
  );
  return lines.join('\n');
}
