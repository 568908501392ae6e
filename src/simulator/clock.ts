/** The simulator's "now": what incident and on-call defaults and mutation timestamps read. */
export interface Clock {
  now(): Date;
  /** Stops the clock at `d` (it stays there until set or advanced again). */
  set(d: Date): void;
  /** Moves the clock forward (or back, for a negative ms). */
  advance(ms: number): void;
}

/** A clock reading a source (the `now` option, else real time) plus whatever tests advanced it by. */
export class SimClock implements Clock {
  private offsetMs = 0;

  constructor(private source: () => Date = () => new Date()) {}

  now(): Date {
    return new Date(this.source().getTime() + this.offsetMs);
  }

  set(d: Date): void {
    const ms = d.getTime();
    if (Number.isNaN(ms)) throw new RangeError('clock.set: invalid date');
    this.source = () => new Date(ms);
    this.offsetMs = 0;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clock.advance: ${ms} is not a number of milliseconds`);
    this.offsetMs += ms;
  }
}
