import { sql, type Kysely } from 'kysely';

/**
 * Administration (issue 13): organisation settings and a disabled flag for organisations,
 * hubs, sensors and residents (the CLI's `disable`), and the record of channel test sends.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE organisations ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'`.execute(db);
  for (const table of ['organisations', 'hubs', 'sensors', 'residents']) {
    await sql.raw(`ALTER TABLE ${table} ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0`).execute(db);
  }
  // A test send is a delivery attempt without an alert: kept, like notification_attempts, and never edited.
  await sql`
    CREATE TABLE channel_tests (
      id INTEGER PRIMARY KEY AUTOINCREMENT, org_id TEXT NOT NULL REFERENCES organisations(id),
      channel_id TEXT NOT NULL, at INTEGER NOT NULL, requested_by TEXT NOT NULL,
      status TEXT NOT NULL, response TEXT, error TEXT)`.execute(db);
  await sql`CREATE INDEX channel_tests_channel ON channel_tests(channel_id, id)`.execute(db);
  await sql`
    CREATE TRIGGER channel_tests_no_update BEFORE UPDATE ON channel_tests
    BEGIN SELECT RAISE(ABORT, 'channel_tests is append-only'); END`.execute(db);
  await sql`
    CREATE TRIGGER channel_tests_no_delete BEFORE DELETE ON channel_tests
    BEGIN SELECT RAISE(ABORT, 'channel_tests is append-only'); END`.execute(db);
}
