import type { RecordEncoder } from './record-file.js';

/** A JSON array of the records as they are, one record a line, so a file can be read whole or by line. */
export const jsonArrayEncoder: RecordEncoder = {
  head: '[',
  record: (r, first) => `${first ? '\n' : ',\n'}${JSON.stringify(r)}`,
  tail: '\n]\n',
};
