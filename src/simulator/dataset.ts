import { Account, type AccountOptions } from './account.js';
import { FieldAdditions, type FieldValue } from './field-additions.js';
import { IncidentMutations } from './incident-mutations.js';
import { type Lookup, present } from './includes.js';
import { type Item, MergedList } from './merged-list.js';
import type { OrderedView, Range, StreamModel } from './ordered-view.js';
import { Overlay } from './overlay.js';
import type { Rec } from './refs.js';
import { streamModels } from './stream-models.js';

export interface Dataset {
  streams(): string[];
  /**
   * All records of a stream as the list endpoint returns them with the catalogue's default
   * include[], optionally only those whose window field is in [since, until). For oncalls: those
   * overlapping [since, until), or current at `now` when no range. Iterates lazily.
   */
  records(stream: string, range?: { since?: Date; until?: Date }): Iterable<Record<string, unknown>>;
  /** Keys the same way; for oncalls JSON.stringify([policy id, level, schedule id or null, user id, start]). */
  ids(stream: string, range?: { since?: Date; until?: Date }): string[];
  count(stream: string): number;
  deleteRecord(stream: string, id: string): void;
  updateRecord(stream: string, id: string, patch: Record<string, unknown>): void;
  addRecord(stream: string, record: Record<string, unknown>): void;
  /**
   * Resolves an open incident at `at` (default: the clock's now, rounded up to the second), as
   * PagerDuty would, and adds its resolve_log_entry; returns the entry's id.
   */
  resolveIncident(id: string, at?: Date): string;
  /** Acknowledges a triggered or acknowledged incident, adding its acknowledge_log_entry; returns the entry's id. */
  acknowledgeIncident(id: string, at?: Date): string;
  /** New triggered incidents, one a second from `at` (default: now), each with its trigger log entry; returns their ids. */
  addIncidents(count: number, at?: Date): string[];
  /** A new top-level field on every record of the stream, computed from the stored record (references unexpanded). */
  addField(stream: string, field: string, valueOf: FieldValue): void;
}

export interface DatasetOptions extends AccountOptions {
  now: () => Date;
  /** include[] applied by records(): the catalogue's default per stream. */
  defaultIncludes: Record<string, readonly string[]>;
}

/** One page of a list, as the endpoint serves it. */
export interface ListPage {
  records: Rec[];
  total: number;
}

/** The simulator's source of truth: generated records plus the changes tests made to them. */
export class SimulatedDataset implements Dataset {
  private readonly models: Map<string, StreamModel>;
  private readonly overlays = new Map<string, Overlay>();
  private readonly fields = new FieldAdditions();
  private readonly incidents: IncidentMutations;

  constructor(private readonly options: DatasetOptions) {
    const account = new Account(options.seed, options);
    this.models = streamModels(account);
    for (const [stream, model] of this.models) this.overlays.set(stream, new Overlay(stream, model));
    this.incidents = new IncidentMutations(
      account,
      {
        get: (stream, id) => this.overlay(stream).get(id),
        add: (stream, record) => this.addRecord(stream, record),
        update: (stream, id, patch) => this.updateRecord(stream, id, patch),
      },
      options.now,
    );
  }

  streams(): string[] {
    return [...this.models.keys()];
  }

  /** The stored record with this key, as changed by tests; for include[] expansion. */
  readonly lookup: Lookup = (stream, id) => {
    const r = this.overlays.get(stream)?.get(id);
    return r && this.fields.apply(stream, r);
  };

  page(stream: string, range: Range, offset: number, limit: number, include: ReadonlySet<string>): ListPage {
    const { list, view, overlay } = this.list(stream, range);
    const records: Rec[] = [];
    if (offset < list.total) {
      for (const item of list.items(offset)) {
        records.push(present(stream, this.stored(stream, view, overlay, item), include, this.lookup));
        if (records.length === limit) break;
      }
    }
    return { records, total: list.total };
  }

  *records(stream: string, range?: { since?: Date; until?: Date }): Generator<Rec> {
    const include = new Set(this.options.defaultIncludes[stream] ?? []);
    const { list, view, overlay } = this.list(stream, this.toRange(stream, range));
    for (const item of list.items()) yield present(stream, this.stored(stream, view, overlay, item), include, this.lookup);
  }

  ids(stream: string, range?: { since?: Date; until?: Date }): string[] {
    const { list, view } = this.list(stream, this.toRange(stream, range));
    const model = this.model(stream);
    return Array.from(list.items(), (item) => ('added' in item ? model.keyOf(item.added) : view.keyAt(item.pos)));
  }

  count(stream: string): number {
    return this.list(stream, this.toRange(stream)).list.total;
  }

  deleteRecord(stream: string, id: string): void {
    this.overlay(stream).delete(id);
  }

  updateRecord(stream: string, id: string, patch: Record<string, unknown>): void {
    this.overlay(stream).update(id, patch);
  }

  addRecord(stream: string, record: Record<string, unknown>): void {
    this.overlay(stream).add(record);
  }

  resolveIncident(id: string, at?: Date): string {
    return this.incidents.change('resolve', id, at);
  }

  acknowledgeIncident(id: string, at?: Date): string {
    return this.incidents.change('acknowledge', id, at);
  }

  addIncidents(count: number, at?: Date): string[] {
    return this.incidents.add(count, at);
  }

  addField(stream: string, field: string, valueOf: FieldValue): void {
    this.model(stream);
    this.fields.add(stream, field, valueOf);
  }

  private model(stream: string): StreamModel {
    const model = this.models.get(stream);
    if (!model) throw new Error(`unknown stream "${stream}"`);
    return model;
  }

  private overlay(stream: string): Overlay {
    this.model(stream);
    return this.overlays.get(stream)!;
  }

  /** Dates to ms; on-calls without a range are those on call now. */
  private toRange(stream: string, range?: { since?: Date; until?: Date }): Range {
    if (stream !== 'oncalls') return { sinceMs: range?.since?.getTime(), untilMs: range?.until?.getTime() };
    const now = this.options.now().getTime();
    const sinceMs = range?.since?.getTime() ?? now;
    return { sinceMs, untilMs: range?.until?.getTime() ?? sinceMs };
  }

  private list(stream: string, range: Range): { list: MergedList; view: OrderedView; overlay: Overlay } {
    const model = this.model(stream);
    const overlay = this.overlay(stream);
    const view = model.view(range);
    const hidden = [...overlay.hidden].flatMap((key) => view.posOf(key) ?? []).sort((a, b) => a - b);
    const added = [...overlay.added.values()]
      .filter((r) => model.inRange(r, range))
      .sort((x, y) => model.compare(model.sortKeyOf(x), model.sortKeyOf(y)));
    return { list: new MergedList(view, hidden, added, model.sortKeyOf, model.compare), view, overlay };
  }

  private stored(stream: string, view: OrderedView, overlay: Overlay, item: Item): Rec {
    const r = 'added' in item ? item.added : overlay.patched(view.keyAt(item.pos), view.recordAt(item.pos));
    return this.fields.apply(stream, r);
  }
}
