import { SECOND } from './time.js';

/** Times of an ordered stream: msAt is non-decreasing in the index, so a window is two binary searches. */
export interface TimeIndex {
  readonly length: number;
  msAt(index: number): number;
}

/** The first index whose time is at or after `ms` (length when none is). */
export function firstAtOrAfter(times: TimeIndex, ms: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times.msAt(mid) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Extra records inside [startMs, endMs), on top of the even spread. */
export interface TimelineBurst {
  startMs: number;
  endMs: number;
  count: number;
}

interface Segment {
  first: number;
  count: number;
  startS: number;
  durationS: number;
}

/**
 * Spreads `count` records evenly over [startMs, endMs), plus bursts, at whole seconds. Record i
 * sits in its own slot of the segment (slot start + bounded jitter), so times strictly increase
 * and are computed from i alone.
 */
export class Timeline implements TimeIndex {
  readonly length: number;
  private readonly segments: Segment[] = [];

  constructor(
    startMs: number,
    endMs: number,
    count: number,
    bursts: readonly TimelineBurst[],
    private readonly jitter: (index: number) => number,
  ) {
    const startS = Math.ceil(startMs / SECOND);
    const spanS = Math.floor(endMs / SECOND) - startS;
    const cuts = new Set([startS, startS + spanS]);
    for (const b of bursts) {
      if (b.startMs < startMs || b.endMs > endMs) throw new RangeError('a burst lies outside the data span');
      cuts.add(b.startMs / SECOND).add(b.endMs / SECOND);
    }
    const points = [...cuts].sort((a, b) => a - b);
    const evenBefore = (s: number) => Math.floor((count * (s - startS)) / spanS);
    let first = 0;
    for (let k = 0; k + 1 < points.length; k++) {
      const [a, b] = [points[k]!, points[k + 1]!];
      const extra = bursts.filter((x) => x.startMs / SECOND <= a && x.endMs / SECOND >= b).reduce((s, x) => s + x.count, 0);
      const n = evenBefore(b) - evenBefore(a) + extra;
      if (n > b - a) throw new RangeError(`${n} records cannot have distinct seconds in ${b - a} s`);
      if (n > 0) this.segments.push({ first, count: n, startS: a, durationS: b - a });
      first += n;
    }
    this.length = first;
  }

  msAt(index: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.first <= index) lo = mid;
      else hi = mid - 1;
    }
    const seg = this.segments[lo]!;
    const k = index - seg.first;
    const slot = Math.floor((k * seg.durationS) / seg.count);
    const next = Math.floor(((k + 1) * seg.durationS) / seg.count);
    return (seg.startS + slot + Math.floor(this.jitter(index) * (next - slot))) * SECOND;
  }
}
