import { Output } from '../summary/output.js';

/** What a command runs in: where it prints, its working directory and its environment. Tests pass their own. */
export interface CommandContext {
  output: Output;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Ends the process at once with a code (a second Ctrl-C); only the bin entry gives one, tests do not. */
  quit?: (code: number) => void;
}

export function processContext(quit?: (code: number) => void): CommandContext {
  return { output: new Output(), cwd: process.cwd(), env: process.env, ...(quit ? { quit } : {}) };
}

/** Registers a warning printer on the context's output, for config loading. */
export function warnTo(ctx: CommandContext): (line: string) => void {
  return (line) => ctx.output.err(`pdsync: warning: ${line}`);
}

/** The options loadEnv takes, for a command's context and its `--env` file. */
export function envOptions(opts: { envFile?: string }, ctx: CommandContext) {
  return { ...(opts.envFile ? { envFile: opts.envFile } : {}), cwd: ctx.cwd, env: ctx.env, warn: warnTo(ctx) };
}
