import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the built `pdsync` executable as a user would: its own process, its own working directory. */
export function startPdsync(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  const child = spawn(BIN, args, {
    cwd: opts.cwd,
    // A clean environment: HOME points into the workspace so ~/.pdsync is never the tester's.
    env: { PATH: process.env.PATH ?? '', HOME: opts.cwd, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (output.stdout += d));
  child.stderr.on('data', (d) => (output.stderr += d));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      // Every run of every test checks that no secret it was given reached its output.
      const leaked = secretsIn(opts.env ?? {}).find((secret) => output.stdout.includes(secret) || output.stderr.includes(secret));
      if (leaked) reject(new Error(`pdsync ${args.join(' ')} printed a secret:\n${output.stderr}\n${output.stdout}`));
      else resolve({ code, signal, ...output });
    });
  });
  return { child, output, done };
}

export function pdsync(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return startPdsync(args, opts).done;
}

/** A temporary working directory holding the given files. */
export function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdsync-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export const SIM_KEY = 'sim-token';

/** env.yaml with a PagerDuty connection to a simulator and the test database. */
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
