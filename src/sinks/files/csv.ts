/**
 * CSV as RFC 4180 writes it: CRLF line ends, a field quoted when it holds a quote, a comma, a line
 * break or another control character, and quotes inside doubled. An empty string is written `""`
 * and a missing value (null, undefined) as nothing, so a reader can tell them apart (as
 * PostgreSQL's COPY ... CSV does). Nested values are JSON text and dates ISO 8601 in UTC.
 */
export const CSV_EOL = '\r\n';

/** Characters that make a field need quotes: `"`, `,`, CR, LF and the other C0 controls and DEL. */
const NEEDS_QUOTES = /[\x00-\x1f",\x7f]/;

/** One value as CSV text, quoted when it must be. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = asText(value);
  if (text === '' || NEEDS_QUOTES.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

function asText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      return value instanceof Date ? value.toISOString() : JSON.stringify(value);
  }
}

/** One line of fields, with its line end. */
export function csvLine(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? ',' : '') + csvField(values[i]);
  return line + CSV_EOL;
}

/** The header line: the column names. */
export function csvHeader(columns: readonly string[]): string {
  return csvLine(columns);
}

/** A row of column -> value as a line in the columns' order; a column the row lacks is empty. */
export function csvRow(columns: readonly string[], row: Readonly<Record<string, unknown>>): string {
  return csvLine(columns.map((c) => row[c]));
}
