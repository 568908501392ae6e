import { type CommandContext, processContext } from './context.js';
import { reportError } from './exit-codes.js';
import { buildProgram } from './program.js';

/** Parses argv, runs the command, and returns the exit code. Only bin.ts sets the process's. */
export async function main(argv: string[], ctx: CommandContext = processContext()): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(exit, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (e) {
    return reportError(e, (line) => ctx.output.err(line), argv.includes('--debug') || argv.includes('-d'));
  }
}
