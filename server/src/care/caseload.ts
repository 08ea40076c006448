import { SENSOR_KINDS, type SensorType } from '../../../protocol/index.ts';
import { toAlertView, type AlertView } from '../alerts/alert-view.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { ResidentTable } from '../db/schema.ts';
import { HearthError } from '../errors.ts';
import type { EventStore } from '../store/event-store.ts';
import { addDays, localDay } from '../trends/local-time.ts';
import type { ResidentRef, TrendService } from '../trends/trend-service.ts';
import type { AwayMode, AwayPeriod } from './away-mode.ts';
import type { Directory, UserInfo } from './directory.ts';
import { OPEN_STATES, SEVERITIES, planWithDefaults } from './model.ts';

/** A resident's status on the caseload, most concerning first. */
export const CASE_STATUSES = {
  'alert-open': { rank: 0, words: 'Alert open' },
  changed: { rank: 1, words: 'Something changed' },
  'no-data': { rank: 2, words: 'No data from the home' },
  away: { rank: 3, words: 'Away' },
  fine: { rank: 4, words: 'Fine' },
} as const;
/** A caseload status. */
export type CaseStatus = keyof typeof CASE_STATUSES;

/** Days of the caseload's activity sparkline. */
export const SPARKLINE_DAYS = 14;
/** Nothing heard from the home for this long: "no data from the home". */
export const NO_DATA_AFTER_MS = 24 * 3600_000;

/** One resident of a caseload. */
export interface CaseloadEntry {
  id: string;
  name: string;
  neighbourhoodId: string;
  coordinatorId: string | null;
  coordinatorName: string | null;
  status: CaseStatus;
  statusText: string;
  /** Lower is more concerning (the sort key). */
  concern: number;
  lastActivityAt: string | null;
  openAlerts: { id: string; type: string; severity: string; state: string; raisedAt: string; summary: string | null }[];
  /** The routine-change flag and its cause: an open routine-change alert (the rule's own words). One unusual day is not a change: the rule weighs weeks. */
  routineChange: { flagged: true; since: string; cause: string; alertId: string | null } | null;
  away: AwayPeriod | null;
  sparkline: { days: string[]; activity: (number | null)[]; unit: 'count' };
}

type ResidentRow = Pick<ResidentTable, 'id' | 'name' | 'org_id' | 'neighbourhood_id' | 'hub_id' | 'timezone' | 'coordinator_id' | 'plan' | 'created_at' | 'away'>;

/** A resident row as the trend queries' reference. */
export function refOf(r: ResidentRow): ResidentRef {
  return { id: r.id, orgId: r.org_id, hubId: r.hub_id, timezone: r.timezone, plan: planWithDefaults(JSON.parse(r.plan)), coordinatorId: r.coordinator_id, createdAt: r.created_at };
}

const summaryOf = (a: AlertView): string | null => (typeof a.cause['summary'] === 'string' ? a.cause['summary'] : null);

/**
 * The coordinator's caseload: who is on it (a coordinator's own residents; a
 * lead coordinator's whole neighbourhood; an admin's organisation), and each
 * resident's status in words, last activity, open alerts, routine-change flag
 * with its cause, and a 14-day activity sparkline, sorted by concern.
 */
export class Caseload {
  constructor(
    private readonly deps: { db: Db; directory: Directory; trends: TrendService; store: EventStore; clock: Clock; away: AwayMode },
  ) {}

  /** Whether a user leads their neighbourhood (a lead coordinator's caseload is the neighbourhood). */
  async isLead(userId: string): Promise<boolean> {
    return Boolean(await this.deps.db.selectFrom('coordinator_leads').select('user_id').where('user_id', '=', userId).executeTakeFirst());
  }

  /** Make a coordinator of the organisation a lead, or not. */
  async setLead(orgId: string, userId: string, lead: boolean, setBy: string): Promise<void> {
    const u = await this.deps.directory.findUser(orgId, userId);
    if (!u) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such user');
    if (u.role !== 'coordinator') throw new HearthError('HEARTH_ERR_VALIDATION', 'only a coordinator can lead a neighbourhood');
    if (lead) {
      await this.deps.db
        .insertInto('coordinator_leads')
        .values({ user_id: u.id, org_id: orgId, set_by: setBy, set_at: this.deps.clock.now() })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
    } else {
      await this.deps.db.deleteFrom('coordinator_leads').where('user_id', '=', u.id).execute();
    }
  }

  /** Whether a user may read a resident's page: same organisation; a coordinator their own, or (a lead) their neighbourhood's. */
  async canRead(user: UserInfo, r: { orgId: string; coordinatorId: string | null; neighbourhoodId: string }): Promise<boolean> {
    if (r.orgId !== user.orgId) return false;
    if (user.role !== 'coordinator' || r.coordinatorId === user.id) return true;
    return (await this.isLead(user.id)) && (user.neighbourhoodId === null || user.neighbourhoodId === r.neighbourhoodId);
  }

  /** A resident row the user may read, or HEARTH_ERR_NOT_FOUND (another organisation's or coordinator's is "not found"). */
  async readable(user: UserInfo, id: string): Promise<ResidentRow> {
    const r = await this.deps.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r || !(await this.canRead(user, { orgId: r.org_id, coordinatorId: r.coordinator_id, neighbourhoodId: r.neighbourhood_id }))) {
      throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such resident');
    }
    return r;
  }

  /** Who is on the user's caseload, and in which scope. */
  async members(user: UserInfo, neighbourhoodId?: string): Promise<{ scope: 'own' | 'neighbourhood' | 'organisation'; rows: ResidentRow[] }> {
    // Residents whose monitoring has ended (moved out, discharged) are not on a caseload; their page and history stay.
    let q = this.deps.db.selectFrom('residents').selectAll().where('org_id', '=', user.orgId).where('disabled', '=', 0);
    let scope: 'own' | 'neighbourhood' | 'organisation' = 'organisation';
    if (user.role === 'coordinator') {
      if (await this.isLead(user.id)) {
        scope = user.neighbourhoodId ? 'neighbourhood' : 'organisation';
        if (user.neighbourhoodId) q = q.where('neighbourhood_id', '=', user.neighbourhoodId);
      } else {
        scope = 'own';
        q = q.where('coordinator_id', '=', user.id);
      }
    }
    if (neighbourhoodId) q = q.where('neighbourhood_id', '=', neighbourhoodId);
    return { scope, rows: await q.orderBy('name').execute() };
  }

  /** The caseload of a user, sorted by concern, optionally searched by name (case-insensitive, any part). */
  async list(user: UserInfo, opts: { q?: string | undefined; neighbourhoodId?: string | undefined } = {}): Promise<{ scope: string; entries: CaseloadEntry[] }> {
    await this.deps.away.expire();
    const { scope, rows } = await this.members(user, opts.neighbourhoodId);
    const needle = opts.q?.trim().toLocaleLowerCase('en-GB');
    const chosen = needle ? rows.filter((r) => r.name.toLocaleLowerCase('en-GB').includes(needle)) : rows;
    const entries: CaseloadEntry[] = [];
    for (const r of chosen) entries.push(await this.entry(r));
    entries.sort((a, b) => a.concern - b.concern || a.name.localeCompare(b.name, 'en-GB'));
    return { scope, entries };
  }

  /** Open alerts of a resident, most severe first. */
  async openAlerts(r: ResidentRow): Promise<AlertView[]> {
    const rows = await this.deps.db
      .selectFrom('alerts')
      .selectAll()
      .where('org_id', '=', r.org_id)
      .where('resident_id', '=', r.id)
      .where('state', 'in', [...OPEN_STATES])
      .orderBy('raised_at', 'desc')
      .execute();
    return rows
      .map((a) => toAlertView(a, { name: r.name, coordinator_id: r.coordinator_id }))
      .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  }

  /** When the resident was last seen moving about at home (activity sensors, last 72 h), or null. */
  async lastActivity(r: ResidentRow): Promise<{ activity: number | null; heard: number | null }> {
    if (!r.hub_id) return { activity: null, heard: null };
    const now = this.deps.clock.now();
    const [last, home] = await Promise.all([this.deps.store.lastPerSensor({ hubId: r.hub_id, from: now - 72 * 3600_000, to: now + 1 }), this.deps.directory.getHome(r.hub_id)]);
    let activity: number | null = null;
    let heard: number | null = null;
    for (const [sensor, t] of last) {
      heard = Math.max(heard ?? t, t);
      const type = home?.sensors.get(sensor)?.type as SensorType | undefined;
      if (type && SENSOR_KINDS[type]?.activity) activity = Math.max(activity ?? t, t);
    }
    const hub = await this.deps.db.selectFrom('hubs').select('last_seen_at').where('id', '=', r.hub_id).executeTakeFirst();
    if (hub?.last_seen_at) heard = Math.max(heard ?? hub.last_seen_at, hub.last_seen_at);
    return { activity, heard };
  }

  /** One resident's caseload entry. */
  async entry(r: ResidentRow): Promise<CaseloadEntry> {
    const ref = refOf(r);
    const now = this.deps.clock.now();
    const today = localDay(r.timezone, now);
    const [alerts, seen, away, coordinator, trend] = await Promise.all([
      this.openAlerts(r),
      this.lastActivity(r),
      this.deps.away.current(r.org_id, r.id),
      r.coordinator_id ? this.deps.db.selectFrom('users').select('display_name').where('id', '=', r.coordinator_id).executeTakeFirst() : undefined,
      this.deps.trends.trends(ref, addDays(today, -(SPARKLINE_DAYS - 1)), today),
    ]);
    const routineAlert = alerts.find((a) => a.type === 'routine-change');
    const others = alerts.filter((a) => a.type !== 'routine-change');
    let routineChange: CaseloadEntry['routineChange'] = null;
    if (routineAlert) {
      routineChange = { flagged: true, since: routineAlert.occurredAt, cause: summaryOf(routineAlert) ?? 'The routine-change rule flagged a change', alertId: routineAlert.id };
    }
    const noData = !r.hub_id || seen.heard === null || now - seen.heard > NO_DATA_AFTER_MS;
    const status: CaseStatus = others.length ? 'alert-open' : routineChange ? 'changed' : r.away === 1 ? 'away' : noData ? 'no-data' : 'fine';
    const sev = others.length ? SEVERITIES.indexOf(others[0]!.severity) : 0;
    let statusText: string = CASE_STATUSES[status].words;
    if (status === 'alert-open') statusText = `Alert open: ${others.map((a) => a.type).join(', ')}`;
    if (status === 'away' && away) statusText = `Away${away.until ? ` until ${away.until}` : ''}: ${away.reason}`;
    if (status === 'no-data') statusText = r.hub_id ? 'No data from the home in the last 24 hours' : 'No home hub linked';
    return {
      id: r.id,
      name: r.name,
      neighbourhoodId: r.neighbourhood_id,
      coordinatorId: r.coordinator_id,
      coordinatorName: coordinator?.display_name ?? null,
      status,
      statusText,
      concern: CASE_STATUSES[status].rank * 10 + sev,
      lastActivityAt: seen.activity === null ? null : new Date(seen.activity).toISOString(),
      openAlerts: alerts.map((a) => ({ id: a.id, type: a.type, severity: a.severity, state: a.state, raisedAt: a.raisedAt, summary: summaryOf(a) })),
      routineChange,
      away: r.away === 1 ? away : null,
      sparkline: { days: trend.days.map((d) => d.day), activity: trend.days.map((d) => (d.source === 'none' ? null : d.figures.activity.value)), unit: 'count' },
    };
  }
}
