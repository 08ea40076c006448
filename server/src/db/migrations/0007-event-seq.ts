import { sql, type Kysely } from 'kysely';

/**
 * An arrival sequence number on stored events, assigned by ingest. The anomaly
 * core's checkpoint is a sequence number, so recovery after a crash feeds
 * exactly the events the detectors had not seen (times can tie; sequence numbers cannot).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE events ADD COLUMN seq INTEGER NOT NULL DEFAULT 0`.execute(db);
  await sql`CREATE INDEX events_seq ON events(seq)`.execute(db);
}
