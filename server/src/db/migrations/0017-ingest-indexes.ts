import { sql, type Kysely } from 'kysely';

/**
 * Events lose their index on arrival time: every insert paid for it and no query
 * reads events by arrival time alone (the core feed goes by seq, an installer's
 * walk test by hub first). One index fewer on the hottest insert (issue 14).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS events_received`.execute(db);
}
