import { ConfigError } from '../errors.js';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${VAR}` in every string of a parsed YAML value. An unset variable is an error naming it. */
export function expandVariables(value: unknown, env: NodeJS.ProcessEnv, source: string, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_, name: string) => {
      const v = env[name];
      if (v === undefined) {
        throw new ConfigError(`${source}: ${path.join('.')}: environment variable ${name} is not set: export it or add it to .env`);
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandVariables(v, env, source, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, expandVariables(v, env, source, [...path, k])]),
    );
  }
  return value;
}
