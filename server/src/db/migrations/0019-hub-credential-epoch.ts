import { sql, type Kysely } from 'kysely';

/**
 * A counter that moves whenever a hub's credentials may have changed: its secret
 * rotated, the hub disabled or enabled, or removed. Kept by triggers, so a change
 * made by any process (the API, the CLI) moves it. The broker's credential watch
 * reads this one row every few seconds and re-reads connected hubs' secrets only
 * when it has moved, instead of every connected hub's row every time: at 20,000
 * hubs that was 40 queries and 20,000 rows every 5 s, the largest cost of an idle
 * fleet (issue 14).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE hub_credential_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)`.execute(db);
  await sql`INSERT INTO hub_credential_epoch (id, n) VALUES (1, 0)`.execute(db);
  await sql`CREATE TRIGGER hubs_credential_update AFTER UPDATE OF secret_hash, disabled ON hubs BEGIN UPDATE hub_credential_epoch SET n = n + 1 WHERE id = 1; END`.execute(db);
  await sql`CREATE TRIGGER hubs_credential_delete AFTER DELETE ON hubs BEGIN UPDATE hub_credential_epoch SET n = n + 1 WHERE id = 1; END`.execute(db);
}
