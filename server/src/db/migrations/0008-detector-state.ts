import { sql, type Kysely } from 'kysely';

/**
 * Each home's detector state (learned norms, pending conditions), saved by the
 * live server so a restart carries on where it was (docs/detection-rules.md,
 * "Restarts"). `state` is JSON of the snapshot's `version`; `seq` is the highest
 * event sequence number it reflects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE detector_state (hub_id TEXT PRIMARY KEY, version INTEGER NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL, saved_at INTEGER NOT NULL)`.execute(db);
}
