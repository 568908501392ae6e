/** What a stream has done so far, as a progress line tells it. */
interface Doing {
  started: number;
  spokeAt: number;
  requests: number;
  rows: number;
  /** Parents (of a fan-out stream) or windows: done of total, once the total is known. */
  parts?: { done: number; total: number; noun: string };
  /** Rows in all, when the lists said. */
  totalRows?: number;
}

const CHECK_MS = 1000;

/** "2m05s", "45s". */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Without a terminal, nothing redraws: a stream that has said nothing for `quietMs` says where it
 * is (parents or windows done of total, requests, rows, rate, time left), so a cron log or a CI
 * job never shows minutes of silence during a long read.
 */
export class SilenceWatch {
  private readonly streams = new Map<string, Doing>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly quietMs: number,
    private readonly say: (line: string) => void,
  ) {
    // unref: a run that fails before stop() must still let the process exit.
    this.timer = setInterval(() => this.check(), Math.min(CHECK_MS, quietMs)).unref();
  }

  started(stream: string): void {
    const now = Date.now();
    this.streams.set(stream, { started: now, spokeAt: now, requests: 0, rows: 0 });
  }

  /** The stream printed a line: its silence starts again. */
  spoke(stream: string): void {
    const s = this.streams.get(stream);
    if (s) s.spokeAt = Date.now();
  }

  request(stream: string): void {
    const s = this.streams.get(stream);
    if (s) s.requests += 1;
  }

  rows(stream: string, rows: number): void {
    const s = this.streams.get(stream);
    if (s) s.rows = rows;
  }

  totalRows(stream: string, total: number): void {
    const s = this.streams.get(stream);
    if (s) s.totalRows = total;
  }

  /** Parts (parents or windows) to read in all. */
  parts(stream: string, total: number, noun: string): void {
    const s = this.streams.get(stream);
    if (s) s.parts = { done: 0, total, noun };
  }

  partDone(stream: string): void {
    const s = this.streams.get(stream);
    if (s?.parts) s.parts.done += 1;
  }

  finished(stream: string): void {
    this.streams.delete(stream);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const now = Date.now();
    for (const [name, s] of this.streams) {
      if (now - s.spokeAt < this.quietMs) continue;
      s.spokeAt = now;
      this.say(`${name}: ${this.where(s, now)}`);
    }
  }

  private where(s: Doing, now: number): string {
    const elapsed = now - s.started;
    const rate = s.requests / Math.max(1, elapsed / 1000);
    const parts = s.parts && `${s.parts.done}/${s.parts.total} ${s.parts.noun} done, `;
    // Time left from the parts done, else from the rows against the lists' total.
    const fraction = s.parts ? s.parts.done / Math.max(1, s.parts.total) : s.totalRows ? s.rows / s.totalRows : undefined;
    const left = fraction && fraction > 0 && fraction < 1 ? `, about ${duration((elapsed * (1 - fraction)) / fraction)} left` : '';
    return `reading for ${duration(elapsed)}: ${parts ?? ''}${s.requests} requests, ${s.rows} rows, ${rate.toFixed(1)} requests/s${left}`;
  }
}
