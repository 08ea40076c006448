import { sql, type Kysely } from 'kysely';

/** Rejections are deleted by age (the retention job), so they are indexed by when they arrived. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX IF NOT EXISTS rejections_received ON rejections(received_at)`.execute(db);
}
