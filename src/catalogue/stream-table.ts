import type { Catalogue } from './catalogue.js';

/** README's table of streams, generated from the catalogue so the two cannot drift apart. */
export function streamTable(catalogue: Catalogue): string {
  const rows = Object.entries(catalogue.streams).map(([name, s]) => {
    const notes: string[] = [];
    if (s.parent) notes.push(`One request (and its pages) per \`${s.parent.stream}\` record; each row carries \`${s.parent.column}\`.`);
    if (s.paginator !== 'offset') notes.push(`Paged by ${s.paginator === 'cursor' ? '`next_cursor`' : s.paginator === 'analytics' ? '`starting_after`/`last`' : 'nothing: one request each'}.`);
    if (s.window) notes.push(`Read in windows of at most ${s.window.max_days} days${s.window.required ? ' (the API requires both bounds)' : ''}.`);
    if (s.changes) notes.push(`Incremental runs also catch late changes through \`${s.changes.stream}\` with \`include[]=${s.changes.include.join(',')}\`.`);
    if (s.forward_range) notes.push(`Set \`inputs.${s.forward_range.input}\` (up to ${s.forward_range.max_days}) to read that many days ahead instead.`);
    if (s.gate) notes.push(`Skipped with a warning when the account lacks ${s.gate.feature} (402, or 404).`);
    if (s.include.length) notes.push(`Requested with \`include[]=${s.include.join(',')}\`.`);
    const key = s.primary_key.length > 1 ? `\`_pdsync_key\` = JSON of ${s.primary_key.join(', ')}` : `\`${s.primary_key[0]}\``;
    return `| \`${name}\` | \`${s.method === 'POST' ? 'POST ' : ''}${s.path}\` | ${key} | ${s.incremental_key ? `\`${s.incremental_key}\`` : 'full refresh only'} | ${[s.description, ...notes].join(' ')} |`;
  });
  return ['| stream | path | primary key | incremental key | notes |', '|---|---|---|---|---|', ...rows].join('\n');
}

export const STREAM_TABLE_START = '<!-- streams:start (generated from specs/pagerduty.yaml by `npm run readme:streams`) -->';
export const STREAM_TABLE_END = '<!-- streams:end -->';

/** README text with its stream table replaced by the catalogue's. */
export function withStreamTable(readme: string, catalogue: Catalogue): string {
  const start = readme.indexOf(STREAM_TABLE_START);
  const end = readme.indexOf(STREAM_TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md has no stream table markers');
  return `${readme.slice(0, start + STREAM_TABLE_START.length)}\n${streamTable(catalogue)}\n${readme.slice(end)}`;
}
