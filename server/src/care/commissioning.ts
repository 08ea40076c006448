import type { AlertSignal } from '../anomaly/detector.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';
import type { HomeInfo } from './directory.ts';

/** What an alert carries when it was raised while its home was being commissioned, or from a sensor not yet commissioned. */
export interface CommissioningMark {
  /** The home's monitoring is not live yet (its go-live checklist is not complete). */
  homeBeingCommissioned: boolean;
  /** Sensors behind the alert that have no room and role yet. */
  uncommissionedSensors: string[];
}

/** One line of the go-live checklist. */
export interface ChecklistItem {
  id: 'sensors-tested' | 'pendant-tested' | 'fall-tested' | 'resident-linked' | 'consent-recorded' | 'mains-and-battery';
  label: string;
  done: boolean;
  /** What was seen, or what is still missing, in words. */
  detail: string;
}

/** A hub's commissioning as the installer sees it. */
export interface CommissioningState {
  /** `commissioning` until the checklist is complete and the home is put live; hubs set up before the console are `live`. */
  phase: 'commissioning' | 'live';
  startedAt: number | null;
  walkStartedAt: number | null;
  liveAt: number | null;
  liveBy: string | null;
  /** When the gateway last acknowledged its commissioning, and whether that is the current one. */
  syncedAt: number | null;
  inSync: boolean;
}

/** Alert types the checklist wants tested end to end: the pendant (call) and the fall detector. */
const END_TO_END = [
  { id: 'pendant-tested', alertType: 'call', sensorType: 'call', what: 'pendant (or call button)' },
  { id: 'fall-tested', alertType: 'fall', sensorType: 'fall', what: 'fall detector' },
] as const;

const timeOf = (ms: number): string => new Date(ms).toISOString().slice(11, 16) + ' UTC';

/**
 * Commissioning a home: a hub registered from the console is "being
 * commissioned" until the installer completes the go-live checklist and puts
 * it live. Alarms are never held back meanwhile: `mark` labels them so the
 * operator knows they may be a test. Hubs made before this existed (the CLI,
 * the demo) have no commissioning row and count as live.
 */
export class Commissioning {
  /** Hubs being commissioned (not yet live); read synchronously when an alert is raised. */
  private readonly pending = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Load which hubs are being commissioned. */
  async load(): Promise<void> {
    const rows = await this.db.selectFrom('hub_commissioning').select('hub_id').where('live_at', 'is', null).execute();
    this.pending.clear();
    for (const r of rows) this.pending.add(r.hub_id);
  }

  /** Start commissioning a newly registered hub. */
  async start(hubId: string, by: string | null): Promise<void> {
    await this.db.insertInto('hub_commissioning').values({ hub_id: hubId, started_at: this.clock.now(), started_by: by, version: 1, synced_version: 0 }).execute();
    this.pending.add(hubId);
  }

  /** Whether the hub's home is not live yet. */
  isBeingCommissioned(hubId: string): boolean {
    return this.pending.has(hubId);
  }

  /**
   * Label a raised alert from a home being commissioned or from an
   * uncommissioned sensor (cause.commissioning); everything else passes as is.
   * The alert is raised either way: an alarm is never dropped.
   */
  mark(signal: AlertSignal, home: HomeInfo | undefined): AlertSignal {
    if (signal.action !== 'raise') return signal;
    const sensors = new Set<string>();
    for (const e of (signal.cause.events ?? []) as { sensor?: unknown }[]) if (typeof e.sensor === 'string') sensors.add(e.sensor);
    const uncommissionedSensors = [...sensors].filter((s) => !home?.sensors.get(s)?.commissioned);
    const homeBeingCommissioned = this.pending.has(signal.hubId);
    if (!homeBeingCommissioned && uncommissionedSensors.length === 0) return signal;
    const mark: CommissioningMark = { homeBeingCommissioned, uncommissionedSensors };
    return { ...signal, cause: { ...signal.cause, commissioning: mark } };
  }

  /** A hub's commissioning state. */
  async state(hubId: string): Promise<CommissioningState> {
    const row = await this.db.selectFrom('hub_commissioning').selectAll().where('hub_id', '=', hubId).executeTakeFirst();
    if (!row) return { phase: 'live', startedAt: null, walkStartedAt: null, liveAt: null, liveBy: null, syncedAt: null, inSync: false };
    return {
      phase: row.live_at === null ? 'commissioning' : 'live',
      startedAt: row.started_at,
      walkStartedAt: row.walk_started_at,
      liveAt: row.live_at,
      liveBy: row.live_by,
      syncedAt: row.synced_at,
      inSync: row.synced_version === row.version,
    };
  }

  /** Make sure a hub has a commissioning row (a CLI-made hub walk-tested from the console). */
  private async ensureRow(hubId: string): Promise<void> {
    await this.db
      .insertInto('hub_commissioning')
      .values({ hub_id: hubId, started_at: this.clock.now(), started_by: null, live_at: this.clock.now(), version: 1, synced_version: 0 })
      .onConflict((oc) => oc.column('hub_id').doNothing())
      .execute();
  }

  /** The hub's sensors or mappings changed: the gateway needs the new version. Returns it. */
  async bumpVersion(hubId: string): Promise<number> {
    await this.ensureRow(hubId);
    await this.db.updateTable('hub_commissioning').set((eb) => ({ version: eb('version', '+', 1) })).where('hub_id', '=', hubId).execute();
    const r = await this.db.selectFrom('hub_commissioning').select('version').where('hub_id', '=', hubId).executeTakeFirstOrThrow();
    return r.version;
  }

  /** The current version of a hub's commissioning. */
  async version(hubId: string): Promise<number> {
    const r = await this.db.selectFrom('hub_commissioning').select('version').where('hub_id', '=', hubId).executeTakeFirst();
    return r?.version ?? 0;
  }

  /** The gateway acknowledged version `version` of its commissioning. */
  async synced(hubId: string, version: number): Promise<void> {
    await this.ensureRow(hubId);
    await this.db.updateTable('hub_commissioning').set({ synced_at: this.clock.now(), synced_version: version }).where('hub_id', '=', hubId).execute();
  }

  /** Begin (or restart) the walk test: sensors heard from now on count as tested. */
  async startWalkTest(hubId: string): Promise<number> {
    await this.ensureRow(hubId);
    const now = this.clock.now();
    await this.db.updateTable('hub_commissioning').set({ walk_started_at: now, battery_seen_at: null }).where('hub_id', '=', hubId).execute();
    return now;
  }

  /** The hub said it runs on its battery (status power or a `power` event). */
  async batterySeen(hubId: string, at: number): Promise<void> {
    await this.db.updateTable('hub_commissioning').set({ battery_seen_at: at }).where('hub_id', '=', hubId).where('walk_started_at', 'is not', null).execute();
  }

  /** The go-live checklist, from what the server has seen since the walk test began. */
  async checklist(hubId: string, orgId: string): Promise<ChecklistItem[]> {
    const row = await this.db.selectFrom('hub_commissioning').selectAll().where('hub_id', '=', hubId).executeTakeFirst();
    const since = row?.walk_started_at ?? null;
    const sensors = await this.db.selectFrom('sensors').selectAll().where('hub_id', '=', hubId).where('commissioned', '=', 1).orderBy('sensor_id').execute();
    const heard = since === null ? new Map<string, number>() : await this.heardSince(hubId, since);
    const items: ChecklistItem[] = [];

    const untested = sensors.filter((s) => !heard.has(s.sensor_id)).map((s) => s.sensor_id);
    items.push({
      id: 'sensors-tested',
      label: 'Every sensor tested',
      done: since !== null && sensors.length > 0 && untested.length === 0,
      detail:
        since === null
          ? 'Start the walk test, then trigger each sensor.'
          : sensors.length === 0
            ? 'No sensor has a room and role yet.'
            : untested.length
              ? `Not yet heard: ${untested.join(', ')}.`
              : `All ${sensors.length} sensors heard during the walk test.`,
    });

    for (const t of END_TO_END) {
      const has = sensors.some((s) => s.type === t.sensorType);
      const alert =
        since === null
          ? undefined
          : await this.db
              .selectFrom('alerts')
              .select(['raised_at', 'acknowledged_at'])
              .where('hub_id', '=', hubId)
              .where('org_id', '=', orgId)
              .where('type', '=', t.alertType)
              // Raised, or repeated (a press while its alert is still open), since the walk test began.
              .where('updated_at', '>=', since)
              .orderBy('acknowledged_at', 'desc')
              .executeTakeFirst();
      items.push({
        id: t.id,
        label: `${t.what[0]!.toUpperCase()}${t.what.slice(1)} tested end to end to the console`,
        done: has && !!alert && alert.acknowledged_at !== null,
        detail: !has
          ? `No ${t.what} is commissioned on this hub.`
          : !alert
            ? `Trigger the ${t.what} during the walk test; an operator acknowledges the alert it raises.`
            : alert.acknowledged_at === null
              ? `Alert raised at ${timeOf(alert.raised_at)}; waiting for an operator to acknowledge it at the console.`
              : `Alert raised at ${timeOf(alert.raised_at)} and acknowledged at the console at ${timeOf(alert.acknowledged_at)}.`,
      });
    }

    const residents = await this.db.selectFrom('residents').select(['name', 'consent']).where('hub_id', '=', hubId).where('org_id', '=', orgId).execute();
    items.push({
      id: 'resident-linked',
      label: 'Resident linked to the hub',
      done: residents.length > 0,
      detail: residents.length ? residents.map((r) => r.name).join(', ') : 'No resident lives at this hub yet: the coordinator adds them with this hub.',
    });
    const withoutConsent = residents.filter((r) => {
      const c = JSON.parse(r.consent) as { monitoring?: unknown; recordedBy?: unknown };
      return c.monitoring !== true || typeof c.recordedBy !== 'string';
    });
    items.push({
      id: 'consent-recorded',
      label: 'Consent to monitoring recorded',
      done: residents.length > 0 && withoutConsent.length === 0,
      detail: !residents.length
        ? 'Link the resident first.'
        : withoutConsent.length
          ? `No consent recorded (by whom, when) for ${withoutConsent.map((r) => r.name).join(', ')}.`
          : 'Recorded for every resident.',
    });

    const hub = await this.db.selectFrom('hubs').select(['power']).where('id', '=', hubId).executeTakeFirst();
    const onMains = hub?.power === 'mains';
    const batteryTested = row?.battery_seen_at != null;
    items.push({
      id: 'mains-and-battery',
      label: 'Hub on mains, with a working backup battery',
      done: onMains && batteryTested,
      detail: !onMains
        ? `The hub reports power "${hub?.power ?? 'unknown'}": plug it into the mains.`
        : !batteryTested
          ? 'Unplug the hub for a moment during the walk test: it must report running on its battery, then mains again.'
          : `On mains; ran on its battery at ${timeOf(row!.battery_seen_at!)}.`,
    });
    return items;
  }

  /** Put the home live: refused, with what is missing, until every checklist item is done. */
  async goLive(hubId: string, orgId: string, by: string): Promise<ChecklistItem[]> {
    const items = await this.checklist(hubId, orgId);
    const missing = items.filter((i) => !i.done);
    if (missing.length) {
      throw new HearthError('HEARTH_ERR_CONFLICT', `The home cannot go live yet: ${missing.map((i) => `${i.label.toLowerCase()} (${i.detail})`).join('; ')}`);
    }
    await this.ensureRow(hubId);
    await this.db.updateTable('hub_commissioning').set({ live_at: this.clock.now(), live_by: by, checklist: JSON.stringify(items) }).where('hub_id', '=', hubId).execute();
    this.pending.delete(hubId);
    return items;
  }

  /** Sensor id to the last time it was heard since `since`, by arrival time. */
  async heardSince(hubId: string, since: number): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('events')
      .select(['sensor', (eb) => eb.fn.max('received_at').as('at')])
      .where('hub_id', '=', hubId)
      .where('received_at', '>=', since)
      .groupBy('sensor')
      .execute();
    return new Map(rows.map((r) => [r.sensor, Number(r.at)]));
  }
}
