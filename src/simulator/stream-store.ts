import type { Account } from './account.js';
import { FieldAdditions, type FieldValue } from './field-additions.js';
import { type Lookup, present } from './includes.js';
import { type Item, MergedList } from './merged-list.js';
import type { OrderedView, Range, SortKey, StreamModel } from './ordered-view.js';
import { Overlay } from './overlay.js';
import type { Rec } from './refs.js';
import { streamModels } from './stream-models.js';

/** One page of a list, as the endpoint serves it. */
export interface ListPage {
  records: Rec[];
  total: number;
}

/** A stored record and where it sits in its list. */
export interface Placed {
  record: Rec;
  key: SortKey;
}

/**
 * The generated streams with the changes tests made to them (deleted, patched, added records,
 * added fields): lists by range, in list order, each record computed when read.
 */
export class StreamStore {
  private readonly models: Map<string, StreamModel>;
  private readonly overlays = new Map<string, Overlay>();
  private readonly fields = new FieldAdditions();

  /** `windowField`: the field a windowed stream's records are listed and filtered by. */
  constructor(account: Account, windowField: (stream: string) => string | undefined) {
    this.models = streamModels(account, windowField);
    for (const [stream, model] of this.models) this.overlays.set(stream, new Overlay(stream, model));
  }

  streams(): string[] {
    return [...this.models.keys()];
  }

  has(stream: string): boolean {
    return this.models.has(stream);
  }

  /** The stored record with this key, as changed by tests; for include[] expansion. */
  readonly lookup: Lookup = (stream, id) => {
    const r = this.overlays.get(stream)?.get(id);
    return r && this.fields.apply(stream, r);
  };

  /** The record as stored, before field additions (what mutations build on). */
  get(stream: string, id: string): Rec | undefined {
    return this.overlay(stream).get(id);
  }

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

  *presented(stream: string, range: Range, include: ReadonlySet<string>): Generator<Rec> {
    const { list, view, overlay } = this.list(stream, range);
    for (const item of list.items()) yield present(stream, this.stored(stream, view, overlay, item), include, this.lookup);
  }

  /** Stored records (no include[] applied) with their sort keys, in list order or backwards. */
  *scan(stream: string, range: Range, backward = false): Generator<Placed> {
    const { list, view, overlay } = this.list(stream, range);
    const model = this.model(stream);
    for (const item of backward ? list.itemsBackward() : list.items()) {
      const record = this.stored(stream, view, overlay, item);
      yield { record, key: 'added' in item ? model.sortKeyOf(item.added) : view.sortKeyAt(item.pos) };
    }
  }

  ids(stream: string, range: Range): string[] {
    const { list, view } = this.list(stream, range);
    const model = this.model(stream);
    return Array.from(list.items(), (item) => ('added' in item ? model.keyOf(item.added) : view.keyAt(item.pos)));
  }

  count(stream: string, range: Range): number {
    return this.list(stream, range).list.total;
  }

  /** Records added by tests (or moved by an update), as stored. */
  added(stream: string): Iterable<Rec> {
    return this.overlay(stream).added.values();
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
