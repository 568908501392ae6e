import type { ColumnType } from '../spec/catalogue.js';

/** Postgres's information_schema.columns.data_type, back to a catalogue type; undefined for others. */
export function columnTypeOf(dataType: string): ColumnType | undefined {
  const map: Record<string, ColumnType> = {
    text: 'text',
    bigint: 'bigint',
    boolean: 'boolean',
    'timestamp with time zone': 'timestamptz',
    jsonb: 'jsonb',
    'double precision': 'double precision',
  };
  return map[dataType];
}
