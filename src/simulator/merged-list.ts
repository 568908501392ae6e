import { type Compare, type OrderedView, type SortKey, insertionPoint } from './ordered-view.js';
import type { Rec } from './refs.js';

/** One entry of a list: a generated record by view position, or an added one. */
export type Item = { pos: number } | { added: Rec };

/**
 * A view's records minus hidden positions, merged with added records in list order. Offsets are
 * counted over the merged list without walking it: hidden and added records are few.
 */
export class MergedList {
  readonly total: number;
  private readonly viewLength: number;
  /** The merged-list position of each added record (ascending). */
  private readonly addedAt: number[];

  constructor(
    view: OrderedView,
    private readonly hidden: readonly number[],
    private readonly added: readonly Rec[],
    sortKeyOf: (r: Rec) => SortKey,
    compare: Compare,
  ) {
    this.total = view.length - hidden.length + added.length;
    this.viewLength = view.length;
    this.addedAt = added.map((r, k) => {
      const before = insertionPoint(view, sortKeyOf(r), compare);
      return k + before - hidden.filter((h) => h < before).length;
    });
  }

  *items(offset = 0): Generator<Item> {
    let a = this.addedAt.filter((p) => p < offset).length;
    // The view position of the first surviving generated record at or after the offset.
    let pos = offset - a;
    let h = 0;
    for (; h < this.hidden.length && this.hidden[h]! <= pos; h++) pos++;
    for (let p = offset; p < this.total; p++) {
      if (a < this.added.length && this.addedAt[a] === p) {
        yield { added: this.added[a++]! };
        continue;
      }
      yield { pos };
      pos++;
      for (; h < this.hidden.length && this.hidden[h] === pos; h++) pos++;
    }
  }

  /** The same items, last first: for reading a list backwards from a point (keyset pages). */
  *itemsBackward(): Generator<Item> {
    let a = this.added.length - 1;
    let pos = this.viewLength - 1;
    let h = this.hidden.length - 1;
    const skipHidden = () => {
      for (; h >= 0 && this.hidden[h] === pos; h--) pos--;
    };
    skipHidden();
    for (let p = this.total - 1; p >= 0; p--) {
      if (a >= 0 && this.addedAt[a] === p) {
        yield { added: this.added[a--]! };
        continue;
      }
      yield { pos };
      pos--;
      skipHidden();
    }
  }
}
