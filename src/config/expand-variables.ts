import { ConfigError } from '../errors.js';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

const WHOLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * Replaces `${VAR}` in every string of a parsed YAML value. An unset variable is an error naming it;
 * so is an empty one that is a whole value (no setting of pdsync may be empty).
 */
export function expandVariables(value: unknown, env: NodeJS.ProcessEnv, source: string, path: string[] = []): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value)?.[1];
    if (whole && env[whole] === '') {
      throw new ConfigError(`${source}: ${path.join('.')}: environment variable ${whole} is empty: set it to the value, or remove the key`);
    }
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
