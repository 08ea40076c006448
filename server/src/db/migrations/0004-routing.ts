import { sql, type Kysely } from 'kysely';

/**
 * Alert routing: the response lifecycle on alerts (dispatch, on site, escalation,
 * the two-hour clock), persisted deadlines, outbound channels, per-neighbourhood
 * routing overrides, and notification jobs with every delivery attempt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const col of [
    'neighbourhood_id TEXT',
    'dispatched_at INTEGER',
    'dispatched_by TEXT',
    'dispatch_target TEXT',
    'on_site_at INTEGER',
    'on_site_by TEXT',
    'escalated_at INTEGER',
    'escalation_level INTEGER NOT NULL DEFAULT 0',
    'response_warning_at INTEGER',
    'response_breached_at INTEGER',
  ]) {
    await sql.raw(`ALTER TABLE alerts ADD COLUMN ${col}`).execute(db);
  }
  await sql`CREATE INDEX alerts_neighbourhood ON alerts(neighbourhood_id, raised_at)`.execute(db);
  // One row per (alert, kind); fired_at is set in the same transaction that records the effect.
  await sql`
    CREATE TABLE deadlines (
      id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts(id), kind TEXT NOT NULL,
      due_at INTEGER NOT NULL, created_at INTEGER NOT NULL, fired_at INTEGER, cancelled_at INTEGER,
      UNIQUE (alert_id, kind))`.execute(db);
  await sql`CREATE INDEX deadlines_pending ON deadlines(due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL`.execute(db);
  await sql`
    CREATE TABLE channels (
      id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id),
      owner_type TEXT NOT NULL, owner_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
      config TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL)`.execute(db);
  await sql`CREATE INDEX channels_owner ON channels(org_id, owner_type, owner_id)`.execute(db);
  await sql`
    CREATE TABLE routing_rules (
      id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id),
      neighbourhood_id TEXT NOT NULL REFERENCES neighbourhoods(id), match_type TEXT, match_severity TEXT,
      period TEXT NOT NULL, targets TEXT NOT NULL, created_at INTEGER NOT NULL)`.execute(db);
  await sql`CREATE INDEX routing_rules_nb ON routing_rules(neighbourhood_id)`.execute(db);
  await sql`
    CREATE TABLE notifications (
      id TEXT PRIMARY KEY, alert_id TEXT NOT NULL REFERENCES alerts(id), channel_id TEXT NOT NULL,
      kind TEXT NOT NULL, target TEXT NOT NULL, change TEXT NOT NULL, payload TEXT NOT NULL,
      state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`.execute(db);
  await sql`CREATE INDEX notifications_alert ON notifications(alert_id, created_at)`.execute(db);
  await sql`CREATE INDEX notifications_pending ON notifications(next_at) WHERE state = 'pending'`.execute(db);
  await sql`
    CREATE TABLE notification_attempts (
      id INTEGER PRIMARY KEY AUTOINCREMENT, notification_id TEXT NOT NULL REFERENCES notifications(id),
      alert_id TEXT NOT NULL, channel TEXT NOT NULL, target TEXT NOT NULL, attempt INTEGER NOT NULL,
      at INTEGER NOT NULL, status TEXT NOT NULL, response TEXT, error TEXT)`.execute(db);
  await sql`CREATE INDEX notification_attempts_alert ON notification_attempts(alert_id, id)`.execute(db);
  // Attempts are a record of what happened: like the alert log, they cannot be edited.
  await sql`
    CREATE TRIGGER notification_attempts_no_update BEFORE UPDATE ON notification_attempts
    BEGIN SELECT RAISE(ABORT, 'notification_attempts is append-only'); END`.execute(db);
  await sql`
    CREATE TRIGGER notification_attempts_no_delete BEFORE DELETE ON notification_attempts
    BEGIN SELECT RAISE(ABORT, 'notification_attempts is append-only'); END`.execute(db);
}
