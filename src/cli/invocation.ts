/** How the user started pdsync, for the commands it suggests: `npx pdsync` inside a checkout, else the installed `pdsync`. */
export function pdsyncCommand(env: NodeJS.ProcessEnv): string {
  return env.npm_command === 'exec' ? 'npx pdsync' : 'pdsync';
}
