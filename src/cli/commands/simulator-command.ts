import { EXIT_OK } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { type SimulatorFlags, simulatorAction } from './simulator-flags.js';

/**
 * `pdsync simulator`: checks the options, then serves the simulated API until interrupted, or exports
 * its account to files. Each job loads only its own code (the server's HTTP stack is not the export's).
 */
export async function simulatorCommand(flags: SimulatorFlags, ctx: CommandContext): Promise<number> {
  const action = simulatorAction(flags, ctx.cwd);
  if (action.kind === 'export') {
    const { kind: _, ...opts } = action;
    const { simulatorExportCommand } = await import('./simulator-export-command.js');
    return simulatorExportCommand(opts, ctx);
  }
  const { runSimulatorCommand } = await import('../../simulator/simulator-command.js');
  await runSimulatorCommand({ port: action.port, seed: action.seed });
  return EXIT_OK;
}
