import { sql, type Kysely } from 'kysely';

/**
 * Commissioning in the browser (issue 13): a hub registered from the console is
 * "being commissioned" until its go-live checklist is complete; walk tests;
 * devices the gateway sees but cannot map, with the installer's mappings; and
 * the availability the gateway reports per sensor (or for its whole bridge).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE hub_commissioning (
      hub_id TEXT PRIMARY KEY REFERENCES hubs(id), started_at INTEGER NOT NULL, started_by TEXT,
      walk_started_at INTEGER, live_at INTEGER, live_by TEXT, checklist TEXT,
      synced_at INTEGER, synced_version INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 0,
      battery_seen_at INTEGER)`.execute(db);
  await sql`
    CREATE TABLE unmapped_devices (
      hub_id TEXT NOT NULL REFERENCES hubs(id), device TEXT NOT NULL, adapter TEXT NOT NULL,
      reason TEXT NOT NULL, payload TEXT NOT NULL, first_seen_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
      count INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (hub_id, device))`.execute(db);
  await sql`
    CREATE TABLE hub_mappings (
      hub_id TEXT NOT NULL REFERENCES hubs(id), device TEXT NOT NULL, sensor_id TEXT NOT NULL,
      rules TEXT NOT NULL, created_at INTEGER NOT NULL, created_by TEXT,
      PRIMARY KEY (hub_id, device))`.execute(db);
  await sql`
    CREATE TABLE sensor_availability (
      hub_id TEXT NOT NULL REFERENCES hubs(id), sensor_id TEXT NOT NULL, online INTEGER NOT NULL,
      at INTEGER NOT NULL, source TEXT NOT NULL, PRIMARY KEY (hub_id, sensor_id))`.execute(db);
}
