import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { SECOND } from './time.js';

export interface RequestLogEntry {
  method: string;
  path: string;
  /** The query as a URLSearchParams string. */
  query: string;
  /** 0 when the client got no whole response (socket reset, truncated body). */
  status: number;
  /** Arrival, ms since the epoch (real time). */
  startedAt: number;
  /** When the response ended or the socket closed. */
  finishedAt: number;
}

export interface RequestStats {
  /** Requests answered (or faulted) since the last reset. */
  requests: number;
  byStatus: Record<number, number>;
  /** Most arrivals within any 1000 ms window [t, t + 1000). */
  peakPerSecond: number;
  /** Most requests open at once, from arrival to response end. */
  peakInFlight: number;
}

/**
 * Every request the simulator got, for tests of how a client paces itself. Emits `arrive`
 * (method, path) when a request comes in and `answer` (the entry) when it is answered, so tests
 * wait for what happens instead of sleeping.
 */
export class RequestLog extends EventEmitter<{ arrive: [method: string, path: string]; answer: [entry: RequestLogEntry] }> {
  readonly entries: RequestLogEntry[] = [];
  private arrivals: number[] = [];
  private inFlight = 0;
  private peakInFlight = 0;
  /** Bumped by reset, so requests straddling it do not count in the new phase. */
  private phase = 0;

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  /** Notes an arrival; the returned function records the request's answer when it is sent. */
  arrive(res: ServerResponse, method: string, path: string): (method: string, url: URL, status: number) => void {
    const startedAt = this.now();
    const phase = this.phase;
    this.arrivals.push(startedAt);
    this.peakInFlight = Math.max(this.peakInFlight, ++this.inFlight);
    let entry: RequestLogEntry | undefined;
    res.once('close', () => {
      this.inFlight--;
      if (entry) entry.finishedAt = this.now();
    });
    this.emit('arrive', method, path);
    return (m, url, status) => {
      if (phase !== this.phase) return;
      entry = { method: m, path: url.pathname, query: url.searchParams.toString(), status, startedAt, finishedAt: this.now() };
      this.entries.push(entry);
      this.emit('answer', entry);
    };
  }

  stats(): RequestStats {
    const byStatus: Record<number, number> = {};
    for (const e of this.entries) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    return { requests: this.entries.length, byStatus, peakPerSecond: this.peakPerSecond(), peakInFlight: this.peakInFlight };
  }

  /** Starts a new phase: no entries, and peaks counted from the requests open now. */
  reset(): void {
    this.phase++;
    this.entries.length = 0;
    this.arrivals = [];
    this.peakInFlight = this.inFlight;
  }

  private peakPerSecond(): number {
    const t = [...this.arrivals].sort((a, b) => a - b);
    let peak = 0;
    for (let lo = 0, hi = 0; lo < t.length; lo++) {
      while (hi < t.length && t[hi]! < t[lo]! + SECOND) hi++;
      peak = Math.max(peak, hi - lo);
    }
    return peak;
  }
}
