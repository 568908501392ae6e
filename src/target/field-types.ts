import type { ColumnType } from '../spec/catalogue.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** The column type a new field's value suggests; null says nothing. */
export function typeOfValue(v: unknown): ColumnType | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'bigint' : 'double precision';
  if (typeof v === 'string') return ISO_TIMESTAMP.test(v) ? 'timestamptz' : 'text';
  return 'jsonb';
}

/** The narrowest type that holds values of both types: numbers widen, strings widen to text, else jsonb. */
export function widen(a: ColumnType | undefined, b: ColumnType | undefined): ColumnType | undefined {
  if (!a || !b || a === b) return a ?? b;
  const pair = new Set([a, b]);
  if (pair.has('bigint') && pair.has('double precision')) return 'double precision';
  if (pair.has('text') && pair.has('timestamptz')) return 'text';
  return 'jsonb';
}

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
