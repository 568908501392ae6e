import type { StreamModel } from './ordered-view.js';
import type { Rec } from './refs.js';

/**
 * Changes tests make to one stream, over its generated records: hidden (deleted, or moved
 * elsewhere in the list by an update), patched in place, and added.
 */
export class Overlay {
  readonly hidden = new Set<string>();
  readonly patches = new Map<string, Rec>();
  readonly added = new Map<string, Rec>();

  constructor(
    private readonly stream: string,
    private readonly model: StreamModel,
  ) {}

  /** The record with this key as the source holds it now. */
  get(key: string): Rec | undefined {
    const added = this.added.get(key);
    if (added) return added;
    if (this.hidden.has(key)) return undefined;
    const generated = this.model.find(key);
    return generated && this.patched(key, generated);
  }

  patched(key: string, generated: Rec): Rec {
    const patch = this.patches.get(key);
    return patch ? { ...generated, ...patch } : generated;
  }

  delete(key: string): void {
    if (this.added.delete(key)) return;
    if (!this.get(key)) throw new Error(`${this.stream}: no record ${key} to delete`);
    this.hidden.add(key);
    this.patches.delete(key);
  }

  /** A patch that moves the record (new key or list position) re-adds it where it now belongs. */
  update(key: string, patch: Rec): void {
    const current = this.get(key);
    if (!current) throw new Error(`${this.stream}: no record ${key} to update`);
    const merged = { ...current, ...patch };
    const newKey = this.model.keyOf(merged);
    if (newKey !== key && this.get(newKey)) throw new Error(`${this.stream}: a record ${newKey} already exists`);
    const moved = newKey !== key || this.model.compare(this.model.sortKeyOf(merged), this.model.sortKeyOf(current)) !== 0;
    if (this.added.has(key) || moved) {
      this.delete(key);
      this.added.set(newKey, merged);
    } else {
      this.patches.set(key, { ...this.patches.get(key), ...patch });
    }
  }

  add(record: Rec): void {
    const key = this.model.keyOf(record);
    if (this.get(key)) throw new Error(`${this.stream}: a record ${key} already exists`);
    this.added.set(key, record);
  }
}
