import type { Account, GeneratedStream } from './account.js';
import { GENERATED_STREAMS, generatorOf } from './generators.js';
import { oncallKey, oncallsOverlapping } from './on-call-records.js';
import {
  type Compare, type OrderedView, type Range, type SortKey, type StreamModel, ascending, descending, inRange,
} from './ordered-view.js';
import type { Rec } from './refs.js';
import { type TimeIndex, firstAtOrAfter } from './timeline.js';

type Generate = (a: Account, index: number) => Rec;

function idOf(r: Rec): string {
  return String(r.id);
}

/** Lists without time (users, teams, ...): every record, sorted by id. */
class IdOrderedModel implements StreamModel {
  readonly compare = ascending;
  private sorted?: { ids: string[]; order: number[]; rank: Map<number, number> };

  constructor(
    private readonly a: Account,
    private readonly stream: GeneratedStream,
    private readonly generate: Generate,
  ) {}

  keyOf = idOf;
  sortKeyOf = (r: Rec): SortKey => ({ t: 0, id: idOf(r) });
  inRange = () => true;

  find(id: string): Rec | undefined {
    const i = this.a.ids.decode(this.stream, id);
    return i !== undefined && i < this.a.volumes[this.stream] ? this.generate(this.a, i) : undefined;
  }

  view(): OrderedView {
    if (!this.sorted) {
      const ids = Array.from({ length: this.a.volumes[this.stream] }, (_, i) => this.a.id(this.stream, i));
      const order = ids.map((_, i) => i).sort((x, y) => (ids[x]! < ids[y]! ? -1 : 1));
      this.sorted = { ids, order, rank: new Map(order.map((i, pos) => [i, pos])) };
    }
    const { ids, order, rank } = this.sorted;
    return {
      length: order.length,
      keyAt: (pos) => ids[order[pos]!]!,
      sortKeyAt: (pos) => ({ t: 0, id: ids[order[pos]!]! }),
      recordAt: (pos) => this.generate(this.a, order[pos]!),
      posOf: (id) => {
        const i = this.a.ids.decode(this.stream, id);
        return i === undefined ? undefined : rank.get(i);
      },
    };
  }
}

/** Lists filtered on a time field, whose generated times rise with the index. */
class TimelineModel implements StreamModel {
  readonly compare: Compare;

  constructor(
    private readonly a: Account,
    private readonly stream: GeneratedStream,
    private readonly generate: Generate,
    private readonly times: TimeIndex,
    private readonly field: string,
    private readonly newestFirst: boolean,
  ) {
    this.compare = newestFirst ? descending : ascending;
  }

  keyOf = idOf;
  sortKeyOf = (r: Rec): SortKey => ({ t: Date.parse(String(r[this.field])), id: idOf(r) });

  inRange(r: Rec, range: Range): boolean {
    return inRange(range, Date.parse(String(r[this.field])));
  }

  find(id: string): Rec | undefined {
    const i = this.a.ids.decode(this.stream, id);
    return i !== undefined && i < this.times.length ? this.generate(this.a, i) : undefined;
  }

  view(range: Range): OrderedView {
    const lo = range.sinceMs === undefined ? 0 : firstAtOrAfter(this.times, range.sinceMs);
    const hi = Math.max(lo, range.untilMs === undefined ? this.times.length : firstAtOrAfter(this.times, range.untilMs));
    const indexAt = (pos: number) => (this.newestFirst ? hi - 1 - pos : lo + pos);
    return {
      length: hi - lo,
      keyAt: (pos) => this.a.id(this.stream, indexAt(pos)),
      sortKeyAt: (pos) => ({ t: this.times.msAt(indexAt(pos)), id: this.a.id(this.stream, indexAt(pos)) }),
      recordAt: (pos) => this.generate(this.a, indexAt(pos)),
      posOf: (id) => {
        const i = this.a.ids.decode(this.stream, id);
        if (i === undefined || i < lo || i >= hi) return undefined;
        return this.newestFirst ? hi - 1 - i : i - lo;
      },
    };
  }
}

/** On-calls, derived per query from policies and schedules: those overlapping the range. */
class OncallModel implements StreamModel {
  readonly compare = ascending;

  constructor(private readonly a: Account) {}

  keyOf = oncallKey;

  /** Policy, level, then start (permanent first), schedule and user. */
  sortKeyOf = (r: Rec): SortKey => {
    const id = (x: unknown) => (x as { id?: string } | null)?.id ?? '';
    return { t: 0, id: [id(r.escalation_policy), r.escalation_level, r.start ?? '', id(r.schedule), id(r.user)].join('|') };
  };

  inRange(r: Rec, range: Range): boolean {
    const since = range.sinceMs!;
    const until = Math.max(range.untilMs!, since + 1);
    return (r.start === null || Date.parse(String(r.start)) < until) && (r.end === null || Date.parse(String(r.end)) > since);
  }

  find(key: string): Rec | undefined {
    const start = (JSON.parse(key) as unknown[])[4];
    const at = typeof start === 'string' ? Date.parse(start) : this.a.startMs;
    return oncallsOverlapping(this.a, at, at).find((r) => oncallKey(r) === key);
  }

  view(range: Range): OrderedView {
    const records = oncallsOverlapping(this.a, range.sinceMs!, range.untilMs!);
    const keyed = records.map((r) => ({ r, key: oncallKey(r), sort: this.sortKeyOf(r) })).sort((x, y) => ascending(x.sort, y.sort));
    const pos = new Map(keyed.map((k, p) => [k.key, p]));
    return {
      length: keyed.length,
      keyAt: (p) => keyed[p]!.key,
      sortKeyAt: (p) => keyed[p]!.sort,
      recordAt: (p) => keyed[p]!.r,
      posOf: (key) => pos.get(key),
    };
  }
}

/**
 * The model of every stream the simulator stores, by stream name: each generated stream, listed
 * by id or, with times, by `windowField` (the catalogue's incremental_key); and the on-calls.
 */
export function streamModels(a: Account, windowField: (stream: string) => string | undefined): Map<string, StreamModel> {
  const models = new Map<string, StreamModel>();
  for (const stream of GENERATED_STREAMS) {
    const g = generatorOf(stream)!;
    if (!g.times) {
      models.set(stream, new IdOrderedModel(a, stream, g.record));
      continue;
    }
    const field = windowField(stream);
    if (!field) throw new Error(`${stream}: generated with times, but the catalogue gives it no incremental_key to list them by`);
    models.set(stream, new TimelineModel(a, stream, g.record, g.times(a), field, g.newestFirst === true));
  }
  return models.set('oncalls', new OncallModel(a));
}
