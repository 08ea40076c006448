import { sql, type Kysely } from 'kysely';

/**
 * Working an alert and the resident record (issue 11): the assigned responder,
 * "on my way" and whether "on site" was recorded by someone else on the
 * responder's behalf (the service report leaves those out of its median); the
 * resident's record (address, key safe, health warnings...) as JSON; and
 * operators' "on shift" flag.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const col of ['assigned_to TEXT', 'assigned_at INTEGER', 'assigned_by TEXT', 'en_route_at INTEGER', 'en_route_by TEXT', 'on_site_proxy INTEGER NOT NULL DEFAULT 0']) {
    await sql.raw(`ALTER TABLE alerts ADD COLUMN ${col}`).execute(db);
  }
  await sql`CREATE INDEX alerts_closed ON alerts(org_id, closed_at)`.execute(db);
  await sql`
    CREATE TABLE resident_records (
      resident_id TEXT PRIMARY KEY REFERENCES residents(id), org_id TEXT NOT NULL REFERENCES organisations(id),
      data TEXT NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT)`.execute(db);
  await sql`
    CREATE TABLE operator_shifts (
      user_id TEXT PRIMARY KEY REFERENCES users(id), org_id TEXT NOT NULL REFERENCES organisations(id),
      on_shift INTEGER NOT NULL, changed_at INTEGER NOT NULL)`.execute(db);
}
