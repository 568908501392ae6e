import type { Output } from './output.js';
import type { RunEvents } from '../runner/run-events.js';
import type { RequestEvent } from '../source/request-executor.js';
import { toQueryString } from '../source/query-string.js';
import type { StreamSummary } from './run-summary.js';
import type { RelationsDone } from '../sinks/target.js';
import { SilenceWatch } from './silence-watch.js';

export type ProgressStyle = 'tty' | 'plain' | 'quiet';

interface StreamProgress {
  rows: number;
  pages: number;
  total?: number;
  started: number;
  requests: number[];
  done?: StreamSummary;
}

const REDRAW_MS = 250;

/** Rows of a finished stream: written, and how many were read when that differs (records read twice, or rows staged by a run resumed). */
export function rowsDone(s: StreamSummary): string {
  const read =
    s.rowsRead === s.rowsWritten
      ? `${s.rowsWritten} rows`
      : s.rowsRead < s.rowsWritten
        ? `${s.rowsWritten} rows (${s.rowsRead} read now, the rest staged by an earlier run)`
        : `${s.rowsWritten} rows (${s.rowsRead} read, ${s.rowsRead - s.rowsWritten} of them repeats of a record already read)`;
  // Said only when the table changed less than it was read: an idle rerun says "0 new or changed".
  if (s.rowsChanged === s.rowsWritten && s.rowsRemoved === 0) return read;
  return `${read}; ${s.rowsChanged} new or changed${s.rowsRemoved ? `, ${s.rowsRemoved} removed` : ''}`;
}

/** What the relations step did, in one line: those made whole, and those kept by change with the rows computed again. */
export function relationsLine(done: RelationsDone): string | undefined {
  const parts: string[] = [];
  if (done.made.length) parts.push(`${done.made.join(', ')} made`);
  if (done.kept.length) {
    const rows = done.kept.reduce((n, k) => n + k.rows, 0);
    parts.push(`${done.kept.map((k) => k.name).join(', ')} kept by change (${rows} rows computed again)`);
  }
  return parts.length ? `relations: ${parts.join('; ')}` : undefined;
}

/**
 * Turns run events into output on stderr. On a terminal: a live block, one line per stream
 * (rows, pages, requests per second, ETA when the total is known). Elsewhere (cron, CI): one
 * plain line per event, no control characters, and a line for a stream silent for `quietMs`.
 * Quiet: warnings and failures only.
 */
export class ProgressReporter implements RunEvents {
  private readonly streams = new Map<string, StreamProgress>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly watch: SilenceWatch | undefined;

  constructor(
    private readonly output: Output,
    private readonly style: ProgressStyle,
    private readonly debug: boolean,
    quietMs: number,
  ) {
    // unref: a run that fails before close() must still let the process exit.
    if (style === 'tty') this.timer = setInterval(() => this.redraw(), REDRAW_MS).unref();
    if (style === 'plain') this.watch = new SilenceWatch(quietMs, (line) => this.output.err(line));
  }

  runStarted(runId: string, streams: number): void {
    this.print(`run ${runId}: started, ${streams} stream${streams === 1 ? '' : 's'}`, true);
  }

  streamStarted(stream: string, detail: string): void {
    this.streams.set(stream, { rows: 0, pages: 0, started: Date.now(), requests: [] });
    this.watch?.started(stream);
    this.line(`${stream}: started ${detail}`);
  }

  rowsRead(stream: string, rows: number, pages: number): void {
    const s = this.streams.get(stream);
    if (s) Object.assign(s, { rows, pages });
    this.watch?.rows(stream, rows);
  }

  totalKnown(stream: string, total: number): void {
    const s = this.streams.get(stream);
    if (s) s.total = total;
    this.watch?.totalRows(stream, total);
  }

  windowsKnown(stream: string, windows: number): void {
    this.watch?.parts(stream, windows, 'windows');
  }

  windowDone(stream: string, since: Date, until: Date, rows: number): void {
    this.watch?.partDone(stream);
    this.line(`${stream}: window ${since.toISOString()} .. ${until.toISOString()} done, ${rows} rows`);
  }

  parentsKnown(stream: string, parentStream: string, parents: number): void {
    this.watch?.parts(stream, parents, parentStream);
    this.line(`${stream}: ${parents} ${parentStream} to read it for, one request (or more) each`);
  }

  parentDone(stream: string): void {
    this.watch?.partDone(stream);
  }

  changesFound(stream: string, feed: string, records: number): void {
    this.line(`${stream}: ${records} records changed since the cursor, found through ${feed}`);
  }

  request(stream: string, e: RequestEvent): void {
    this.streams.get(stream)?.requests.push(Date.now());
    this.watch?.request(stream);
    if (this.debug) {
      const qs = toQueryString(e.query);
      this.print(
        `debug ${stream}: ${e.method} ${e.path}${qs ? `?${qs}` : ''} ${e.status ?? 'network error'} ${e.ms} ms${e.attempt > 1 ? ` (retry ${e.attempt - 1})` : ''}`,
      );
    }
  }

  notice(stream: string, line: string): void {
    this.print(`${stream}: ${line}`, true);
  }

  streamFinished(summary: StreamSummary): void {
    const s = this.streams.get(summary.stream);
    if (s) s.done = summary;
    this.watch?.finished(summary.stream);
    for (const w of summary.warnings) this.print(`${summary.stream}: warning: ${w}`, true);
    if (summary.status === 'ok') this.line(`${summary.stream}: finished, ${rowsDone(summary)}, ${summary.requests} requests`);
    else this.print(`${summary.stream}: ${summary.status === 'skipped' ? 'warning: skipped' : summary.status}: ${summary.reason}`, true);
  }

  relationsDone(done: RelationsDone): void {
    const line = relationsLine(done);
    if (line) this.line(line);
    for (const f of done.failed) this.print(`relations: warning: ${f.name} could not be made: ${f.reason}`, true);
  }

  /** Stops the live block; the summary follows it. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.watch?.stop();
    if (this.style === 'tty') this.redraw();
  }

  /** A progress event: a line in plain style, part of the live block on a terminal. */
  private line(text: string): void {
    if (this.style !== 'plain') return;
    this.output.err(text);
    this.watch?.spoke(text.slice(0, text.indexOf(':')));
  }

  /** A line every style shows (quiet only when important), above the live block. */
  private print(text: string, important = false): void {
    if (this.style === 'quiet' && !important && !this.debug) return;
    this.watch?.spoke(text.slice(0, text.indexOf(':')));
    if (this.style !== 'tty') return this.output.err(text);
    this.clearBlock();
    this.output.err(text);
    this.redraw();
  }

  private clearBlock(): void {
    if (this.drawn > 0) this.output.rawErr(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private redraw(): void {
    this.clearBlock();
    const now = Date.now();
    const lines = [...this.streams].map(([name, s]) => {
      const recent = s.requests.filter((t) => t > now - 5000);
      s.requests = recent;
      // A finished stream keeps its average rate; a running one shows the last five seconds'.
      const rate = s.done
        ? s.done.requests / Math.max(1, s.done.durationMs / 1000)
        : recent.length / Math.min(5, Math.max(1, (now - s.started) / 1000));
      // The total grows as windows are counted, and the change feed adds rows to it: never "2/1 rows".
      const total = s.total !== undefined && s.total >= s.rows ? s.total : undefined;
      const of = total !== undefined ? `/${total}` : '';
      const eta =
        total !== undefined && s.rows > 0 && !s.done
          ? `  ETA ${Math.max(0, Math.round(((total - s.rows) * (now - s.started)) / s.rows / 1000))} s`
          : '';
      const state = s.done ? `  ${s.done.status}` : '';
      return `${name.padEnd(20)} ${String(s.rows).padStart(8)}${of} rows  ${String(s.pages).padStart(5)} pages  ${rate.toFixed(1)} req/s${eta}${state}`;
    });
    if (lines.length) this.output.rawErr(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
