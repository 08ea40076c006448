import { sql, type Kysely } from 'kysely';

/** Small named values the server keeps between runs (e.g. how far the anomaly core got). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE checkpoints (name TEXT PRIMARY KEY, value INTEGER NOT NULL, updated_at INTEGER NOT NULL)`.execute(db);
  await sql`CREATE INDEX events_received ON events(received_at)`.execute(db);
}
