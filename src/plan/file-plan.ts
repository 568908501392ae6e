import { isFanOut, type StreamSpec } from '../catalogue/catalogue.js';
import type { Mode, Replication, StreamSettings } from '../config/replication.js';
import { type FileObject, parseFileObject } from './file-object.js';

export interface FileStreamInput {
  name: string;
  spec: StreamSpec;
  settings: StreamSettings | null;
  replication: Replication;
  /** The folder relative objects start from. */
  base: string;
  mode: Mode;
  /** Incremental was asked for by name (the stream's entry or --mode), not by the defaults. */
  explicitIncremental: boolean;
  rowSecurity: boolean;
  keyPath: string;
  fail: (path: string, msg: string) => never;
}

const POSTGRES_ONLY = 'which only a PostgreSQL target does: remove it from this replication or use a postgres target';

/**
 * A stream's file object and mode with a file target. What only a database can do is refused
 * here, before anything runs: a fan-out stream (a re-read parent's children replace its old ones),
 * row security, and incremental runs or backfills into one file (each would rewrite it whole: a
 * folder object takes them). A default incremental mode applies where it can, as it does for streams without a key.
 */
export function fileStream(i: FileStreamInput): { file: FileObject; mode: Mode } {
  const { name, settings, replication, keyPath, fail } = i;
  const template = settings?.object ?? replication.defaults.object;
  const objectPath = settings?.object ? `${keyPath}.object` : 'defaults.object';
  if (!template) return fail(objectPath, 'missing: a file target needs an object such as file://out/{stream_name}.parquet');
  const format = settings?.target_options?.format ?? replication.defaults.target_options?.format;
  const file = parseFileObject(template, name, i.base, format, (msg) => fail(objectPath, msg));
  if (isFanOut(i.spec)) fail(keyPath, `${name} is a fan-out stream whose rows are replaced per ${i.spec.parent!.stream} record, ${POSTGRES_ONLY}`);
  if (i.rowSecurity) fail(`${keyPath}.target_options.row_security`, `row security is ${POSTGRES_ONLY.replace('which only', 'something only')}`);
  if (i.mode === 'backfill' && !file.folder) {
    fail(`${keyPath}.mode`, `a backfill merges a window into what is there, which needs a folder object (file://out/{stream_name}/): "${file.label}" is one file`);
  }
  if (i.mode !== 'incremental' || file.folder) return { file, mode: i.mode };
  if (i.explicitIncremental) {
    fail(`${keyPath}.mode`, `incremental runs need a folder object (file://out/{stream_name}/, a part file per run): "${file.label}" is one file; use mode: full-refresh or a folder`);
  }
  return { file, mode: 'full-refresh' };
}
