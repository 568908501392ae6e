import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Output } from '../../src/summary/output.js';
import { ProgressReporter } from '../../src/summary/progress-reporter.js';

/** What a terminal shows of a stream after these events: the live block's last drawing. */
function liveBlock(events: (r: ProgressReporter) => void): string {
  let text = '';
  const reporter = new ProgressReporter(new Output(() => undefined, (s) => (text += s), true, false, false), 'tty', false, 30_000);
  events(reporter);
  reporter.close();
  return text.split('\x1b[0J').at(-1)!;
}

describe('the live block on a terminal', () => {
  test('rows beyond the total counted so far show without a total: never "2/1 rows"', () => {
    const block = liveBlock((r) => {
      r.streamStarted('incidents', '(full-refresh)');
      r.totalKnown('incidents', 1);
      r.rowsRead('incidents', 2, 1);
    });
    assert.match(block, /^incidents\s+2 rows\s+1 pages/m);
    assert.doesNotMatch(block, /2\/1/);
  });

  test('rows within the total show against it, with the time left', () => {
    const block = liveBlock((r) => {
      r.streamStarted('incidents', '(full-refresh)');
      r.totalKnown('incidents', 1200);
      r.rowsRead('incidents', 300, 3);
    });
    assert.match(block, /^incidents\s+300\/1200 rows\s+3 pages\s+[\d.]+ req\/s\s+ETA \d+ s/m);
  });
});
