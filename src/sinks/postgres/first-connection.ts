import pg from 'pg';
import { ConfigError, TargetError } from '../../errors.js';

/** A server that takes this long to accept a connection is taken as unreachable. */
const CONNECT_DEADLINE_MS = 10_000;

/** Socket errors that say the server cannot be reached at the url's address. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused (no PostgreSQL listens there)',
  ENOTFOUND: 'no such host (DNS)',
  EAI_AGAIN: 'the host name could not be looked up now (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset by the server',
};

/** host:port of a postgres URL, for messages (a socket path when the URL names no host). */
export function serverAddress(url: string): string {
  if (!URL.canParse(url)) return 'its url';
  const u = new URL(url);
  const socket = u.searchParams.get('host');
  if (!u.hostname && socket) return socket;
  return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
}

/**
 * Proves the server answers and takes the credentials, on a connection of its own with a deadline
 * (a pool's would also bound the wait for a free client). A wrong database, user or password, and a
 * server that cannot be reached, are configuration to fix: exit 2, nothing written.
 */
export async function firstConnection(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_DEADLINE_MS, application_name: 'pdsync' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw connectError(e, name, url);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function connectError(e: unknown, name: string, url: string): Error {
  const { code, message } = e as { code?: string; message: string };
  const at = serverAddress(url);
  if (code === '3D000') return new ConfigError(`connection ${name}: ${message}: create it (createdb) or fix the database name in the url`);
  if (code === '28P01' || code === '28000') return new ConfigError(`connection ${name}: ${message}: fix the user or password in the url`);
  const unreachable = (code && UNREACHABLE[code]) ?? (/timeout/i.test(message) ? `no answer within ${CONNECT_DEADLINE_MS / 1000} s` : undefined);
  if (unreachable) {
    return new ConfigError(`connection ${name}: cannot reach PostgreSQL at ${at}: ${unreachable}: start the server, or fix the host and port in the url`);
  }
  return new TargetError(`cannot connect to the target database (connection ${name}) at ${at}: ${message}`);
}
