// The care directory: organisations, neighbourhoods, users, hubs, sensors and residents, as the rest
// of the server reads and changes them. The homes the detectors see are loaded by homes.ts; a user's
// and a resident's views (user-info.ts, resident-detail.ts) are re-exported from here.
import type { SensorType } from '../../../protocol/index.ts';
import { HUB_ID_PATTERN, SENSOR_TYPES } from '../../../protocol/index.ts';
import { hashPassword, hashToken, newId, newSecret, tokenMatches, verifyPassword } from '../auth/crypto.ts';
import { assertStrongPassword } from '../auth/password-policy.ts';
import type { Db } from '../db/database.ts';
import type { UserTable } from '../db/schema.ts';
import { HearthError } from '../errors.ts';
import { loadHomes, type HomeInfo } from './homes.ts';
import { MonitoringPlanSchema, planWithDefaults, ROLES, type MonitoringPlan, type Role } from './model.ts';
import { getOrgSettings } from './org-settings.ts';
import { ContactSchema, toResidentDetail, type Consent, type Contact, type NeighbourhoodInfo, type ResidentDetail } from './resident-detail.ts';
import { toUser, type UserInfo } from './user-info.ts';
import { z } from 'zod';

export type { HomeInfo, ResidentInfo, SensorInfo } from './homes.ts';
export { ContactSchema, toResidentDetail, type Consent, type Contact, type NeighbourhoodInfo, type ResidentDetail } from './resident-detail.ts';
export { toUser, type UserInfo } from './user-info.ts';

/** A 24-hour local time, HH:MM. */
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

function assertTimezone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
  } catch {
    throw new HearthError('HEARTH_ERR_VALIDATION', `unknown time zone "${tz}"`);
  }
}

/**
 * The care organisation's directory: organisations, neighbourhoods, users,
 * residents, hubs and sensors. Used by the API, the CLI and the demo seed alike.
 */
export class Directory {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  /** Create an organisation. */
  async addOrganisation(name: string): Promise<{ id: string; name: string }> {
    // Names identify organisations in the CLI (`--org NAME`), so two may not share one.
    if (!name.trim()) throw new HearthError('HEARTH_ERR_VALIDATION', 'an organisation needs a name');
    const taken = await this.db.selectFrom('organisations').select('id').where('name', '=', name).executeTakeFirst();
    if (taken) throw new HearthError('HEARTH_ERR_CONFLICT', `an organisation named "${name}" exists already (id ${taken.id})`);
    const id = newId();
    await this.db.insertInto('organisations').values({ id, name, created_at: this.now() }).execute();
    return { id, name };
  }

  /** Find an organisation by id or exact name. */
  async findOrganisation(idOrName: string): Promise<{ id: string; name: string } | undefined> {
    return this.db
      .selectFrom('organisations')
      .select(['id', 'name'])
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
  }

  /** Create a neighbourhood with its urgent response team's hours. */
  async addNeighbourhood(input: {
    orgId: string;
    name: string;
    urgentStart?: string;
    urgentEnd?: string;
    timezone?: string;
    outOfHoursRoute?: string;
  }): Promise<{ id: string; name: string }> {
    const id = newId();
    const defaults = await getOrgSettings(this.db, input.orgId);
    const timezone = input.timezone ?? defaults.defaultTimezone;
    assertTimezone(timezone);
    for (const [what, t] of [['urgent team start', input.urgentStart], ['urgent team end', input.urgentEnd]] as const) {
      if (t !== undefined && !HHMM.test(t)) throw new HearthError('HEARTH_ERR_VALIDATION', `${what} must be a 24-hour time HH:MM (e.g. 08:00), got "${t}"`);
    }
    const clash = await this.db.selectFrom('neighbourhoods').select('id').where('org_id', '=', input.orgId).where('name', '=', input.name).executeTakeFirst();
    if (clash) throw new HearthError('HEARTH_ERR_CONFLICT', `the organisation has a neighbourhood named "${input.name}" already (id ${clash.id})`);
    await this.db
      .insertInto('neighbourhoods')
      .values({
        id,
        org_id: input.orgId,
        name: input.name,
        urgent_start: input.urgentStart ?? defaults.defaultUrgentStart,
        urgent_end: input.urgentEnd ?? defaults.defaultUrgentEnd,
        timezone,
        out_of_hours_route: input.outOfHoursRoute ?? '',
        created_at: this.now(),
      })
      .execute();
    return { id, name: input.name };
  }

  /** Find a neighbourhood of an organisation by id or name. */
  async findNeighbourhood(orgId: string, idOrName: string): Promise<{ id: string; name: string } | undefined> {
    return this.db
      .selectFrom('neighbourhoods')
      .select(['id', 'name'])
      .where('org_id', '=', orgId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
  }

  /** Create a user with a role and a password (stored as a scrypt hash). */
  async addUser(input: {
    orgId: string;
    username: string;
    password: string;
    role: Role;
    displayName?: string;
    neighbourhoodId?: string | null;
  }): Promise<UserInfo> {
    if (!ROLES.includes(input.role)) throw new HearthError('HEARTH_ERR_VALIDATION', `role must be one of ${ROLES.join(', ')}`);
    // The password rules (docs/security.md): length, common and breached lists, not built from the names.
    const org = await this.db.selectFrom('organisations').select('name').where('id', '=', input.orgId).executeTakeFirst();
    assertStrongPassword(input.password, [input.username, input.displayName ?? '', org?.name ?? '']);
    // Usernames are unique within an organisation (0018): another organisation's names are not for it to learn.
    const existing = await this.db.selectFrom('users').select('id').where('org_id', '=', input.orgId).where('username', '=', input.username).executeTakeFirst();
    if (existing) throw new HearthError('HEARTH_ERR_CONFLICT', `this organisation has a user "${input.username}" already; choose another username`);
    const row: UserTable = {
      id: newId(),
      org_id: input.orgId,
      username: input.username,
      display_name: input.displayName ?? input.username,
      role: input.role,
      neighbourhood_id: input.neighbourhoodId ?? null,
      password_hash: hashPassword(input.password),
      disabled: 0,
      created_at: this.now(),
    };
    await this.db.insertInto('users').values(row).execute();
    return toUser(row);
  }

  /** Check a username and password; the user, or null. */
  async checkPassword(username: string, password: string): Promise<UserInfo | null> {
    // Usernames are unique per organisation (0018), so a name may belong to users of several: the
    // password says which. Disabled users and users of a disabled organisation (0016) sign nobody in.
    const rows = await this.db
      .selectFrom('users')
      .innerJoin('organisations', 'organisations.id', 'users.org_id')
      .selectAll('users')
      .where('users.username', '=', username)
      .where('users.disabled', '=', 0)
      .where('organisations.disabled', '=', 0)
      .execute();
    if (rows.length === 0) {
      // Spend the same time as a real check, so timing does not reveal which usernames exist.
      verifyPassword(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      return null;
    }
    const matches = rows.filter((r) => verifyPassword(password, r.password_hash));
    // Two people with one name and one password in two organisations cannot be told apart: neither is signed in.
    return matches.length === 1 ? toUser(matches[0]!) : null;
  }

  /** A user by id. */
  async getUser(id: string): Promise<UserInfo | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  /** Find a user of an organisation by id or username. */
  async findUser(orgId: string, idOrUsername: string): Promise<UserInfo | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('org_id', '=', orgId)
      .where((eb) => eb.or([eb('id', '=', idOrUsername), eb('username', '=', idOrUsername)]))
      .executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  /**
   * Commission a hub for an organisation. Returns the secret, once: only its
   * hash is kept, so a lost secret means issuing a new one.
   */
  async addHub(input: { orgId: string; hubId: string; name?: string }): Promise<{ hubId: string; secret: string }> {
    if (!HUB_ID_PATTERN.test(input.hubId)) {
      throw new HearthError('HEARTH_ERR_VALIDATION', 'hub id must be 3 to 64 characters of a-z, 0-9 and -');
    }
    const existing = await this.db.selectFrom('hubs').select('id').where('id', '=', input.hubId).executeTakeFirst();
    if (existing) throw new HearthError('HEARTH_ERR_CONFLICT', `hub "${input.hubId}" exists`);
    const secret = newSecret();
    await this.db
      .insertInto('hubs')
      .values({
        id: input.hubId,
        org_id: input.orgId,
        name: input.name ?? input.hubId,
        secret_hash: hashToken(secret),
        created_at: this.now(),
        status: 'never-seen',
        status_at: null,
        last_seen_at: null,
        last_heartbeat_seq: null,
        firmware: null,
        power: null,
        heartbeat_seconds: 60,
      })
      .execute();
    return { hubId: input.hubId, secret };
  }

  /** Issue a new secret for a hub (the old one stops working). */
  async rotateHubSecret(hubId: string): Promise<string> {
    const secret = newSecret();
    const r = await this.db.updateTable('hubs').set({ secret_hash: hashToken(secret) }).where('id', '=', hubId).executeTakeFirst();
    if (!r.numUpdatedRows) throw new HearthError('HEARTH_ERR_NOT_FOUND', `no hub "${hubId}"`);
    return secret;
  }

  /** Check a hub's credentials; its organisation id, or null. */
  async authenticateHub(hubId: string, secret: string): Promise<{ orgId: string } | null> {
    const row = await this.db
      .selectFrom('hubs')
      .innerJoin('organisations', 'organisations.id', 'hubs.org_id')
      .select(['hubs.org_id', 'hubs.secret_hash', 'hubs.disabled', 'organisations.disabled as orgDisabled'])
      .where('hubs.id', '=', hubId)
      .executeTakeFirst();
    // A disabled hub or organisation (0016) may not connect.
    if (!row || !tokenMatches(secret, row.secret_hash) || row.disabled === 1 || row.orgDisabled === 1) return null;
    return { orgId: row.org_id };
  }

  /** Set where a sensor is and what it watches (commissioning). */
  async commissionSensor(input: { hubId: string; sensorId: string; type: SensorType; room?: string; role?: string }): Promise<void> {
    if (!SENSOR_TYPES.includes(input.type)) throw new HearthError('HEARTH_ERR_VALIDATION', `unknown sensor type "${input.type}"`);
    await this.db
      .insertInto('sensors')
      .values({
        hub_id: input.hubId,
        sensor_id: input.sensorId,
        type: input.type,
        room: input.room ?? null,
        role: input.role ?? null,
        commissioned: 1,
        first_seen_at: null,
        last_seen_at: null,
        battery: null,
      })
      .onConflict((oc) =>
        oc.columns(['hub_id', 'sensor_id']).doUpdateSet({
          type: input.type,
          room: input.room ?? null,
          role: input.role ?? null,
          commissioned: 1,
        }),
      )
      .execute();
  }

  /** Create a resident living at a hub's home. */
  async addResident(input: {
    orgId: string;
    neighbourhoodId: string;
    name: string;
    hubId?: string | null;
    timezone?: string;
    coordinatorId?: string | null;
    plan?: Partial<MonitoringPlan>;
    contacts?: unknown[];
    consent?: Record<string, unknown>;
  }): Promise<{ id: string; name: string }> {
    const timezone = input.timezone ?? (await getOrgSettings(this.db, input.orgId)).defaultTimezone;
    assertTimezone(timezone);
    planWithDefaults(input.plan ?? {}); // validate now, not when the first event arrives
    const id = newId();
    await this.db
      .insertInto('residents')
      .values({
        id,
        org_id: input.orgId,
        neighbourhood_id: input.neighbourhoodId,
        hub_id: input.hubId ?? null,
        name: input.name,
        timezone,
        coordinator_id: input.coordinatorId ?? null,
        plan: JSON.stringify(input.plan ?? {}),
        contacts: JSON.stringify(input.contacts ?? []),
        consent: JSON.stringify(input.consent ?? { monitoring: true, recordedAt: new Date(this.now()).toISOString() }),
        away: 0,
        created_at: this.now(),
      })
      .execute();
    return { id, name: input.name };
  }

  /** Everything the detectors need to know about one home, or undefined for an unknown hub. */
  async getHome(hubId: string): Promise<HomeInfo | undefined> {
    return (await this.getHomes([hubId])).get(hubId);
  }

  /** The homes of the given hubs, or of every hub (homes.ts: three queries whatever their number). */
  getHomes(hubIds?: readonly string[]): Promise<Map<string, HomeInfo>> {
    return loadHomes(this.db, hubIds);
  }

  /**
   * The hubs whose homes changed since last asked (marked by triggers, 0020), unmarked as they are
   * read: read the homes after this, so a change made meanwhile is either in what is read or marked again.
   */
  async takeHomeChanges(): Promise<string[]> {
    const ids = (await this.db.selectFrom('home_changes').select('hub_id').execute()).map((r) => r.hub_id);
    for (let i = 0; i < ids.length; i += 500) await this.db.deleteFrom('home_changes').where('hub_id', 'in', ids.slice(i, i + 500)).execute();
    return ids;
  }

  /** Unmark every changed home (before reading them all). */
  async clearHomeChanges(): Promise<void> {
    await this.db.deleteFrom('home_changes').execute();
  }

  /** Ids of every hub. */
  async hubIds(): Promise<string[]> {
    return (await this.db.selectFrom('hubs').select('id').execute()).map((r) => r.id);
  }

  /** Whether any organisation exists (an empty data folder has none). */
  async isEmpty(): Promise<boolean> {
    return !(await this.db.selectFrom('organisations').select('id').limit(1).executeTakeFirst());
  }

  // --- Care model (issue 4): neighbourhoods and their teams, users by role, residents' details. ---

  /** Neighbourhoods of an organisation, with their urgent team's hours and coordinators. */
  async listNeighbourhoods(orgId: string): Promise<NeighbourhoodInfo[]> {
    const rows = await this.db.selectFrom('neighbourhoods').selectAll().where('org_id', '=', orgId).orderBy('name').execute();
    const coordinators = await this.db
      .selectFrom('users')
      .select(['id', 'neighbourhood_id'])
      .where('org_id', '=', orgId)
      .where('role', '=', 'coordinator')
      .where('disabled', '=', 0)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      urgentStart: r.urgent_start,
      urgentEnd: r.urgent_end,
      timezone: r.timezone,
      outOfHoursRoute: r.out_of_hours_route,
      coordinatorIds: coordinators.filter((c) => c.neighbourhood_id === r.id).map((c) => c.id),
    }));
  }

  /** One neighbourhood of an organisation; another organisation's is "not found". */
  async getNeighbourhood(orgId: string, id: string): Promise<NeighbourhoodInfo> {
    const nb = (await this.listNeighbourhoods(orgId)).find((n) => n.id === id);
    if (!nb) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such neighbourhood');
    return nb;
  }

  /** Change a neighbourhood's name, urgent team hours, time zone or out-of-hours route. */
  async updateNeighbourhood(
    orgId: string,
    id: string,
    patch: { name?: string; urgentStart?: string; urgentEnd?: string; timezone?: string; outOfHoursRoute?: string },
  ): Promise<NeighbourhoodInfo> {
    await this.getNeighbourhood(orgId, id);
    for (const t of [patch.urgentStart, patch.urgentEnd]) {
      if (t !== undefined && !/^([01]\d|2[0-3]):[0-5]\d$/.test(t)) throw new HearthError('HEARTH_ERR_VALIDATION', 'time must be HH:MM');
    }
    if (patch.timezone !== undefined) assertTimezone(patch.timezone);
    const set: Partial<Record<'name' | 'urgent_start' | 'urgent_end' | 'timezone' | 'out_of_hours_route', string>> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.urgentStart !== undefined) set.urgent_start = patch.urgentStart;
    if (patch.urgentEnd !== undefined) set.urgent_end = patch.urgentEnd;
    if (patch.timezone !== undefined) set.timezone = patch.timezone;
    if (patch.outOfHoursRoute !== undefined) set.out_of_hours_route = patch.outOfHoursRoute;
    if (Object.keys(set).length) await this.db.updateTable('neighbourhoods').set(set).where('id', '=', id).execute();
    return this.getNeighbourhood(orgId, id);
  }

  /** Users of an organisation, optionally of one role, enabled ones only. */
  async usersByRole(orgId: string, role?: Role): Promise<UserInfo[]> {
    let q = this.db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('disabled', '=', 0);
    if (role) q = q.where('role', '=', role);
    return (await q.orderBy('username').execute()).map(toUser);
  }

  /** Residents of an organisation, optionally of one neighbourhood or coordinator. */
  async listResidents(orgId: string, filter: { neighbourhoodId?: string; coordinatorId?: string } = {}): Promise<ResidentDetail[]> {
    let q = this.db.selectFrom('residents').selectAll().where('org_id', '=', orgId);
    if (filter.neighbourhoodId) q = q.where('neighbourhood_id', '=', filter.neighbourhoodId);
    if (filter.coordinatorId) q = q.where('coordinator_id', '=', filter.coordinatorId);
    return (await q.orderBy('name').execute()).map(toResidentDetail);
  }

  /** One resident with contacts, consent and plan; another organisation's is "not found". */
  async getResident(orgId: string, id: string): Promise<ResidentDetail> {
    const row = await this.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such resident');
    return toResidentDetail(row);
  }

  /** Change plan values (merged over the resident's overrides; the result is validated whole). */
  async updatePlan(orgId: string, id: string, patch: Record<string, unknown>): Promise<ResidentDetail> {
    const r = await this.getResident(orgId, id);
    const overrides = { ...r.planOverrides, ...patch };
    for (const [k, v] of Object.entries(overrides)) if (v === null) delete overrides[k]; // null restores the default
    const parsed = MonitoringPlanSchema.safeParse(overrides);
    if (!parsed.success) throw new HearthError('HEARTH_ERR_VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    await this.db.updateTable('residents').set({ plan: JSON.stringify(overrides) }).where('id', '=', id).execute();
    return this.getResident(orgId, id);
  }

  /** Replace a resident's contacts (next of kin, key holder). */
  async setContacts(orgId: string, id: string, contacts: Contact[]): Promise<ResidentDetail> {
    await this.getResident(orgId, id);
    const parsed = z.array(ContactSchema).max(20).safeParse(contacts);
    if (!parsed.success) throw new HearthError('HEARTH_ERR_VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    await this.db.updateTable('residents').set({ contacts: JSON.stringify(parsed.data) }).where('id', '=', id).execute();
    return this.getResident(orgId, id);
  }

  /** Record a resident's consent (who recorded it, and when). */
  async setConsent(orgId: string, id: string, consent: { monitoring: boolean; shareWithContacts: boolean; note?: string | undefined }, recordedBy: string): Promise<ResidentDetail> {
    await this.getResident(orgId, id);
    const record: Consent = { ...consent, recordedAt: new Date(this.now()).toISOString(), recordedBy };
    await this.db.updateTable('residents').set({ consent: JSON.stringify(record) }).where('id', '=', id).execute();
    return this.getResident(orgId, id);
  }

  /** Away mode: the home is empty (holiday, hospital stay); inactivity rules pause, door and fall rules do not. */
  async setAway(orgId: string, id: string, away: boolean): Promise<ResidentDetail> {
    await this.getResident(orgId, id);
    await this.db.updateTable('residents').set({ away: away ? 1 : 0 }).where('id', '=', id).execute();
    return this.getResident(orgId, id);
  }

  /** Name a resident's care coordinator (a coordinator of the same organisation). */
  async setCoordinator(orgId: string, id: string, coordinatorId: string): Promise<ResidentDetail> {
    await this.getResident(orgId, id);
    const u = await this.findUser(orgId, coordinatorId);
    if (!u) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such user');
    if (u.role !== 'coordinator') throw new HearthError('HEARTH_ERR_VALIDATION', 'that user is not a coordinator');
    await this.db.updateTable('residents').set({ coordinator_id: u.id }).where('id', '=', id).execute();
    return this.getResident(orgId, id);
  }
}
