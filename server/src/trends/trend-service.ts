import type { Directory, SensorInfo } from '../care/directory.ts';
import { planWithDefaults, type MonitoringPlan } from '../care/model.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { EventStore } from '../store/event-store.ts';
import type { HubPresence } from '../store/presence.ts';
import { addDays, daysFromTo, localDay, localTime } from './local-time.ts';
import { dayWindow, summariseDay, type DaySummary } from './summarise.ts';

/** Days before each day whose figures make up the resident's usual range. */
export const USUAL_DAYS = 28;
/** A usual range needs at least this many days with data. */
export const USUAL_MIN_DAYS = 7;
/** Longest range a trend query may cover. */
export const MAX_RANGE_DAYS = 366;
/** A day's summary is final (and may be stored) from 12:00 local the next day: late events have had time to arrive. */
export const FINAL_AFTER_MINUTES = 36 * 60;
/** Lookback for each sensor's last event before a day (the longest silence threshold). */
const LAST_SEEN_LOOKBACK_MS = 72 * 3600_000;

/** The resident's usual range of a figure: median and interquartile range over the preceding weeks. */
export interface Usual {
  median: number;
  q1: number;
  q3: number;
  /** Days it was computed from. */
  n: number;
}

/** One figure on one day, with the usual range and whether it stands out. */
export interface FigurePoint {
  value: number | null;
  usual: Usual | null;
  /** Outside the usual range by more than 1.5 interquartile ranges (Tukey's fences). */
  unusual: boolean;
}

/** Where a day's figures came from. */
export type DaySource = 'summary' | 'live' | 'none';

/** What the trend queries need to know about a resident. */
export interface ResidentRef {
  id: string;
  orgId: string;
  hubId: string | null;
  timezone: string;
  plan: MonitoringPlan;
  coordinatorId: string | null;
  createdAt: number;
}

/** The scalar figures of a day, by name. */
export const FIGURES = {
  activity: (s: DaySummary) => s.activity,
  rising: (s: DaySummary) => s.rising,
  retiring: (s: DaySummary) => s.retiring,
  nightBathroomVisits: (s: DaySummary) => s.nightBathroomVisits,
  exits: (s: DaySummary) => s.exits,
  outMinutes: (s: DaySummary) => s.outMinutes ?? null,
  chairMinutes: (s: DaySummary) => s.chairMinutes ?? null,
  temperatureMean: (s: DaySummary) => s.temperature?.mean ?? null,
  temperatureMin: (s: DaySummary) => s.temperature?.min ?? null,
  hubUptime: (s: DaySummary) => s.hubUptime,
} as const;
/** A figure's name. */
export type FigureName = keyof typeof FIGURES;

/** One day of the trends answer. */
export interface TrendDay {
  day: string;
  source: DaySource;
  figures: Record<FigureName, FigurePoint>;
  /** Minutes per room, each with its usual range. */
  rooms: Record<string, FigurePoint>;
  sensorUptime: Record<string, number>;
}

/** The activity heatmap: events per local hour of day, per day. */
export interface Heatmap {
  days: string[];
  /** hours[i][h]: activity on days[i] in local hour h; null where there is no data. */
  hours: (number[] | null)[];
  /** Usual activity per hour of day over the weeks before the range. */
  usual: (Usual | null)[];
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median and quartiles of a sample, or null with fewer than USUAL_MIN_DAYS values. */
export function usualOf(values: readonly (number | null)[]): Usual | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length < USUAL_MIN_DAYS) return null;
  const r = (n: number) => Math.round(n * 100) / 100;
  return { median: r(quantile(v, 0.5)), q1: r(quantile(v, 0.25)), q3: r(quantile(v, 0.75)), n: v.length };
}

function point(value: number | null, usual: Usual | null): FigurePoint {
  if (value === null || !usual) return { value, usual, unusual: false };
  const iqr = usual.q3 - usual.q1;
  return { value, usual, unusual: value < usual.q1 - 1.5 * iqr || value > usual.q3 + 1.5 * iqr };
}

/**
 * Trends per resident, in the resident's local time: from stored daily
 * summaries where they exist, computed live from the event store for the days
 * that have none yet. Both paths run the same summariseDay, so an answer does
 * not change when a day is summarised or its raw events expire.
 */
export class TrendService {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly presence: HubPresence,
    private readonly directory: Directory,
    private readonly clock: Clock,
  ) {}

  /** A resident, or undefined. */
  async resident(id: string): Promise<ResidentRef | undefined> {
    const r = await this.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    return {
      id: r.id,
      orgId: r.org_id,
      hubId: r.hub_id,
      timezone: r.timezone,
      plan: planWithDefaults(JSON.parse(r.plan)),
      coordinatorId: r.coordinator_id,
      createdAt: r.created_at,
    };
  }

  /** Today in the resident's time zone. */
  today(r: ResidentRef): string {
    return localDay(r.timezone, this.clock.now());
  }

  /** When a day's summary is final. */
  finalAt(r: ResidentRef, day: string): number {
    return localTime(r.timezone, day, FINAL_AFTER_MINUTES);
  }

  /** The first day that has a summary: the resident's first local day. */
  firstDay(r: ResidentRef): string {
    return localDay(r.timezone, r.createdAt);
  }

  /** The earliest instant a day's summary reads events from. */
  windowStart(r: ResidentRef, day: string): number {
    return dayWindow(r.timezone, r.plan, day).from - LAST_SEEN_LOOKBACK_MS;
  }

  /** The instant after the last event a day's summary reads. */
  windowEnd(r: ResidentRef, day: string): number {
    return dayWindow(r.timezone, r.plan, day).to;
  }

  /** Compute one day's summary from the event store (not stored). */
  async computeDay(r: ResidentRef, day: string, sensors?: ReadonlyMap<string, SensorInfo>): Promise<DaySummary> {
    const w = dayWindow(r.timezone, r.plan, day);
    const until = this.clock.now();
    const hubId = r.hubId;
    const home = sensors ?? (hubId ? (await this.directory.getHome(hubId))?.sensors : undefined) ?? new Map<string, SensorInfo>();
    const [events, lastBefore, hubUptime] = hubId
      ? await Promise.all([
          this.store.range({ hubId, from: w.from, to: Math.min(w.to, until + 1) }),
          this.store.lastPerSensor({ hubId, from: w.dayFrom - LAST_SEEN_LOOKBACK_MS, to: w.dayFrom }),
          this.presence.uptime(hubId, w.dayFrom, Math.min(w.dayTo, until)),
        ])
      : [[], new Map<string, number>(), null];
    return summariseDay({ day, tz: r.timezone, plan: r.plan, sensors: home, events, lastBefore, hubUptime, until });
  }

  /** Compute and keep a (final) day's summary; replaces any earlier one. */
  async storeDay(r: ResidentRef, day: string, sensors?: ReadonlyMap<string, SensorInfo>): Promise<DaySummary> {
    const s = await this.computeDay(r, day, sensors);
    const row = { resident_id: r.id, day, hub_id: r.hubId ?? '', data: JSON.stringify(s), computed_at: this.clock.now() };
    await this.db
      .insertInto('daily_summaries')
      .values(row)
      .onConflict((oc) => oc.columns(['resident_id', 'day']).doUpdateSet({ data: row.data, computed_at: row.computed_at, hub_id: row.hub_id }))
      .execute();
    return s;
  }

  /** Summaries of every day from..to: stored ones, the rest computed live; days before the resident's first, or in the future, are absent. */
  async summaries(r: ResidentRef, from: string, to: string): Promise<Map<string, { summary: DaySummary; source: DaySource }>> {
    const first = this.firstDay(r);
    const today = this.today(r);
    const lo = from < first ? first : from;
    const hi = to > today ? today : to;
    const out = new Map<string, { summary: DaySummary; source: DaySource }>();
    if (lo > hi) return out;
    const rows = await this.db
      .selectFrom('daily_summaries')
      .select(['day', 'data'])
      .where('resident_id', '=', r.id)
      .where('day', '>=', lo)
      .where('day', '<=', hi)
      .execute();
    for (const row of rows) out.set(row.day, { summary: JSON.parse(row.data) as DaySummary, source: 'summary' });
    let sensors: ReadonlyMap<string, SensorInfo> | undefined;
    for (const day of daysFromTo(lo, hi)) {
      if (out.has(day)) continue;
      sensors ??= (r.hubId ? (await this.directory.getHome(r.hubId))?.sensors : undefined) ?? new Map();
      out.set(day, { summary: await this.computeDay(r, day, sensors), source: 'live' });
    }
    return out;
  }

  /** The activity heatmap of a range, with the usual activity per hour over the weeks before it. */
  async heatmap(r: ResidentRef, from: string, to: string): Promise<Heatmap> {
    const all = await this.summaries(r, addDays(from, -USUAL_DAYS), to);
    const days = daysFromTo(from, to);
    const hours = days.map((d) => {
      const s = all.get(d)?.summary;
      return s?.hasData ? s.hourly : null;
    });
    const base = daysFromTo(addDays(from, -USUAL_DAYS), addDays(from, -1))
      .map((d) => all.get(d)?.summary)
      .filter((s): s is DaySummary => !!s?.hasData);
    const usual = Array.from({ length: 24 }, (_, h) => usualOf(base.map((s) => s.hourly[h] ?? 0)));
    return { days, hours, usual };
  }

  /** Every daily figure of a range, each with the resident's usual range over the 28 days before that day. */
  async trends(r: ResidentRef, from: string, to: string): Promise<{ days: TrendDay[]; heatmap: Heatmap }> {
    const all = await this.summaries(r, addDays(from, -USUAL_DAYS), to);
    const heatmap = await this.heatmap(r, from, to);
    const withData = (d: string) => {
      const s = all.get(d)?.summary;
      return s?.hasData ? s : undefined;
    };
    const days: TrendDay[] = [];
    for (const day of daysFromTo(from, to)) {
      const entry = all.get(day);
      const s = withData(day);
      const before = daysFromTo(addDays(day, -USUAL_DAYS), addDays(day, -1))
        .map(withData)
        .filter((x): x is DaySummary => !!x);
      const figures = {} as Record<FigureName, FigurePoint>;
      for (const [name, get] of Object.entries(FIGURES) as [FigureName, (s: DaySummary) => number | null][]) {
        figures[name] = point(s ? get(s) : null, usualOf(before.map(get)));
      }
      const rooms: Record<string, FigurePoint> = {};
      const roomNames = new Set([...Object.keys(s?.rooms ?? {}), ...before.flatMap((b) => Object.keys(b.rooms))]);
      for (const room of [...roomNames].sort()) {
        rooms[room] = point(s ? (s.rooms[room] ?? 0) : null, usualOf(before.map((b) => b.rooms[room] ?? 0)));
      }
      days.push({ day, source: entry && s ? entry.source : 'none', figures, rooms, sensorUptime: s?.sensorUptime ?? {} });
    }
    return { days, heatmap };
  }
}
