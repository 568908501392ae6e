import assert from 'node:assert/strict';
import { type Catalogue } from '../../src/catalogue/catalogue.js';
import { loadCatalogue } from '../../src/catalogue/load-catalogue.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/simulator/server.js';
import type { RunSummary } from '../../src/summary/run-summary.js';
import { type CliResult, envYaml, pdsync, pdsyncProcess, SIM_KEY, startPdsync, workspace } from './cli.js';
import { type TestDatabase, testDatabase } from './database.js';

export const DATA_END = new Date('2026-06-01T00:00:00Z');

/** A replication of these streams into the test's schema, in the given mode (default: each stream's own). */
export const onlyIn = (mode: string | undefined, ...streams: string[]) => (schema: string) =>
  `source: PAGERDUTY\ntarget: PG\ndefaults:\n${mode ? `  mode: ${mode}\n` : ''}  object: ${schema}.{stream_name}\nstreams:\n${streams.map((s) => `  ${s}:\n`).join('')}`;

/** A replication of these streams into the test's schema. */
export const only = (...streams: string[]) => onlyIn(undefined, ...streams);

/** `pdsync run --json`'s document. */
export function summaryOf(stdout: string): RunSummary {
  return JSON.parse(stdout) as RunSummary;
}
/** envYaml's default anchor_date. */
const ANCHOR = '2020-01-01T00:00:00Z';

/**
 * The key README documents for a stream without a single id field: the JSON array of the values at
 * its key paths, null where absent. Written here rather than imported, so that a fault in how
 * pdsync forms keys cannot agree with itself.
 */
export function documentedKey(record: Record<string, unknown>, paths: string[]): string {
  const at = (path: string) =>
    path.split('.').reduce<unknown>((v, part) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined), record);
  return JSON.stringify(paths.map((p) => at(p) ?? null));
}

export interface SyncFixture {
  sim: Simulator;
  db: TestDatabase;
  catalogue: Catalogue;
  cwd: string;
  /** Runs `pdsync run replication.yaml` plus args in the fixture's workspace, in this process. */
  run(args?: string[], env?: Record<string, string>): Promise<CliResult>;
  /** The same as a process of its own: for exit codes, signals and output as a shell sees them. */
  runProcess(args?: string[], env?: Record<string, string>): Promise<CliResult & { rawStderr: string }>;
  /** The same, without waiting: for killing it or racing another run. */
  start(args?: string[], env?: Record<string, string>): ReturnType<typeof startPdsync>;
  /** Sorted keys the simulator holds for a stream, formed as pdsync forms them. */
  truth(stream: string): string[];
  /** Sorted keys that landed in Postgres; throws on duplicates. */
  landed(stream: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * What the simulator holds for a stream. Past on-call shifts are its on-calls over the fixture's
 * history, from the env.yaml's anchor to the simulator's now.
 */
function truthOf(sim: Simulator, stream: string): Iterable<Record<string, unknown>> {
  if (stream === 'oncall_shifts') return sim.dataset.records('oncalls', { since: new Date(ANCHOR), until: sim.clock.now() });
  return sim.dataset.records(stream);
}

/**
 * One simulator on an ephemeral port, one database of the test's own (tables in one schema of
 * it), and a workspace whose replication syncs the given streams into that schema.
 */
export async function syncFixture(opts: {
  name: string;
  sim?: SimulatorOptions;
  inputs?: Record<string, string | number>;
  replication?: (schema: string) => string;
}): Promise<SyncFixture> {
  const catalogue = await loadCatalogue();
  const sim = await startSimulator({ port: 0, seed: 42, dataEnd: DATA_END, now: () => DATA_END, ...opts.sim });
  const db = await testDatabase(opts.name);
  const replication =
    opts.replication?.(db.schema) ??
    `source: PAGERDUTY\ntarget: PG\ndefaults:\n  object: ${db.schema}.{stream_name}\nstreams:\n  '*':\n`;
  const cwd = workspace({
    'env.yaml': envYaml(sim.url, db.url, { rate: 100, concurrency: 4, ...opts.inputs }),
    'replication.yaml': replication,
  });
  const keyOf = (stream: string) => {
    const pk = catalogue.streams[stream]!.primary_key;
    const simple = pk.length === 1 && !pk[0]!.includes('.');
    return {
      column: simple ? pk[0]! : '_pdsync_key',
      of: (r: Record<string, unknown>) => (simple ? String(r[pk[0]!]) : documentedKey(r, pk)),
    };
  };
  return {
    sim,
    db,
    catalogue,
    cwd,
    run: (args = [], env = {}) => pdsync(['run', 'replication.yaml', ...args], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY, ...env } }),
    runProcess: (args = [], env = {}) => pdsyncProcess(['run', 'replication.yaml', ...args], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY, ...env } }),
    start: (args = [], env = {}) => startPdsync(['run', 'replication.yaml', ...args], { cwd, env: { PAGERDUTY_API_KEY: SIM_KEY, ...env } }),
    truth: (stream) => [...truthOf(sim, stream)].map(keyOf(stream).of).sort(),
    async landed(stream) {
      const ids = await db.ids(stream, keyOf(stream).column);
      if (new Set(ids).size !== ids.length) throw new Error(`${stream}: duplicate keys landed`);
      return ids.sort();
    },
    async close() {
      await sim.close();
      await db.drop();
    },
  };
}

/** Each stream's rows in PostgreSQL are exactly the simulator's records. */
export async function assertExact(f: SyncFixture, streams: string[]): Promise<void> {
  for (const s of streams) assert.deepEqual(await f.landed(s), f.truth(s), `${s}: Postgres holds exactly the simulator's records`);
}
