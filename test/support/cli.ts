import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { Output } from '../../src/summary/output.js';
import { systemDir, tempDir } from './temp.js';

export const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string>;
}

/** A clean environment: HOME is the workspace, so ~/.pdsync is never the tester's; as root, the embedded server's files stay in the test's folder. */
function environment(opts: CliOptions): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: opts.cwd, PDSYNC_SYSTEM_DIR: systemDir(), ...opts.env };
}

/** Fails when an output holds a secret the run was given: every run of every test checks it. */
function checkNoSecret(args: string[], env: Record<string, string>, result: CliResult): CliResult {
  const leaked = secretsIn(env).find((secret) => result.stdout.includes(secret) || result.stderr.includes(secret));
  if (leaked) throw new Error(`pdsync ${args.join(' ')} printed a secret:\n${result.stderr}\n${result.stdout}`);
  return result;
}

/** The time of day that starts each stderr line of a process without a terminal (see Output). */
export const STAMP = /^\d{2}:\d{2}:\d{2} /gm;

/**
 * Starts the built `pdsync` executable as a user would: its own process, its own working directory.
 * For tests of the process (exit codes, signals, output). `stderr` is without the time of day each
 * line starts with (tests match what lines say); `rawStderr` is as written.
 */
export function startPdsync(args: string[], opts: CliOptions) {
  const env = environment(opts);
  const child = spawn(BIN, args, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '', rawStderr: '' };
  child.stdout.on('data', (d) => (output.stdout += d));
  child.stderr.on('data', (d) => {
    output.rawStderr += d;
    output.stderr = output.rawStderr.replace(STAMP, '');
  });
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null; rawStderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      try {
        resolve({ ...checkNoSecret(args, env, { code, stdout: output.stdout, stderr: output.stderr }), signal, rawStderr: output.rawStderr });
      } catch (e) {
        reject(e);
      }
    });
  });
  return { child, output, done };
}

/** `pdsync ...` as a process. */
export function pdsyncProcess(args: string[], opts: CliOptions): Promise<CliResult & { rawStderr: string }> {
  return startPdsync(args, opts).done;
}

/**
 * `pdsync ...` in this process: the same command line, parsed and run by the same code, with
 * the output captured. For tests of what commands do, not of the process around them.
 */
export async function pdsync(args: string[], opts: CliOptions): Promise<CliResult> {
  const env = environment(opts);
  let stdout = '';
  let stderr = '';
  const output = new Output((s) => (stdout += s), (s) => (stderr += s), false, false, false);
  const code = await main(args, { output, cwd: opts.cwd, env: { ...env } });
  return checkNoSecret(args, env, { code, stdout, stderr });
}

/** A temporary working directory holding the given files; removed when the test process ends. */
export function workspace(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export const SIM_KEY = 'sim-token';

/** env.yaml with a PagerDuty connection to a simulator and a database. */
export function envYaml(simUrl: string, databaseUrl: string, inputs: Record<string, string | number> = {}): string {
  const extra = Object.entries({ anchor_date: '2020-01-01T00:00:00Z', ...inputs })
    .map(([k, v]) => `      ${k}: ${JSON.stringify(v)}\n`)
    .join('');
  return `connections:
  PAGERDUTY:
    type: pagerduty
    secrets:
      api_key: \${PAGERDUTY_API_KEY}
    inputs:
      base_url: ${simUrl}
${extra}  PG:
    type: postgres
    url: ${databaseUrl}
`;
}

/** Secret values in a test's environment: keys, tokens, passwords, and passwords inside URLs. */
function secretsIn(env: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (/KEY|TOKEN|SECRET|PASSWORD/.test(name) && value.length >= 4) out.push(value);
    const url = /^postgres(ql)?:\/\/[^:]+:([^@]+)@/.exec(value);
    if (url?.[2] && url[2].length >= 4) out.push(decodeURIComponent(url[2]));
  }
  return out;
}
