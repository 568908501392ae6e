import pg from 'pg';

/**
 * The PostgreSQL server the suite runs against (.ci/run makes sure it answers). Tests never
 * write to this database itself: each creates a database of its own on the same server.
 */
export const SERVER_URL = process.env.PDSYNC_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** The URL of another database on the suite's server. */
export function databaseUrl(name: string, server = SERVER_URL): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

export type TestDatabase = Awaited<ReturnType<typeof testDatabase>>;

/**
 * A database of the test's own (created here, dropped by `drop()`), so two suites on one server
 * never see each other's tables, cursors or runs, and a schema name inside it for the test's tables.
 */
export async function testDatabase(prefix: string) {
  const name = `pdsync_t_${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined);
  const schema = `t_${prefix}`;
  const q = (id: string) => pg.escapeIdentifier(id);
  return {
    name,
    url,
    pool,
    schema,
    async ids(table: string, key = 'id'): Promise<string[]> {
      const { rows } = await pool.query(`SELECT ${q(key)}::text AS id FROM ${q(schema)}.${q(table)}`);
      return rows.map((r: { id: string }) => r.id);
    },
    async schemaExists(name = schema): Promise<boolean> {
      const { rowCount } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name]);
      return rowCount === 1;
    },
    /** Relations the test's database holds in schemas other than PostgreSQL's own. */
    async relations(): Promise<string[]> {
      const { rows } = await pool.query(
        `SELECT n.nspname || '.' || c.relname AS r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY 1`,
      );
      return rows.map((r: { r: string }) => r.r);
    },
    async drop(): Promise<void> {
      await pool.end();
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
