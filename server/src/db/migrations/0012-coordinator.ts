import { sql, type Kysely } from 'kysely';

/**
 * The coordinator's records (issue 12): who changed which plan setting and when
 * (append-only), notes for the multidisciplinary team kept with the resident,
 * away periods with an end date and a reason, and which coordinators lead a
 * neighbourhood (a lead's caseload is the neighbourhood).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE plan_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_id TEXT NOT NULL, org_id TEXT NOT NULL, at INTEGER NOT NULL, user_id TEXT NOT NULL,
    setting TEXT NOT NULL, old_value TEXT, new_value TEXT)`.execute(db);
  await sql`CREATE INDEX plan_changes_resident ON plan_changes (resident_id, at)`.execute(db);
  await sql`CREATE TRIGGER plan_changes_no_update BEFORE UPDATE ON plan_changes BEGIN SELECT RAISE(ABORT, 'plan_changes is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER plan_changes_no_delete BEFORE DELETE ON plan_changes BEGIN SELECT RAISE(ABORT, 'plan_changes is append-only'); END`.execute(db);
  await sql`CREATE TABLE mdt_notes (
    id TEXT PRIMARY KEY, resident_id TEXT NOT NULL, org_id TEXT NOT NULL, at INTEGER NOT NULL,
    author_id TEXT NOT NULL, text TEXT NOT NULL)`.execute(db);
  await sql`CREATE INDEX mdt_notes_resident ON mdt_notes (resident_id, at)`.execute(db);
  await sql`CREATE TABLE away_periods (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_id TEXT NOT NULL, org_id TEXT NOT NULL, from_at INTEGER NOT NULL,
    until_day TEXT, reason TEXT NOT NULL, set_by TEXT NOT NULL,
    ended_at INTEGER, ended_by TEXT)`.execute(db);
  await sql`CREATE INDEX away_periods_resident ON away_periods (resident_id, from_at)`.execute(db);
  await sql`CREATE TABLE coordinator_leads (
    user_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, set_by TEXT NOT NULL, set_at INTEGER NOT NULL)`.execute(db);
}
