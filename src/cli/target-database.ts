import type { PostgresConnection } from '../config/connections.js';
import { openDatabase } from '../sinks/postgres/open-database.js';
import { PostgresTarget } from '../sinks/postgres/postgres-target.js';
import type { CommandContext } from './context.js';

/** A postgres connection's database for people: host, port and database, or the embedded server's folder. */
export function databaseLabel(url: string, where: string | undefined, name: string): string {
  if (where) return where;
  const u = new URL(url);
  return `database ${decodeURIComponent(u.pathname.slice(1)) || u.username} on ${u.host} (connection ${name})`;
}

/** Runs `fn` on a connection's database, starting the embedded server first when the connection says so. */
export async function withDatabase<T>(
  conn: PostgresConnection,
  name: string,
  ctx: CommandContext,
  fn: (target: PostgresTarget, label: string) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(conn, ctx.cwd, ctx.env);
  try {
    const target = await PostgresTarget.connect(database.url, 1, name);
    try {
      return await fn(target, databaseLabel(database.url, database.where, name));
    } finally {
      await target.close();
    }
  } finally {
    await database.close();
  }
}
