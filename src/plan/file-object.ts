import { extname, isAbsolute, resolve } from 'node:path';
import type { FileFormat } from '../config/replication.js';

/** Where a stream's rows go with a file target. */
export interface FileObject {
  /** An absolute path: the file a full refresh replaces, or the folder that takes part files. */
  path: string;
  /** A folder object (`file://out/{stream_name}/`): a part file per run, the cursor in a state file there. */
  folder: boolean;
  format: FileFormat;
  /** The object as the replication names it, its placeholder filled: for messages and summaries. */
  label: string;
}

const BY_EXTENSION: Record<string, FileFormat> = { '.csv': 'csv', '.jsonl': 'jsonl', '.parquet': 'parquet' };

/** A folder object's format when target_options.format does not name one: JSON Lines keeps every field as sent. */
const FOLDER_FORMAT: FileFormat = 'jsonl';

/**
 * A file object (`file://out/{stream_name}.parquet`), resolved against `base` (the replication
 * file's folder for LOCAL, the connection's folder otherwise) unless absolute (`file:///data/x.csv`).
 */
export function parseFileObject(template: string, stream: string, base: string, format: FileFormat | undefined, fail: (msg: string) => never): FileObject {
  const unknown = template.match(/\{(?!stream_name\})[^}]*\}/);
  if (unknown) fail(`unknown placeholder ${unknown[0]}: only {stream_name} is supported`);
  const label = template.replaceAll('{stream_name}', stream);
  if (!label.startsWith('file://')) fail(`"${label}" is not a file object: with a file target write it as file://out/{stream_name}.parquet (or .csv, .jsonl, or a folder ending in /)`);
  const rest = decodeURIComponent(label.slice('file://'.length));
  if (rest === '' || rest === '/') fail(`"${label}" names no file: write file://out/{stream_name}.parquet`);
  const folder = rest.endsWith('/');
  const path = isAbsolute(rest) ? resolve(rest) : resolve(base, rest);
  if (folder) return { path, folder, format: format ?? FOLDER_FORMAT, label };
  const ext = extname(path).toLowerCase();
  const byExtension = BY_EXTENSION[ext];
  if (format && byExtension && format !== byExtension) fail(`"${label}" ends in ${ext} but target_options.format is ${format}: make them agree`);
  const chosen = format ?? byExtension;
  if (!chosen) {
    fail(`"${label}": ${ext ? `unknown extension ${ext}` : 'no extension'}: end it in .csv, .jsonl or .parquet, or set target_options.format`);
  }
  return { path, folder, format: chosen, label };
}
