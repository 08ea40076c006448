import { sql, type Kysely } from 'kysely';

/**
 * The hubs whose home (the hub's organisation, its residents, its sensors' places
 * and roles) changed since the detectors last read them, kept by triggers so a
 * change from any process (the API, the CLI) is seen. The server's minute refresh
 * reads only these homes again, where it read every home (at 20,000 homes, 200,000
 * rows and as many objects a minute, and a major garbage collection after them:
 * most of an idle fleet's CPU, issue 14). A sensor's last-seen time and battery,
 * and a hub's heartbeat and status, are not part of a home and move nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE home_changes (hub_id TEXT PRIMARY KEY) WITHOUT ROWID`.execute(db);
  // Not INSERT OR IGNORE: inside a trigger, the firing statement's own conflict clause (the sensors upsert's) overrides it.
  const mark = (v: 'NEW' | 'OLD', col: string): string =>
    `INSERT INTO home_changes (hub_id) SELECT ${v}.${col} WHERE ${v}.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM home_changes WHERE hub_id = ${v}.${col});`;
  const triggers: [string, string, string, string][] = [
    ['hubs_home_insert', 'AFTER INSERT ON hubs', mark('NEW', 'id'), ''],
    ['hubs_home_update', 'AFTER UPDATE OF id, org_id ON hubs', mark('OLD', 'id'), mark('NEW', 'id')],
    ['hubs_home_delete', 'AFTER DELETE ON hubs', mark('OLD', 'id'), ''],
    ['residents_home_insert', 'AFTER INSERT ON residents', mark('NEW', 'hub_id'), ''],
    ['residents_home_update', 'AFTER UPDATE ON residents', mark('OLD', 'hub_id'), mark('NEW', 'hub_id')],
    ['residents_home_delete', 'AFTER DELETE ON residents', mark('OLD', 'hub_id'), ''],
    ['sensors_home_insert', 'AFTER INSERT ON sensors', mark('NEW', 'hub_id'), ''],
    ['sensors_home_update', 'AFTER UPDATE OF hub_id, sensor_id, type, room, role, commissioned, disabled, evidence ON sensors', mark('OLD', 'hub_id'), mark('NEW', 'hub_id')],
    ['sensors_home_delete', 'AFTER DELETE ON sensors', mark('OLD', 'hub_id'), ''],
  ];
  for (const [name, when, a, b] of triggers) await sql.raw(`CREATE TRIGGER ${name} ${when} BEGIN ${a} ${b} END`).execute(db);
}
