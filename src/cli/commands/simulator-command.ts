import { ConfigError, EXIT_OK } from '../../errors.js';
import { runSimulatorCommand } from '../../simulator/simulator-command.js';

function parseInteger(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`simulator: ${option} "${value}": expected an integer from ${min} to ${max}`);
  }
  return n;
}

/** `pdsync simulator`: validates the options, then serves the simulated API until interrupted. */
export async function simulatorCommand(opts: { port: string; seed: string }): Promise<number> {
  await runSimulatorCommand({
    port: parseInteger(opts.port, '--port', 0, 65535),
    seed: parseInteger(opts.seed, '--seed', 0, 2 ** 31 - 1),
  });
  return EXIT_OK;
}
