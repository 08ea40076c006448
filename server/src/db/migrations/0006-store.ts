import { sql, type Kysely } from 'kysely';

/** Activity history: daily summaries, job runs, hub presence, the InfluxDB outbox, service reports. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per resident per local day, kept long after the raw events are gone.
  await sql`
    CREATE TABLE daily_summaries (
      resident_id TEXT NOT NULL, day TEXT NOT NULL, hub_id TEXT NOT NULL,
      data TEXT NOT NULL, computed_at INTEGER NOT NULL,
      PRIMARY KEY (resident_id, day)) WITHOUT ROWID`.execute(db);
  // A scheduled job's completed periods: what makes jobs idempotent and lets a restart catch up.
  await sql`
    CREATE TABLE job_runs (
      job TEXT NOT NULL, key TEXT NOT NULL, period TEXT NOT NULL, done_at INTEGER NOT NULL, detail TEXT NOT NULL DEFAULT '{}',
      PRIMARY KEY (job, key, period)) WITHOUT ROWID`.execute(db);
  // When each hub was heard from: a bit per five-minute slot of each hour (hub uptime).
  await sql`
    CREATE TABLE hub_presence (
      hub_id TEXT NOT NULL, hour INTEGER NOT NULL, slots INTEGER NOT NULL,
      PRIMARY KEY (hub_id, hour)) WITHOUT ROWID`.execute(db);
  // Events stored but not yet forwarded to InfluxDB, in the order they were stored (filled by a trigger in influx mode).
  await sql`
    CREATE TABLE store_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, hub_id TEXT NOT NULL, event_id TEXT NOT NULL)`.execute(db);
  await sql`CREATE TABLE store_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`.execute(db);
  // Each neighbourhood's monthly service report as it stood when the month closed.
  await sql`
    CREATE TABLE service_reports (
      neighbourhood_id TEXT NOT NULL, month TEXT NOT NULL, org_id TEXT NOT NULL, data TEXT NOT NULL, created_at INTEGER NOT NULL,
      PRIMARY KEY (neighbourhood_id, month)) WITHOUT ROWID`.execute(db);
}
