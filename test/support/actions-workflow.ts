import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type Ran, sh } from './newcomer-shell.js';

interface Step {
  uses?: string;
  with?: Record<string, string | number>;
  run?: string;
  env?: Record<string, string>;
  if?: string;
}

interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

export interface RunnerOptions {
  /** The user's repository, checked out: the job's working folder (GITHUB_WORKSPACE). */
  workspace: string;
  /** Values for `${{ secrets.NAME }}`. */
  secrets: Record<string, string>;
  /** The runner's environment for `run:` steps (PATH, HOME, npm's folders). */
  env: Record<string, string>;
  /** What `actions/checkout` of another repository fetches into a folder. */
  checkout(repository: string, into: string): Promise<void>;
}

export interface StepResult extends Ran {
  step: string;
}

/** `${{ secrets.NAME }}` replaced by the runner's secret; any other expression is beyond this runner. */
function expand(text: string, secrets: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const name = /^secrets\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr)?.[1];
    if (!name || !(name in secrets)) throw new Error(`the workflow uses \${{ ${expr} }}, which this test does not provide`);
    return secrets[name]!;
  });
}

/**
 * Runs the single job of a GitHub Actions workflow on this machine, as ubuntu-latest would: the
 * actions it uses are played by their effect here; each `run:` is a bash of its own in the
 * workspace (`bash --noprofile --norc -eo pipefail`, Actions' default), with the step's `env`.
 * Stops at the first failing step, but still runs the steps marked `if: always()`.
 */
export async function runWorkflow(text: string, opts: RunnerOptions): Promise<StepResult[]> {
  const jobs = Object.values((parse(text) as Workflow).jobs);
  if (jobs.length !== 1) throw new Error(`expected one job, found ${jobs.length}`);
  const results: StepResult[] = [];
  let failed = false;
  for (const step of jobs[0]!.steps) {
    if (failed && step.if !== 'always()') continue;
    const result = step.run !== undefined ? await runStep(step, step.run, opts) : await useAction(step, opts);
    results.push(result);
    failed ||= result.code !== 0;
  }
  return results;
}

async function runStep(step: Step, script: string, opts: RunnerOptions): Promise<StepResult> {
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), opts.secrets)]));
  const env = { ...opts.env, CI: 'true', GITHUB_WORKSPACE: opts.workspace, ...stepEnv };
  const ran = await sh('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expand(script, opts.secrets)], { cwd: opts.workspace, env });
  return { step: `run: ${script.trim()}`, ...ran };
}

async function useAction(step: Step, opts: RunnerOptions): Promise<StepResult> {
  const action = step.uses?.replace(/@.*$/, '');
  const done = (code: number, stderr = ''): StepResult => ({ step: `uses: ${step.uses}`, code, stdout: '', stderr, seconds: 0 });
  if (action === 'actions/checkout') {
    // Without `repository`, the workspace is the user's repository, already there.
    if (step.with?.repository) await opts.checkout(String(step.with.repository), join(opts.workspace, String(step.with.path ?? '.')));
    return done(0);
  }
  // The machine's node stands for the one asked for; PATH already holds it.
  if (action === 'actions/setup-node') return done(0);
  if (action === 'actions/upload-artifact') {
    const path = join(opts.workspace, String(step.with?.path));
    return existsSync(path) ? done(0) : done(1, `${path}: nothing to upload`);
  }
  throw new Error(`the workflow uses ${step.uses}, which this test cannot play`);
}
