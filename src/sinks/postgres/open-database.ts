import type { PostgresConnection } from '../../config/connections.js';
import { DEFAULT_EMBEDDED_DIR, startEmbeddedPostgres } from './embedded/embedded-server.js';

export const EMBEDDED_URL = 'embedded';

export interface OpenedDatabase {
  url: string;
  /** For people: where the data lives when pdsync started the server itself. */
  where?: string;
  close(): Promise<void>;
}

/** The database URL of a postgres connection, starting the embedded server when it says `embedded`. */
export async function openDatabase(conn: PostgresConnection, cwd: string, env = process.env): Promise<OpenedDatabase> {
  if (conn.url !== EMBEDDED_URL) return { url: conn.url, close: async () => undefined };
  const server = await startEmbeddedPostgres(conn.data_dir ?? DEFAULT_EMBEDDED_DIR, cwd, env);
  return { url: server.url, where: describeEmbedded(server), close: () => server.stop() };
}

export function describeEmbedded(server: { dataDir: string; moved?: string }): string {
  return `embedded PostgreSQL, data in ${server.dataDir}${server.moved ? ` (${server.moved})` : ''}`;
}
