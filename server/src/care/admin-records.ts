// Listing, showing, removing and disabling the directory's records (issue 13), for the CLI and the admin API.
// Removal never loses history: a record that others refer to, or that has history, is refused with a
// sentence saying what holds it, and `disable` is offered instead.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';

/** A record as `list` and `show` print it: plain values only. */
export type RecordView = Record<string, string | number | boolean | null>;

/** Tables of what care staff wrote about a resident, and what to call their rows. */
const RESIDENT_HISTORY: [table: string, label: string][] = [
  ['resident_records', 'resident record'],
  ['plan_changes', 'plan change(s)'],
  ['mdt_notes', 'MDT note(s)'],
  ['away_periods', 'away period(s)'],
];

/** Tables of a hub's state (commissioning, mappings, availability, presence, detector state), removed with a hub that never sent anything. */
const HUB_STATE = ['hub_commissioning', 'unmapped_devices', 'hub_mappings', 'sensor_availability', 'hub_presence', 'detector_state'];

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** Throw a conflict naming what still refers to a record, if anything does. */
function refuseIfHeld(what: string, held: [string, number][], hint: string): void {
  const parts = held.filter(([, n]) => n > 0).map(([label, n]) => `${n} ${label}`);
  if (parts.length) throw new HearthError('HEARTH_ERR_CONFLICT', `${what} still has ${parts.join(', ')}: ${hint}`);
}

/** Count rows of a table matching one column. */
async function count(db: Db, table: 'users' | 'residents' | 'hubs' | 'neighbourhoods' | 'channels' | 'routing_rules' | 'alerts' | 'events' | 'sensors', column: string, value: string): Promise<number> {
  const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ${value}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** The organisation's records, by kind, for administration. */
export class AdminRecords {
  constructor(private readonly db: Db) {}

  /** Every organisation. */
  async organisations(): Promise<RecordView[]> {
    const rows = await this.db.selectFrom('organisations').select(['id', 'name', 'disabled', 'created_at']).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, disabled: r.disabled === 1, createdAt: iso(r.created_at) }));
  }

  /** One organisation with how many records it holds. */
  async organisation(id: string): Promise<RecordView> {
    const r = await this.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return {
      id: r.id,
      name: r.name,
      disabled: r.disabled === 1,
      createdAt: iso(r.created_at),
      settings: r.settings,
      neighbourhoods: await count(this.db, 'neighbourhoods', 'org_id', id),
      users: await count(this.db, 'users', 'org_id', id),
      residents: await count(this.db, 'residents', 'org_id', id),
      hubs: await count(this.db, 'hubs', 'org_id', id),
      channels: await count(this.db, 'channels', 'org_id', id),
    };
  }

  /** Remove an empty organisation. */
  async removeOrganisation(id: string, name: string): Promise<void> {
    const o = await this.organisation(id);
    refuseIfHeld(`organisation "${name}"`, [['neighbourhood(s)', o.neighbourhoods as number], ['user(s)', o.users as number], ['resident(s)', o.residents as number], ['hub(s)', o.hubs as number], ['channel(s)', o.channels as number]], 'remove those first, or disable the organisation');
    const alerts = await count(this.db, 'alerts', 'org_id', id);
    refuseIfHeld(`organisation "${name}"`, [['alert(s) on record', alerts]], 'its history is kept; disable it instead');
    await this.db.deleteFrom('organisations').where('id', '=', id).execute();
  }

  /** Disable (or enable) an organisation: nobody signs in, no hub connects; open sessions end at once. */
  async setOrganisationDisabled(id: string, disabled: boolean): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('organisations').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).execute();
      if (disabled) await trx.deleteFrom('sessions').where('user_id', 'in', trx.selectFrom('users').select('id').where('org_id', '=', id)).execute();
    });
  }

  /** Neighbourhoods of an organisation. */
  async neighbourhoods(orgId: string): Promise<RecordView[]> {
    const rows = await this.db.selectFrom('neighbourhoods').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, urgentStart: r.urgent_start, urgentEnd: r.urgent_end, timezone: r.timezone, outOfHoursRoute: r.out_of_hours_route }));
  }

  /** One neighbourhood with its counts. */
  async neighbourhood(orgId: string, id: string): Promise<RecordView> {
    const nb = (await this.neighbourhoods(orgId)).find((n) => n.id === id);
    if (!nb) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such neighbourhood');
    return { ...nb, residents: await count(this.db, 'residents', 'neighbourhood_id', id), users: await count(this.db, 'users', 'neighbourhood_id', id), routingRules: await count(this.db, 'routing_rules', 'neighbourhood_id', id) };
  }

  /** Remove a neighbourhood nobody lives in or works for. */
  async removeNeighbourhood(orgId: string, id: string): Promise<void> {
    const nb = await this.neighbourhood(orgId, id);
    const teamChannels = Number((await this.db.selectFrom('channels').select((eb) => eb.fn.countAll().as('n')).where('owner_type', '=', 'team').where('owner_id', '=', id).executeTakeFirst())?.n ?? 0);
    refuseIfHeld(`neighbourhood "${nb.name}"`, [['resident(s)', nb.residents as number], ['user(s)', nb.users as number], ['routing rule(s)', nb.routingRules as number], ['team channel(s)', teamChannels]], 'move or remove those first');
    await this.db.deleteFrom('neighbourhoods').where('id', '=', id).execute();
  }

  /** Users of an organisation, disabled ones included (and marked). */
  async users(orgId: string): Promise<RecordView[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('org_id', '=', orgId).orderBy('username').execute();
    return rows.map((r) => ({ id: r.id, username: r.username, displayName: r.display_name, role: r.role, neighbourhoodId: r.neighbourhood_id, disabled: r.disabled === 1, createdAt: iso(r.created_at) }));
  }

  /** Remove a user who never acted or read anything; others are disabled instead, so the records still name them. */
  async removeUser(orgId: string, id: string, username: string): Promise<void> {
    const acted = Number((await this.db.selectFrom('alert_log').select((eb) => eb.fn.countAll().as('n')).where('actor', '=', id).executeTakeFirst())?.n ?? 0);
    const read = Number((await this.db.selectFrom('access_log').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', id).executeTakeFirst())?.n ?? 0);
    const coordinates = await count(this.db, 'residents', 'coordinator_id', id);
    refuseIfHeld(`user "${username}"`, [['resident(s) as their coordinator', coordinates]], 'name another coordinator first');
    refuseIfHeld(`user "${username}"`, [['alert action(s) on record', acted], ['access log entries', read]], 'the records must keep naming them; disable the user instead');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await trx.deleteFrom('users').where('id', '=', id).where('org_id', '=', orgId).execute();
    });
  }

  /** Disable (their sessions end at once) or enable a user. */
  async setUserDisabled(orgId: string, id: string, disabled: boolean): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).where('org_id', '=', orgId).execute();
      if (disabled) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
    });
  }

  /** Residents of an organisation (no health details: names, home and state). */
  async residents(orgId: string): Promise<RecordView[]> {
    const rows = await this.db.selectFrom('residents').select(['id', 'name', 'neighbourhood_id', 'hub_id', 'coordinator_id', 'away', 'disabled']).where('org_id', '=', orgId).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, neighbourhoodId: r.neighbourhood_id, hubId: r.hub_id, coordinatorId: r.coordinator_id, away: r.away === 1, monitoringEnded: r.disabled === 1 }));
  }

  /** Remove a resident with no alerts on record; one with history has monitoring ended (disable) instead. */
  async removeResident(orgId: string, id: string, name: string): Promise<void> {
    const alerts = await count(this.db, 'alerts', 'resident_id', id);
    // What care staff wrote about them (other capabilities' tables, where migrated) is history too.
    const present = new Set((await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(this.db)).rows.map((r) => r.name));
    const written: [string, number][] = [];
    for (const [table, label] of RESIDENT_HISTORY) {
      if (!present.has(table)) continue;
      const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE resident_id = ${id}`.execute(this.db);
      written.push([label, Number(r.rows[0]?.n ?? 0)]);
    }
    refuseIfHeld(`resident "${name}"`, [['alert(s) on record', alerts], ...written], 'their record is kept; disable them (monitoring ended) instead');
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('daily_summaries').where('resident_id', '=', id).execute();
      await trx.deleteFrom('residents').where('id', '=', id).where('org_id', '=', orgId).execute();
    });
  }

  /** End (disable) or resume a resident's monitoring. */
  async setResidentDisabled(orgId: string, id: string, disabled: boolean): Promise<void> {
    await this.db.updateTable('residents').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).where('org_id', '=', orgId).execute();
  }

  /** Hubs of an organisation. */
  async hubs(orgId: string): Promise<RecordView[]> {
    const rows = await this.db.selectFrom('hubs').select(['id', 'name', 'status', 'last_seen_at', 'firmware', 'power', 'disabled']).where('org_id', '=', orgId).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, status: r.status, lastSeenAt: iso(r.last_seen_at), firmware: r.firmware, power: r.power, disabled: r.disabled === 1 }));
  }

  /** Remove a hub nobody lives with and that never sent anything. */
  async removeHub(hubId: string): Promise<void> {
    refuseIfHeld(`hub "${hubId}"`, [['resident(s) linked', await count(this.db, 'residents', 'hub_id', hubId)]], 'unlink them first');
    const rejected = Number((await this.db.selectFrom('rejections').select((eb) => eb.fn.countAll().as('n')).where('hub_id', '=', hubId).executeTakeFirst())?.n ?? 0);
    refuseIfHeld(
      `hub "${hubId}"`,
      [['event(s) stored', await count(this.db, 'events', 'hub_id', hubId)], ['alert(s) on record', await count(this.db, 'alerts', 'hub_id', hubId)], ['rejected message(s) on record', rejected]],
      'its history is kept; disable the hub instead',
    );
    const present = new Set((await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`.execute(this.db)).rows.map((r) => r.name));
    await this.db.transaction().execute(async (trx) => {
      // Its commissioning state (other capabilities' tables, where migrated) goes with it: nothing was ever heard from it.
      for (const table of HUB_STATE) if (present.has(table)) await sql`DELETE FROM ${sql.table(table)} WHERE hub_id = ${hubId}`.execute(trx);
      await trx.deleteFrom('sensors').where('hub_id', '=', hubId).execute();
      await trx.deleteFrom('hubs').where('id', '=', hubId).execute();
    });
  }

  /** Disable (it may no longer connect) or enable a hub. */
  async setHubDisabled(hubId: string, disabled: boolean): Promise<void> {
    await this.db.updateTable('hubs').set({ disabled: disabled ? 1 : 0 }).where('id', '=', hubId).execute();
  }

  /** Sensors of a hub. */
  async sensors(hubId: string): Promise<RecordView[]> {
    const rows = await this.db.selectFrom('sensors').selectAll().where('hub_id', '=', hubId).orderBy('sensor_id').execute();
    return rows.map((r) => ({ sensorId: r.sensor_id, type: r.type, room: r.room, role: r.role, commissioned: r.commissioned === 1, disabled: r.disabled === 1, lastSeenAt: iso(r.last_seen_at), battery: r.battery }));
  }

  /** Remove a sensor that never sent an event; one with history is disabled instead. */
  async removeSensor(hubId: string, sensorId: string): Promise<void> {
    const events = Number((await this.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('hub_id', '=', hubId).where('sensor', '=', sensorId).executeTakeFirst())?.n ?? 0);
    refuseIfHeld(`sensor "${sensorId}" of hub "${hubId}"`, [['event(s) stored', events]], 'its history is kept; disable the sensor instead');
    await this.db.deleteFrom('sensors').where('hub_id', '=', hubId).where('sensor_id', '=', sensorId).execute();
  }

  /** Take a sensor out of service (its events no longer count) or back into it. */
  async setSensorDisabled(hubId: string, sensorId: string, disabled: boolean): Promise<void> {
    await this.db.updateTable('sensors').set({ disabled: disabled ? 1 : 0 }).where('hub_id', '=', hubId).where('sensor_id', '=', sensorId).execute();
  }
}
