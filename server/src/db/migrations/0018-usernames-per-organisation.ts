import { sql, type Kysely } from 'kysely';

/**
 * Usernames are unique within an organisation, not across them: another
 * organisation's admin must not learn which names are taken elsewhere from a
 * conflict (issue 9, defect 12). SQLite cannot drop a column's UNIQUE, so the
 * table is rebuilt (SQLite's documented procedure; openDatabase runs
 * migrations with foreign keys off and checks them after).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const row = await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'`.execute(db);
  const create = row.rows[0]?.sql;
  if (!create) throw new Error('no users table');
  if (!/username TEXT NOT NULL UNIQUE/.test(create)) throw new Error('users.username is not declared as expected');
  const rebuilt = create
    .replace(/^CREATE TABLE users \(/, 'CREATE TABLE users_rebuilt (')
    .replace('username TEXT NOT NULL UNIQUE', 'username TEXT NOT NULL')
    .replace(/\)\s*$/, ', UNIQUE (org_id, username))');
  const columns = (await sql<{ name: string }>`SELECT name FROM pragma_table_info('users')`.execute(db)).rows.map((r) => `"${r.name}"`).join(', ');
  const others = (await sql<{ sql: string }>`SELECT sql FROM sqlite_master WHERE tbl_name = 'users' AND type IN ('index', 'trigger') AND sql IS NOT NULL`.execute(db)).rows;
  await sql.raw(rebuilt).execute(db);
  await sql.raw(`INSERT INTO users_rebuilt (${columns}) SELECT ${columns} FROM users`).execute(db);
  await sql`DROP TABLE users`.execute(db);
  await sql`ALTER TABLE users_rebuilt RENAME TO users`.execute(db);
  for (const o of others) await sql.raw(o.sql).execute(db);
  // Sign-in looks a name up across organisations.
  await sql`CREATE INDEX users_username ON users(username)`.execute(db);
}
