import { CommanderError } from 'commander';
import { EXIT_OK, EXIT_STREAM_FAILED, EXIT_USAGE, PdsyncError } from '../errors.js';

export const EXIT_CODES_HELP = `Exit codes:
  0  every stream succeeded (plan-gated streams skipped with a warning count as success)
  1  one or more streams failed
  2  bad usage or bad configuration: nothing was written
  130/143  stopped by SIGINT/SIGTERM: loads in progress were rolled back`;

/** The one place an error becomes an exit code and a one-line message on stderr. */
export function reportError(e: unknown, write: (line: string) => void, debug: boolean): number {
  if (e instanceof CommanderError) {
    return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (e instanceof PdsyncError) {
    write(`pdsync: ${e.message}`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  write(`pdsync: internal error: ${err.message}${debug ? `\n${err.stack}` : ' (run with --debug for details)'}`);
  return EXIT_STREAM_FAILED;
}
