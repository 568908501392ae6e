import { startSimulator } from './server.js';

export interface SimulatorCommandOptions {
  port: number;
  seed: number;
  host?: string;
  apiKey?: string;
}

/** `pdsync simulator`: serves until SIGINT or SIGTERM, announcing itself with one line on stderr. */
export async function runSimulatorCommand(opts: SimulatorCommandOptions): Promise<void> {
  const apiKey = opts.apiKey ?? 'sim-token';
  const sim = await startSimulator({ port: opts.port, seed: opts.seed, host: opts.host, apiKey });
  process.stderr.write(`PagerDuty simulator listening on ${sim.url} (seed ${opts.seed}, api key ${apiKey})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
}
