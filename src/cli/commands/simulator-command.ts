import { EXIT_OK } from '../../errors.js';
import { runSimulatorCommand } from '../../simulator/simulator-command.js';
import type { CommandContext } from '../context.js';
import { type SimulatorFlags, simulatorAction } from './simulator-flags.js';

/** `pdsync simulator`: checks the options, then serves the simulated API until interrupted, or exports its account to files. */
export async function simulatorCommand(flags: SimulatorFlags, ctx: CommandContext): Promise<number> {
  const action = simulatorAction(flags, ctx.cwd);
  if (action.kind === 'export') {
    const { kind: _, ...opts } = action;
    const { simulatorExportCommand } = await import('./simulator-export-command.js');
    return simulatorExportCommand(opts, ctx);
  }
  await runSimulatorCommand({ port: action.port, seed: action.seed });
  return EXIT_OK;
}
