import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitWindow } from '../../src/source/window-splitter.js';
import { timeWindows } from '../../src/source/time-windows.js';

const d = (s: string) => new Date(s);

function assertTiles(pieces: { since: Date; until: Date }[], since: Date, until: Date) {
  assert.equal(pieces[0]!.since.getTime(), since.getTime(), 'starts at the window start');
  assert.equal(pieces.at(-1)!.until.getTime(), until.getTime(), 'ends at the window end');
  for (let i = 1; i < pieces.length; i++) {
    assert.equal(pieces[i]!.since.getTime(), pieces[i - 1]!.until.getTime(), 'no gap, no overlap');
  }
}

test('a window over the cap splits into whole-second pieces that tile it exactly', () => {
  const w = { since: d('2025-03-01T00:00:00Z'), until: d('2025-03-02T00:00:00Z') };
  const pieces = splitWindow(w, 17_495, 9000)!;
  assert.equal(pieces.length, 2);
  assertTiles(pieces, w.since, w.until);
  const many = splitWindow(w, 90_000, 9000)!;
  assert.equal(many.length, 10);
  assertTiles(many, w.since, w.until);
  for (const p of many) assert.equal(p.since.getTime() % 1000, 0, 'whole seconds');
});

test('a one-second window cannot be split; a two-second one splits into seconds', () => {
  assert.equal(splitWindow({ since: d('2025-03-01T00:00:00Z'), until: d('2025-03-01T00:00:01Z') }, 20_000, 9000), undefined);
  const two = splitWindow({ since: d('2025-03-01T00:00:00Z'), until: d('2025-03-01T00:00:02Z') }, 90_000, 9000)!;
  assert.equal(two.length, 2);
});

test('history is cut into windows of at most max_days that tile [since, until)', () => {
  const since = d('2024-01-01T00:00:00Z');
  const until = d('2025-11-22T13:14:15Z');
  const ws = timeWindows(since, until, 180);
  assertTiles(ws, since, until);
  for (const w of ws) assert.ok(w.until.getTime() - w.since.getTime() <= 180 * 86_400_000);
});
