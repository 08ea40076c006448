import { sql, type Kysely } from 'kysely';

/**
 * Rejections are deleted by age (the retention job), so they are indexed by
 * when they arrived; and one row that GET /api/ready rewrites to prove the
 * store takes writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS rejections_received ON rejections(received_at)`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS ready_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)`.execute(db);
}
