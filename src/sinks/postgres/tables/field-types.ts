import type { ColumnType } from '../../../catalogue/catalogue.js';

/** Postgres's information_schema.columns.data_type (and udt_name, for arrays), back to a catalogue type; undefined for others. */
export function columnTypeOf(dataType: string, udtName = ''): ColumnType | undefined {
  if (dataType === 'ARRAY') return udtName === '_text' ? 'text[]' : undefined;
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
