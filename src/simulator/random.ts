/**
 * Seeded randomness without shared state: every value is a hash of (seed, namespace, index, salt),
 * so record i of a stream never needs records 0..i-1.
 */

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of small non-negative integers. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = mix(h ^ mix((p >>> 0) + 0x7f4a7c15));
  return h;
}

/** A uniform number in [0, 1) from the same parts. */
export function unitHash(...parts: number[]): number {
  return hash32(...parts) / 4294967296;
}

/** A small mulberry32 generator for the many fields of one record. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** A choice by weight: [[value, weight], ...]. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [value, w] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    return choices[choices.length - 1]![0];
  }

  /** `count` distinct integers from [0, n), in draw order (all of them when count >= n). */
  distinct(n: number, count: number): number[] {
    const out: number[] = [];
    const want = Math.min(n, count);
    while (out.length < want) {
      const x = this.int(n);
      if (!out.includes(x)) out.push(x);
    }
    return out;
  }

  hex(length: number): string {
    let s = '';
    while (s.length < length) s += this.int(16).toString(16);
    return s;
  }
}

export function rngFor(...parts: number[]): Rng {
  return new Rng(hash32(...parts));
}
