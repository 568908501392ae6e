import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Catalogue } from '../catalogue/catalogue.js';
import { loadCatalogue } from '../catalogue/load-catalogue.js';
import { ConfigError, TargetError } from '../errors.js';
import { BufferedFile } from '../sinks/files/buffered-file.js';
import { csvEncoder } from '../sinks/files/csv-encoder.js';
import { jsonArrayEncoder } from '../sinks/files/json-array.js';
import { type RecordEncoder, writeRecords } from '../sinks/files/record-file.js';
import { SimulatedDataset } from './dataset.js';
import { EXPORT_DATA_END, EXPORT_STREAMS, type ExportFormat } from './export-choices.js';
import { referencedStreams } from './export-references.js';

export interface ExportOptions {
  dir: string;
  format: ExportFormat;
  seed: number;
  /** Incidents; log entries, notifications and change events follow them. */
  records: number;
  /** Default EXPORT_STREAMS. */
  streams?: readonly string[];
  /** Write into a folder that is not empty, replacing files of the same names. */
  force?: boolean;
}

export interface ExportedFile {
  stream: string;
  records: number;
  bytes: number;
  /** Not asked for: written because exported records refer to its records. */
  referenced: boolean;
}

/** mkdir -p, by hand: Node's recursive mkdir never returns on a path inside /proc (it retries ENOENT for ever). */
async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw e;
    await makeFolder(dirname(dir));
    await mkdir(dir);
  }
}

async function prepareFolder(dir: string, force: boolean): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info && !info.isDirectory()) throw new ConfigError(`simulator --export ${dir}: not a folder: name a folder to write into`);
  if (info && !force && (await readdir(dir)).length > 0) {
    throw new ConfigError(`simulator --export ${dir}: the folder is not empty: name a new or empty folder, or add --force to replace its files`);
  }
  await makeFolder(dir).catch((e: unknown) => {
    throw new ConfigError(`simulator --export ${dir}: cannot make the folder (${(e as Error).message}): name a folder you may write to`);
  });
}

function encoderFor(format: ExportFormat, stream: string, catalogue: Catalogue): RecordEncoder {
  return format === 'json' ? jsonArrayEncoder : csvEncoder(stream, catalogue.streams[stream]!);
}

/**
 * Writes the simulator's account for a seed as DIR/<stream>.csv or .json: the streams asked for,
 * then every stream their records refer to (services name escalation policies, which name
 * schedules, ...), so that each reference resolves inside the export. Records are those the
 * simulator's list endpoints serve (with the catalogue's include[]). Every file is written under a
 * hidden name and renamed into place only once all are complete: a failed export changes nothing.
 */
export async function exportAccount(opts: ExportOptions): Promise<ExportedFile[]> {
  const catalogue = await loadCatalogue();
  const dataset = new SimulatedDataset({
    seed: opts.seed,
    dataEnd: EXPORT_DATA_END,
    now: () => EXPORT_DATA_END,
    volume: { incidents: opts.records },
    catalogue,
  });
  const known = dataset.streams();
  const asked = [...new Set(opts.streams ?? EXPORT_STREAMS)];
  const unknown = asked.find((s) => !known.includes(s));
  if (unknown !== undefined) throw new ConfigError(`simulator --streams: no stream "${unknown}": choose from ${known.join(', ')}`);
  await prepareFolder(opts.dir, opts.force === true);

  const queue = [...asked];
  const open: BufferedFile[] = [];
  const done: ExportedFile[] = [];
  try {
    for (const stream of queue) {
      const file = await BufferedFile.create(join(opts.dir, `${stream}.${opts.format}`));
      open.push(file);
      const refs = new Set<string>();
      const records = await writeRecords(file, encoderFor(opts.format, stream, catalogue), dataset.records(stream), (r) => referencedStreams(stream, r, refs));
      await file.finish();
      done.push({ stream, records, bytes: file.bytes, referenced: !asked.includes(stream) });
      for (const s of [...refs].sort()) if (!queue.includes(s)) queue.push(s);
    }
  } catch (e) {
    await Promise.all(open.map((file) => file.discard()));
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    throw new TargetError(`simulator --export ${opts.dir}: ${(e as Error).message}; no file was changed`);
  }
  for (const file of open) await file.commit();
  return done;
}
