import { sql, type Kysely } from 'kysely';

/** The access log is append-only at database level, like alert_log: triggers refuse UPDATE and DELETE. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END`.execute(db);
}
