import { sql, type Kysely } from 'kysely';

/** The foundation: care directory, hubs, events, rejections, alerts and the audit logs. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE organisations (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at INTEGER NOT NULL);
  `.execute(db);
  await sql`
    CREATE TABLE neighbourhoods (
      id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id), name TEXT NOT NULL,
      urgent_start TEXT NOT NULL DEFAULT '08:00', urgent_end TEXT NOT NULL DEFAULT '20:00',
      timezone TEXT NOT NULL DEFAULT 'Europe/London', out_of_hours_route TEXT NOT NULL DEFAULT '',
      created_at INTEGER NOT NULL)`.execute(db);
  await sql`
    CREATE TABLE users (
      id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id), username TEXT NOT NULL UNIQUE,
      display_name TEXT NOT NULL, role TEXT NOT NULL, neighbourhood_id TEXT REFERENCES neighbourhoods(id),
      password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)`.execute(db);
  await sql`
    CREATE TABLE sessions (
      token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),
      created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`.execute(db);
  await sql`
    CREATE TABLE hubs (
      id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id), name TEXT NOT NULL,
      secret_hash TEXT NOT NULL, created_at INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'never-seen',
      status_at INTEGER, last_seen_at INTEGER, last_heartbeat_seq INTEGER, firmware TEXT, power TEXT,
      heartbeat_seconds INTEGER NOT NULL DEFAULT 60)`.execute(db);
  await sql`
    CREATE TABLE sensors (
      hub_id TEXT NOT NULL REFERENCES hubs(id), sensor_id TEXT NOT NULL, type TEXT NOT NULL,
      room TEXT, role TEXT, commissioned INTEGER NOT NULL DEFAULT 0,
      first_seen_at INTEGER, last_seen_at INTEGER, battery INTEGER,
      PRIMARY KEY (hub_id, sensor_id))`.execute(db);
  await sql`
    CREATE TABLE residents (
      id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES organisations(id),
      neighbourhood_id TEXT NOT NULL REFERENCES neighbourhoods(id), hub_id TEXT REFERENCES hubs(id),
      name TEXT NOT NULL, timezone TEXT NOT NULL, coordinator_id TEXT REFERENCES users(id),
      plan TEXT NOT NULL DEFAULT '{}', contacts TEXT NOT NULL DEFAULT '[]', consent TEXT NOT NULL DEFAULT '{}',
      away INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)`.execute(db);
  await sql`CREATE INDEX residents_hub ON residents(hub_id)`.execute(db);
  await sql`
    CREATE TABLE events (
      hub_id TEXT NOT NULL, event_id TEXT NOT NULL, ts INTEGER NOT NULL, received_at INTEGER NOT NULL,
      sensor TEXT NOT NULL, type TEXT NOT NULL, value TEXT NOT NULL, battery INTEGER, late INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (hub_id, event_id)) WITHOUT ROWID`.execute(db);
  await sql`CREATE INDEX events_hub_ts ON events(hub_id, ts)`.execute(db);
  await sql`
    CREATE TABLE rejections (
      id INTEGER PRIMARY KEY AUTOINCREMENT, hub_id TEXT NOT NULL, received_at INTEGER NOT NULL,
      topic TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL, payload TEXT NOT NULL)`.execute(db);
  await sql`CREATE INDEX rejections_hub ON rejections(hub_id, received_at)`.execute(db);
  await sql`
    CREATE TABLE alerts (
      id TEXT PRIMARY KEY, org_id TEXT NOT NULL, hub_id TEXT NOT NULL, resident_id TEXT, subject TEXT NOT NULL,
      type TEXT NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL,
      occurred_at INTEGER NOT NULL, raised_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
      repeat_count INTEGER NOT NULL DEFAULT 0, cause TEXT NOT NULL, late INTEGER NOT NULL DEFAULT 0,
      acknowledged_at INTEGER, acknowledged_by TEXT, cleared_at INTEGER, cleared_by TEXT,
      closed_at INTEGER, outcome TEXT)`.execute(db);
  // At most one open alert per (subject, type): the database enforces it, not only the code.
  await sql`
    CREATE UNIQUE INDEX alerts_one_open ON alerts(subject, type)
    WHERE state NOT IN ('resolved', 'cancelled')`.execute(db);
  await sql`CREATE INDEX alerts_org_state ON alerts(org_id, state, raised_at)`.execute(db);
  await sql`
    CREATE TABLE alert_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts(id), at INTEGER NOT NULL,
      action TEXT NOT NULL, actor TEXT, detail TEXT NOT NULL DEFAULT '{}')`.execute(db);
  await sql`CREATE INDEX alert_log_alert ON alert_log(alert_id, id)`.execute(db);
  // The audit trail cannot be edited: updates and deletes are refused by the database.
  await sql`
    CREATE TRIGGER alert_log_no_update BEFORE UPDATE ON alert_log
    BEGIN SELECT RAISE(ABORT, 'alert_log is append-only'); END`.execute(db);
  await sql`
    CREATE TRIGGER alert_log_no_delete BEFORE DELETE ON alert_log
    BEGIN SELECT RAISE(ABORT, 'alert_log is append-only'); END`.execute(db);
  await sql`
    CREATE TABLE access_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, user_id TEXT NOT NULL, org_id TEXT NOT NULL,
      action TEXT NOT NULL, subject TEXT NOT NULL)`.execute(db);
}
