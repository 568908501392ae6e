import { buildProgram } from './program.js';
import { reportError } from './exit-codes.js';
import { Output } from './output.js';

/** Parses argv, runs the command, and returns the exit code. Only bin.ts sets the process's. */
export async function main(argv: string[], output = new Output()): Promise<number> {
  const exit = { code: 0 };
  const program = buildProgram(exit, output);
  program.configureOutput({
    writeOut: (s) => output.out(s),
    writeErr: (s) => output.err(s.replace(/\n$/, '')),
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit.code;
  } catch (e) {
    return reportError(e, (line) => output.err(line), argv.includes('--debug') || argv.includes('-d'));
  }
}
