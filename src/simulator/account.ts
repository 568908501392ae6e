import { ChildSlots } from './child-slots.js';
import { GENERATED_STREAMS, type GeneratedStream, generatorOf } from './generators.js';
import { IdCodec, MAX_INDEX } from './ids.js';
import { OrgChart } from './org-chart.js';
import { type Rng, rngFor, unitHash } from './random.js';
import { DAY, SECOND } from './time.js';
import { Timeline } from './timeline.js';

export type { GeneratedStream } from './generators.js';

export const SPAN_DAYS = 730;

/** Extra incidents on one UTC day, on top of the even spread: for tests of the 10,000-offset cap. */
export interface IncidentBurst {
  stream: 'incidents';
  day: string;
  count: number;
}

export interface AccountOptions {
  seed: number;
  dataEnd: Date;
  volume?: Partial<Record<string, number>>;
  burst?: IncidentBurst | readonly IncidentBurst[];
}

/** A stream's records when no volume is asked for. */
function defaultVolume(stream: GeneratedStream, incidents: number): number {
  const v = generatorOf(stream)!.volume;
  return typeof v === 'number' ? v : v({ incidents, days: SPAN_DAYS });
}

function resolveVolumes(volume: Partial<Record<string, number>>, incidents: number): Record<GeneratedStream, number> {
  for (const [stream, n] of Object.entries(volume)) {
    if (!generatorOf(stream)) {
      throw new RangeError(`volume.${stream}: not a generated stream (oncalls follow escalation policies and schedules)`);
    }
    if (n !== undefined && (!Number.isInteger(n) || n < 0 || n >= MAX_INDEX / 4)) {
      throw new RangeError(`volume.${stream}: ${n} is not an integer from 0 to ${MAX_INDEX / 4 - 1}`);
    }
  }
  const out = Object.fromEntries(
    GENERATED_STREAMS.map((s) => [s, s === 'incidents' ? incidents : (volume[s] ?? defaultVolume(s, incidents))]),
  ) as Record<GeneratedStream, number>;
  // Each change event comes just before an incident of its own, which keeps their times in order.
  if (out.change_events > incidents) throw new RangeError(`volume.change_events: ${out.change_events} is more than the ${incidents} incidents`);
  for (const s of GENERATED_STREAMS) {
    if (generatorOf(s)!.referenced && out[s] < 1) throw new RangeError(`volume.${s}: other records refer to ${s}, so it needs at least 1`);
  }
  return out;
}

function burstWindows(burst: AccountOptions['burst']) {
  const list = burst === undefined ? [] : Array.isArray(burst) ? burst : [burst as IncidentBurst];
  return list.map((b) => {
    const startMs = Date.parse(`${b.day}T00:00:00Z`);
    if (b.stream !== 'incidents' || !/^\d{4}-\d{2}-\d{2}$/.test(b.day) || Number.isNaN(startMs) || !Number.isInteger(b.count) || b.count < 0) {
      throw new RangeError(`burst ${JSON.stringify(b)}: expected { stream: 'incidents', day: 'YYYY-MM-DD', count: n >= 0 }`);
    }
    return { startMs, endMs: startMs + DAY, count: b.count };
  });
}

/**
 * The generated PagerDuty account: its seed, time span, volumes and id codec, and the timelines
 * that place incidents, log entries, notifications and audit records in time.
 */
export class Account {
  readonly ids: IdCodec;
  readonly startMs: number;
  readonly endMs: number;
  readonly volumes: Record<GeneratedStream, number>;
  readonly incidentTimes: Timeline;
  readonly logEntrySlots: ChildSlots;
  readonly notificationSlots: ChildSlots;
  /** Audit records' times, to the second (their milliseconds are drawn apart). */
  readonly auditSeconds: Timeline;
  readonly org: OrgChart;

  constructor(readonly seed: number, options: AccountOptions) {
    this.ids = new IdCodec(seed, GENERATED_STREAMS);
    this.endMs = Math.floor(options.dataEnd.getTime() / SECOND) * SECOND;
    this.startMs = this.endMs - SPAN_DAYS * DAY;
    const baseIncidents = options.volume?.incidents ?? defaultVolume('incidents', 0);
    this.incidentTimes = new Timeline(this.startMs, this.endMs, baseIncidents, burstWindows(options.burst), (i) =>
      unitHash(seed, this.ids.namespace('incidents'), i, 7),
    );
    this.volumes = resolveVolumes(options.volume ?? {}, this.incidentTimes.length);
    if (this.volumes.incidents >= MAX_INDEX / 4) throw new RangeError(`${this.volumes.incidents} incidents is too many`);
    this.logEntrySlots = new ChildSlots(this.volumes.incidents, this.volumes.log_entries);
    this.notificationSlots = new ChildSlots(this.volumes.incidents, this.volumes.notifications);
    this.auditSeconds = new Timeline(this.startMs, this.endMs, this.volumes.audit_records, [], (i) =>
      unitHash(seed, this.ids.namespace('audit_records'), i, 7),
    );
    this.org = new OrgChart(this);
  }

  id(ns: string, index: number): string {
    return this.ids.encode(ns, index);
  }

  /** The generator for the fields of one record; `salt` separates independent draws. */
  rng(ns: string, index: number, salt = 0): Rng {
    return rngFor(this.seed, this.ids.namespace(ns), index, salt);
  }
}
