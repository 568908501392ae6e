import { buildProgram } from './program.js';
import { reportError } from './exit-codes.js';

/** Parses argv, runs the command, and returns the exit code. Only bin.ts sets the process's. */
export async function main(argv: string[]): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(exit);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (e) {
    return reportError(e, (line) => process.stderr.write(`${line}\n`), argv.includes('--debug') || argv.includes('-d'));
  }
}
