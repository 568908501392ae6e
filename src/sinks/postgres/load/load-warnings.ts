import type { PlannedStream } from '../../../plan/plan.js';
import type { EncodeReport, RejectReason } from './copy-row-encoder.js';
import type { Published } from './publish.js';
import { objectName } from '../sql.js';
import type { Resumed } from './resume.js';

const WHY: Record<Exclude<RejectReason, 'misfit'>, string> = {
  nul: 'held U+0000, which PostgreSQL cannot store: stored without it',
  surrogate: 'held a lone surrogate (broken UTF-16): stored with U+FFFD in its place',
  'long-name': 'has a name longer than PostgreSQL\'s 63 bytes, so it can have no column',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A load's warnings, one line per thing a person should know: once per column, not once per value. */
export function loadWarnings(stream: PlannedStream, report: EncodeReport, published: Published, resumed: Resumed | undefined): string[] {
  const table = objectName(stream.object);
  const out: string[] = [];
  if (resumed) {
    out.push(`resumed: ${plural(resumed.rows, 'row')} of ${plural(resumed.parts.size, 'window')} staged by an earlier run at ${resumed.startedAt.toISOString()} were kept, not read again`);
  }
  const added = published.addedColumns;
  if (added.length) out.push(`new field${added.length > 1 ? 's' : ''} ${added.map((c) => `"${c}"`).join(', ')} added as column${added.length > 1 ? 's' : ''} of ${table}`);
  if (published.unplaced.fields.length) {
    out.push(
      `new fields ${published.unplaced.fields.map((c) => `"${c}"`).join(', ')} have no column in ${table} and pdsync may not add one (the table belongs to role ${published.unplaced.owner}): their values are kept in _pdsync_rejected; to get columns, make pdsync's role the owner (ALTER TABLE ... OWNER TO) or add them as ${published.unplaced.owner}`,
    );
  }
  for (const [column, reasons] of report.kept) {
    for (const [reason, n] of reasons) {
      if (reason === 'misfit') continue;
      const what = reason === 'long-name' ? `field "${column}"` : `column ${column}`;
      out.push(`${what}: ${plural(n, 'value')} ${WHY[reason]}; the value${n === 1 ? ' as sent is' : 's as sent are'} kept in _pdsync_rejected`);
    }
  }
  for (const b of report.rejectedSamples) {
    out.push(`column ${b.column}: value ${JSON.stringify(b.value)?.slice(0, 60)} does not fit its type; kept in _pdsync_rejected`);
  }
  const misfits = [...report.kept.values()].reduce((n, r) => n + (r.get('misfit') ?? 0), 0);
  if (misfits > report.rejectedSamples.length) out.push(`${misfits} values in all did not fit their column`);
  return out;
}
