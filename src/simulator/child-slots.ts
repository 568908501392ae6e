/**
 * Shares `children` records out among `parents` in order (log entries among incidents): parent p
 * owns children [first(p), first(p + 1)), and a child finds its parent in O(1), with no table.
 */
export class ChildSlots {
  constructor(
    readonly parents: number,
    readonly children: number,
  ) {
    if (children > 0 && parents === 0) throw new RangeError('child records need at least one parent record');
  }

  first(parent: number): number {
    return Math.floor((parent * this.children) / this.parents);
  }

  count(parent: number): number {
    return this.first(parent + 1) - this.first(parent);
  }

  /** The last parent whose first child is at or before `child`, which therefore owns it. */
  parentOf(child: number): number {
    return Math.floor(((child + 1) * this.parents - 1) / this.children);
  }
}
