import { ConfigError, EXIT_OK } from '../../errors.js';
import { startSimulator } from '../../simulator/server.js';

function parseInteger(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`simulator: ${option} "${value}": expected an integer from ${min} to ${max}`);
  }
  return n;
}

/** `pdsync simulator`: serves the simulated PagerDuty API until SIGINT or SIGTERM. */
export async function simulatorCommand(opts: { port: string; seed: string }): Promise<number> {
  const port = parseInteger(opts.port, '--port', 0, 65535);
  const seed = parseInteger(opts.seed, '--seed', 0, 2 ** 31 - 1);
  const sim = await startSimulator({ port, seed });
  process.stderr.write(`PagerDuty simulator listening on ${sim.url} (seed ${seed}, api key sim-token); Ctrl-C stops it\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return EXIT_OK;
}
