import type { z } from 'zod';

interface StreamShape {
  method: 'GET' | 'POST';
  path: string;
  paginator: 'offset' | 'cursor' | 'analytics' | 'none';
  primary_key: string[];
  incremental_key?: string | undefined;
  newer_by?: string | undefined;
  window?: { in: 'query' | 'body' } | undefined;
  body?: Record<string, unknown> | undefined;
  parent?: { stream: string; field: string; column: string; fan_out: boolean } | undefined;
  changes?: { stream: string } | undefined;
  team_ids?: { column: string } | { from: { stream: string }[] } | undefined;
  columns: Record<string, unknown>;
}

/**
 * The rules a catalogue's streams keep beyond their shape: keys are columns; a change feed is a
 * windowed stream; a child names a parent that is not itself a child and fills `{id}`; an
 * analytics stream is a POST whose window is in its body.
 */
export function checkStreams(cat: { streams: Record<string, StreamShape> }, ctx: z.RefinementCtx): void {
  const issue = (name: string, message: string) => ctx.addIssue({ code: 'custom', path: ['streams', name], message });
  for (const [name, s] of Object.entries(cat.streams)) {
    const keyRoots = s.primary_key.map((k) => k.split('.')[0]!);
    for (const root of [...keyRoots, ...(s.incremental_key ? [s.incremental_key] : []), ...(s.newer_by ? [s.newer_by] : [])]) {
      if (!(root in s.columns)) issue(name, `key field "${root}" is not a column`);
    }
    if (s.changes) {
      const feed = cat.streams[s.changes.stream];
      if (!feed?.window || !feed.incremental_key) issue(name, `changes: "${s.changes.stream}" is not a windowed stream`);
    }
    const parent = s.parent && cat.streams[s.parent.stream];
    if (s.parent) {
      if (!parent) issue(name, `parent: "${s.parent.stream}" is not a stream`);
      else if (parent.parent) issue(name, `parent: "${s.parent.stream}" is itself a child stream`);
      if (!s.path.includes('{id}')) issue(name, 'a child stream\'s path has an {id} for its parent\'s key');
      if (!(s.parent.column in s.columns)) issue(name, `parent column "${s.parent.column}" is not a column`);
      if (s.window) issue(name, 'a child stream is read whole for each parent: it has no window of its own');
      if (s.parent.fan_out && !s.incremental_key) issue(name, 'a fan-out stream is read by parent change: it needs an incremental key');
    } else if (s.path.includes('{')) {
      issue(name, 'only a child stream has a placeholder in its path');
    }
    if (s.incremental_key && !s.window && !(parent?.window && parent.incremental_key)) {
      issue(name, 'an incremental stream needs a window, or a windowed parent');
    }
    if (s.paginator === 'analytics' && (s.method !== 'POST' || s.window?.in !== 'body')) {
      issue(name, 'an analytics stream is a POST with its window in the body');
    }
    if (s.window?.in === 'body' && s.method !== 'POST') issue(name, 'a window in the body needs method POST');
    for (const f of s.team_ids && 'from' in s.team_ids ? s.team_ids.from : []) {
      if (!cat.streams[f.stream]) issue(name, `team_ids: "${f.stream}" is not a stream`);
    }
    if (s.body && s.method !== 'POST') issue(name, 'a body needs method POST');
  }
}
