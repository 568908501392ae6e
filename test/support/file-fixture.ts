import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/simulator/server.js';
import { type CliResult, envYaml, pdsync, SIM_KEY, startPdsync } from './cli.js';
import { DATA_END } from './sync-fixture.js';

export type Row = Record<string, unknown>;

export interface FileFixture {
  sim: Simulator;
  /** The working directory: env.yaml here, the replication in its folder conf/. */
  cwd: string;
  /** The replication file's folder, where its relative objects land. */
  conf: string;
  /** `pdsync run conf/replication.yaml` plus args, from `cwd`. */
  run(args?: string[]): Promise<CliResult>;
  /** The same run as a process of its own, not waited for: to kill it. */
  start(args?: string[]): ReturnType<typeof startPdsync>;
  /** Any pdsync command, from `cwd`. */
  pdsync(args: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

/**
 * A simulator, and a folder of the test's own (made with mkdtemp, removed by close) holding
 * env.yaml and conf/replication.yaml: the run starts in the folder above the replication's, so
 * relative objects that land in conf/ prove they are read from the replication file's folder.
 */
export async function fileFixture(replication: string, sim: SimulatorOptions = {}, inputs: Record<string, number> = {}, moreEnv = ''): Promise<FileFixture> {
  const cwd = await mkdtemp(join(tmpdir(), 'pdsync-files-'));
  const conf = join(cwd, 'conf');
  await mkdir(conf);
  const server = await startSimulator({ port: 0, seed: 42, dataEnd: DATA_END, now: () => DATA_END, ...sim });
  // The database connection is never used: its address is one nothing listens on.
  await writeFile(join(cwd, 'env.yaml'), `${envYaml(server.url, 'postgresql://postgres@127.0.0.1:9/unused', { rate: 200, concurrency: 4, ...inputs })}${moreEnv}`);
  await writeFile(join(conf, 'replication.yaml'), replication);
  const env = { PAGERDUTY_API_KEY: SIM_KEY };
  return {
    sim: server,
    cwd,
    conf,
    run: (args = []) => pdsync(['run', 'conf/replication.yaml', ...args], { cwd, env }),
    start: (args = []) => startPdsync(['run', 'conf/replication.yaml', ...args], { cwd, env }),
    pdsync: (args) => pdsync(args, { cwd, env }),
    async close() {
      await server.close();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}

/** A CSV file's rows by column name, with csv-parse: an unquoted empty field is null, `""` an empty string. */
export async function readCsv(path: string): Promise<Row[]> {
  return parse(await readFile(path), {
    columns: true,
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  }) as Row[];
}

export async function readJsonLines(path: string): Promise<Row[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Row);
}

/** A Parquet file's rows, read by hyparquet (another implementation than the writer pdsync uses). */
export async function readParquet(path: string): Promise<Row[]> {
  return (await parquetReadObjects({ file: await asyncBufferFromFile(path) })) as Row[];
}

export function readRows(path: string): Promise<Row[]> {
  if (path.endsWith('.csv')) return readCsv(path);
  if (path.endsWith('.parquet')) return readParquet(path);
  return readJsonLines(path);
}

/** Every file in a folder, hidden ones too, sorted. */
export async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}
