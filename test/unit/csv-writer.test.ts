import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { BufferedFile } from '../../src/sinks/files/buffered-file.js';
import { csvField, csvHeader, csvRow } from '../../src/sinks/files/csv.js';
import { tempDir } from '../support/temp.js';

/** Values a CSV writer gets wrong when it quotes too little. */
const AWKWARD = [
  'plain', 'a,b', 'say "hi"', '"', '""', 'line\nbreak', 'cr\rlf\r\n', ' padded ', 'tab\there', 'nul\u0000byte', 'bell\u0007 del\u007f',
  'Zoë — 日本語 🚨', '=cmd|calc', '',
];

/** What csv-parse (not our code) reads back; empty unquoted fields stay '' so they can be compared. */
function readBack(text: string): string[][] {
  return parse(text, { relax_column_count: false, record_delimiter: '\r\n' }) as string[][];
}

describe('the CSV writer', () => {
  test('every awkward string comes back from another CSV parser exactly as written, one field each', () => {
    const columns = AWKWARD.map((_, i) => `c${i}`);
    const row = Object.fromEntries(AWKWARD.map((v, i) => [`c${i}`, v]));
    const text = csvHeader(columns) + csvRow(columns, row) + csvRow(columns, row);
    assert.deepEqual(readBack(text), [columns, AWKWARD, AWKWARD]);
  });

  test('a line ends with CRLF (RFC 4180), and a field is quoted only when it must be', () => {
    assert.equal(csvRow(['a', 'b', 'c'], { a: 'x', b: 'y,z', c: 'q"q' }), 'x,"y,z","q""q"\r\n');
    assert.equal(csvField('spaces are data'), 'spaces are data');
    assert.equal(csvField('nul\u0000'), '"nul\u0000"');
  });

  test('null and a missing column are empty, an empty string is "", so a reader can tell them apart', () => {
    assert.equal(csvRow(['a', 'b', 'c'], { a: null, b: '' }), ',"",\r\n');
    const [row] = parse(',"",\r\n', { cast: (v, ctx) => (ctx.quoting ? v : v === '' ? null : v) }) as unknown[][];
    assert.deepEqual(row, [null, '', null]);
  });

  test('numbers and booleans as written, dates as ISO 8601 UTC, objects and arrays as JSON text', () => {
    const nested = { id: 'P1', tags: ['a,b', 'c"d'], at: null };
    const line = csvRow(['n', 'f', 'b', 'd', 'o', 'l'], {
      n: 42, f: 0.5, b: false, d: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), o: nested, l: [1, 'x'],
    });
    const [fields] = readBack(line);
    assert.deepEqual(fields!.slice(0, 4), ['42', '0.5', 'false', '2026-01-02T03:04:05.006Z']);
    assert.deepEqual(JSON.parse(fields![4]!), nested);
    assert.deepEqual(JSON.parse(fields![5]!), [1, 'x']);
  });
});

describe('a file written beside its destination', () => {
  test('appears under its name only once committed, with every byte, across many buffer flushes', async () => {
    const dir = tempDir('files');
    const file = await BufferedFile.create(join(dir, 'big.csv'));
    const line = `${'é'.repeat(1000)}\n`;
    for (let i = 0; i < 3000; i++) await file.write(line);
    assert.match(readdirSync(dir).join(), /^\.big\.csv\.[0-9a-f]+\.part$/, 'only a hidden part file before commit');
    await file.finish();
    await file.commit();
    assert.deepEqual(readdirSync(dir), ['big.csv']);
    const text = readFileSync(join(dir, 'big.csv'), 'utf8');
    assert.equal(text, line.repeat(3000));
    assert.equal(file.bytes, Buffer.byteLength(text));
  });

  test('a discarded file leaves the folder as it was', async () => {
    const dir = tempDir('files');
    const file = await BufferedFile.create(join(dir, 'gone.json'));
    await file.write('[');
    await file.discard();
    assert.deepEqual(readdirSync(dir), []);
  });
});
