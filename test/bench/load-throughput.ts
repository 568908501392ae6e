import { execFileSync } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { startSimulator } from '../../src/simulator/server.js';
import { testDatabase } from '../support/database.js';
import { tempDir } from '../support/temp.js';
import { benchRun, DATA_END } from './bench-support.js';

const ROWS = Number(process.env.PDSYNC_BENCH_ROWS ?? 1_000_000);

/** The same rows as a JSON-lines file, loaded by `psql \copy` into a table of the same shape. */
async function psqlBaseline(): Promise<number> {
  const sim = await startSimulator({ port: 0, seed: 42, dataEnd: DATA_END, volume: { log_entries: ROWS, incidents: ROWS / 10 } });
  const dir = tempDir('bench');
  const file = join(dir, 'log_entries.jsonl');
  const out = createWriteStream(file);
  for (const r of sim.dataset.records('log_entries')) {
    if (!out.write(`${JSON.stringify(r)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await sim.close();
  const db = await testDatabase('baseline');
  try {
    // Same shape as pdsync's table: the catalogue's columns, loaded from the JSON documents.
    await db.pool.query(`CREATE SCHEMA "${db.schema}"`);
    const started = Date.now();
    execFileSync('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `
      CREATE TABLE "${db.schema}".raw (doc jsonb);
      CREATE TABLE "${db.schema}".log_entries (id text PRIMARY KEY, summary text, type text, self text, html_url text,
        created_at timestamptz, channel jsonb, agent jsonb, note text, contexts jsonb, service jsonb, incident jsonb,
        teams jsonb, event_details jsonb, changeset jsonb, acknowledgement_timeout bigint, assignees jsonb, "user" jsonb,
        changed_actions jsonb);`]);
    execFileSync('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c',
      `\\copy "${db.schema}".raw (doc) FROM '${file}' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')`]);
    execFileSync('psql', [db.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c',
      `INSERT INTO "${db.schema}".log_entries SELECT (jsonb_populate_record(NULL::"${db.schema}".log_entries, doc)).* FROM "${db.schema}".raw`]);
    return (Date.now() - started) / 1000;
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows per second loading log entries from the simulator with no rate limit, against psql \copy; peak RSS. */
export async function loadThroughput(): Promise<string[]> {
  const r = await benchRun({
    sim: { volume: { log_entries: ROWS, incidents: ROWS / 10 } },
    inputs: { rate: 100_000, concurrency: 8, anchor_date: '2024-01-01T00:00:00Z' },
    streams: ['log_entries'],
  });
  const s = r.summary.streams[0]!;
  const baseline = await psqlBaseline();
  const pdsyncRate = s.rowsWritten / r.seconds;
  const psqlRate = ROWS / baseline;
  return [
    `load of ${s.rowsWritten} log entries: pdsync ${r.seconds.toFixed(1)} s = ${Math.round(pdsyncRate)} rows/s (${s.requests} requests); psql \\copy of the JSON lines ${baseline.toFixed(1)} s = ${Math.round(psqlRate)} rows/s; ratio ${(pdsyncRate / psqlRate).toFixed(2)}`,
    `peak RSS of the pdsync run: ${r.maxRssMb.toFixed(0)} MB (target at most 200 MB)`,
  ];
}
