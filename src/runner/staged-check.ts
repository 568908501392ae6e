import type { PlannedStream } from '../plan/plan.js';
import type { Load } from '../sinks/target.js';
import type { FetchPage } from '../source/page-request.js';
import { insideAny, partWindow } from '../source/stream-item.js';
import { countWindow } from '../source/window-count.js';
import type { RunEvents } from './run-events.js';

/**
 * Keeps of a resumed load only the staged windows the source still lists the same records in.
 * Each window (or piece) staged with more than a page of rows is counted again, one request each;
 * one counted differently (records deleted, or listed late, since the killed run staged it) is
 * dropped with the window around it, to be read again. A window of a page or less is read again
 * outright: that costs what counting it would. Records changed meanwhile come through the stream's
 * change feed (only streams whose records never change, or have one, keep staged windows at all).
 */
export async function recountStaged(load: Load, stream: PlannedStream, fetchPage: FetchPage, events: RunEvents): Promise<void> {
  const parts = [...(load.resumed?.parts ?? [])];
  if (parts.length === 0) return;
  const staged = await load.stagedKeys();
  // A split window's rows are its pieces': the pieces are counted, not the window.
  const leaves = parts.filter((p) => !parts.some((q) => q !== p && insideAny(q, [partWindow(p)!])));
  const large = leaves.filter((p) => (staged.get(p) ?? 0) > stream.pageLimit);
  const counts = await Promise.all(large.map((p) => countWindow(stream.spec, fetchPage, partWindow(p)!)));
  const stale = large.filter((p, i) => counts[i] !== staged.get(p));
  const reread = [...leaves.filter((p) => !large.includes(p)), ...stale];
  if (reread.length === 0) return;
  await load.dropParts(parts.filter((p) => reread.some((r) => r === p || insideAny(r, [partWindow(p)!]))));
  if (stale.length) events.notice(stream.name, `${stale.length} of ${large.length} windows a killed run staged list other records now (deleted, or listed late): reading them again`);
}
