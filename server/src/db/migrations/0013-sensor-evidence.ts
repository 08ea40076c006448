import { sql, type Kysely } from 'kysely';

/**
 * The installer's per-sensor override of its kind's evidence (protocol
 * SENSOR_KINDS `evidence`): 'presence' or 'touch', null for the kind's own.
 * Added only if no other migration has added it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const cols = await sql<{ name: string }>`PRAGMA table_info(sensors)`.execute(db);
  if (!cols.rows.some((c) => c.name === 'evidence')) await sql`ALTER TABLE sensors ADD COLUMN evidence TEXT`.execute(db);
}
