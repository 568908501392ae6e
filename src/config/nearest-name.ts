/** Edits (insert, delete, substitute) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * The name a typo most likely meant: the nearest by edit distance, when near enough to be a slip
 * (a third of the name's letters, at least one), else undefined.
 */
export function nearestName(typed: string, names: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = editDistance(lower, name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(1, Math.floor(typed.length / 3)) ? best.name : undefined;
}

/** `did you mean "users"? ` for a near name, else nothing: the start of a message's hint. */
export function didYouMean(typed: string, names: readonly string[]): string {
  const near = nearestName(typed, names);
  return near ? `did you mean "${near}"? ` : '';
}
