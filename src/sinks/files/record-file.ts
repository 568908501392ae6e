import type { BufferedFile } from './buffered-file.js';

export type FileRecord = Readonly<Record<string, unknown>>;

/** How records become a file's text: what comes before them, each one, and what follows. */
export interface RecordEncoder {
  readonly head: string;
  record(r: FileRecord, first: boolean): string;
  readonly tail: string;
}

/** Writes the records through the encoder and returns how many there were; `seen` hears each one. */
export async function writeRecords(
  file: BufferedFile,
  encoder: RecordEncoder,
  records: Iterable<FileRecord> | AsyncIterable<FileRecord>,
  seen?: (r: FileRecord) => void,
): Promise<number> {
  let count = 0;
  await file.write(encoder.head);
  for await (const r of records) {
    await file.write(encoder.record(r, count === 0));
    seen?.(r);
    count++;
  }
  await file.write(encoder.tail);
  return count;
}
