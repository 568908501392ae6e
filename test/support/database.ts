import pg from 'pg';

/** The real PostgreSQL the suite runs against (.ci/run makes sure it answers). */
export const DATABASE_URL = process.env.PDSYNC_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A pool on the test database and a schema name of the test's own, dropped by `drop()`. */
export async function testDatabase(prefix: string) {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 3 });
  const schema = `t_${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  return {
    pool,
    schema,
    async ids(table: string, key = 'id'): Promise<string[]> {
      const { rows } = await pool.query(`SELECT ${pg.escapeIdentifier(key)}::text AS id FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`);
      return rows.map((r: { id: string }) => r.id);
    },
    async schemaExists(): Promise<boolean> {
      const { rowCount } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      return rowCount === 1;
    },
    async drop(): Promise<void> {
      await pool.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
      if ((await pool.query(`SELECT to_regclass('pdsync.state') IS NOT NULL AS t`)).rows[0].t) {
        await pool.query('DELETE FROM pdsync.state WHERE object LIKE $1', [`${schema}.%`]);
      }
      await pool.end();
    },
  };
}
