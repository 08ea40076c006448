import { SENSOR_KINDS, type SensorType } from '../../../protocol/index.ts';
import type { SensorInfo } from '../care/directory.ts';
import type { MonitoringPlan } from '../care/model.ts';
import type { StoredEvent } from '../events.ts';
import { addDays, hhmmToMinutes, localDay, localMinutes, localTime } from './local-time.ts';

/** Time in a room runs from a motion event to the next one, but never longer than this. */
export const ROOM_DWELL_CAP_MS = 30 * 60_000;
/** A chair spell longer than this is a pad that missed its "out". */
export const CHAIR_SPELL_CAP_MS = 6 * 3600_000;
/** Bathroom motion within this of the previous is the same visit. */
export const BATHROOM_VISIT_GAP_MS = 10 * 60_000;
/** The morning's first activity is looked for from 04:00 to 14:00 local. */
const MORNING_FROM = 4 * 60;
const MORNING_TO = 14 * 60;
/** The night's last activity is looked for from 18:00 to 04:00 the next day. */
const EVENING_FROM = 18 * 60;
const EVENING_TO = 28 * 60;

/** A resident's activity on one local day: what every trend is built from. */
export interface DaySummary {
  day: string;
  /** False when nothing at all was heard from the home that day (no events, hub never heard). */
  hasData: boolean;
  /** Activity events (movement, doors, bed and chair) per local hour of day, 0 to 23. */
  hourly: number[];
  /** Sum of hourly. */
  activity: number;
  /** Minutes in each room, from motion sensors. */
  rooms: Record<string, number>;
  /** First activity of the morning (04:00 to 14:00), minutes after local midnight. */
  rising: number | null;
  /** Last activity at night (18:00 to 04:00 next day), minutes after local midnight (past 1440 after midnight). */
  retiring: number | null;
  /** Bathroom visits in the night that ended this morning (the plan's night window). */
  nightBathroomVisits: number;
  /** Exterior door closings not followed by movement inside within the plan's out-of-home minutes. */
  exits: number;
  /** Minutes out of the home: from such a door closing to the next movement inside (within the day). Absent in summaries stored before it was added. */
  outMinutes?: number;
  /** Minutes on the chair pad ("in" to "out", a spell capped at 6 h). Absent in summaries stored before it was added. */
  chairMinutes?: number;
  /** Indoor temperature, °C. */
  temperature: { min: number; mean: number; max: number } | null;
  /** Share of the day's five-minute slots in which the hub was heard (0 to 1). */
  hubUptime: number | null;
  /** Share of the day each sensor that can go silent was not silent (0 to 1). */
  sensorUptime: Record<string, number>;
}

/** The instants a day's summary reads: the events window and the day itself. */
export interface DayWindow {
  /** Local midnight to next local midnight. */
  dayFrom: number;
  dayTo: number;
  /** Events needed: from the start of last night to a little after 04:00 next morning. */
  from: number;
  to: number;
  /** The night that ended this morning. */
  nightFrom: number;
  nightTo: number;
}

/** The window of one local day. */
export function dayWindow(tz: string, plan: MonitoringPlan, day: string): DayWindow {
  const ns = hhmmToMinutes(plan.nightStart);
  const ne = hhmmToMinutes(plan.nightEnd);
  const nightFrom = ns > ne ? localTime(tz, addDays(day, -1), ns) : localTime(tz, day, ns);
  const nightTo = localTime(tz, day, ne);
  const dayFrom = localTime(tz, day, 0);
  const dayTo = localTime(tz, addDays(day, 1), 0);
  const to = Math.max(localTime(tz, day, EVENING_TO), dayTo + plan.outOfHomeMinutes * 60_000) + ROOM_DWELL_CAP_MS;
  return { dayFrom, dayTo, from: Math.min(nightFrom, dayFrom), to, nightFrom, nightTo };
}

/** Whether an event is a sign of someone moving about at home. */
export function isActivity(e: StoredEvent): boolean {
  const kind = SENSOR_KINDS[e.type as SensorType];
  if (!kind?.activity) return false;
  return e.type !== 'motion' || e.value === true;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** What a day's summary is computed from. */
export interface SummaryInput {
  day: string;
  tz: string;
  plan: MonitoringPlan;
  sensors: ReadonlyMap<string, SensorInfo>;
  /** Every event of the hub in dayWindow(...).from to .to, oldest first. */
  events: readonly StoredEvent[];
  /** Each sensor's last event in the 72 h before local midnight (for sensor uptime). */
  lastBefore: ReadonlyMap<string, number>;
  /** Hub uptime over the day so far, already computed. */
  hubUptime: number | null;
  /** Now: a day still running is summarised up to here. */
  until: number;
}

/** Summarise one local day of a resident's home. Pure: the same input always gives the same summary. */
export function summariseDay(input: SummaryInput): DaySummary {
  const { tz, plan, sensors, events, day } = input;
  const w = dayWindow(tz, plan, day);
  const inDay = (t: number) => t >= w.dayFrom && t < w.dayTo;
  const role = (sensor: string) => sensors.get(sensor)?.role ?? null;
  const room = (sensor: string) => sensors.get(sensor)?.room ?? null;

  // Hour-of-day buckets follow local time: on a DST day an hour may be empty or span two.
  const bounds = Array.from({ length: 25 }, (_, h) => (h === 24 ? w.dayTo : localTime(tz, day, h * 60)));
  const hourly = new Array<number>(24).fill(0);
  const activity = events.filter(isActivity);
  for (const e of activity) {
    if (!inDay(e.ts)) continue;
    let h = 23;
    while (h > 0 && e.ts < bounds[h]!) h--;
    hourly[h]!++;
  }

  const motion = events.filter((e) => e.type === 'motion' && e.value === true);
  const roomsMs = new Map<string, number>();
  for (let i = 0; i < motion.length; i++) {
    const e = motion[i]!;
    if (!inDay(e.ts)) continue;
    const next = motion[i + 1]?.ts ?? Infinity;
    const dwell = Math.min(next - e.ts, ROOM_DWELL_CAP_MS, input.until - e.ts);
    if (dwell <= 0) continue;
    const r = room(e.sensor) ?? 'unplaced';
    roomsMs.set(r, (roomsMs.get(r) ?? 0) + dwell);
  }
  const rooms: Record<string, number> = {};
  for (const [r, ms] of [...roomsMs].sort((a, b) => a[0].localeCompare(b[0]))) rooms[r] = round1(ms / 60_000);

  const morningFrom = localTime(tz, day, MORNING_FROM);
  const morningTo = localTime(tz, day, MORNING_TO);
  const rise = activity.find((e) => e.ts >= morningFrom && e.ts < morningTo);
  const eveningFrom = localTime(tz, day, EVENING_FROM);
  const eveningTo = localTime(tz, day, EVENING_TO);
  const last = activity.filter((e) => e.ts >= eveningFrom && e.ts < eveningTo).at(-1);
  const retiring = last ? (localDay(tz, last.ts) === day ? 0 : 1440) + localMinutes(tz, last.ts) : null;

  let nightBathroomVisits = 0;
  let prevBath = -Infinity;
  for (const e of motion) {
    if (e.ts < w.nightFrom || e.ts >= w.nightTo) continue;
    if (role(e.sensor) !== 'bathroom' && room(e.sensor) !== 'bathroom') continue;
    if (e.ts - prevBath > BATHROOM_VISIT_GAP_MS) nightBathroomVisits++;
    prevBath = e.ts;
  }

  const outMs0 = plan.outOfHomeMinutes * 60_000;
  let exits = 0;
  for (const e of events) {
    if (e.type !== 'door' || e.value !== 'closed' || !inDay(e.ts) || role(e.sensor) !== 'exterior-door') continue;
    if (!motion.some((m) => m.ts > e.ts && m.ts <= e.ts + outMs0)) exits++;
  }

  // Time out: from a door closing with no movement after it, to the next movement inside (clipped to the day and to now).
  let outMs = 0;
  const dayEnd = Math.min(w.dayTo, input.until);
  for (const e of events) {
    if (e.type !== 'door' || e.value !== 'closed' || role(e.sensor) !== 'exterior-door' || e.ts >= dayEnd) continue;
    if (motion.some((m) => m.ts > e.ts && m.ts <= e.ts + outMs0)) continue;
    const back = motion.find((m) => m.ts > e.ts)?.ts ?? dayEnd;
    const a = Math.max(e.ts, w.dayFrom);
    const b = Math.min(back, dayEnd);
    if (b > a) outMs += b - a;
  }
  // Time in the chair: pad "in" to "out"; a spell longer than CHAIR_SPELL_CAP_MS is a pad that missed its "out".
  let chairMs = 0;
  let chairIn: number | null = null;
  for (const e of events) {
    if (e.type !== 'chair') continue;
    if (e.value === 'in') chairIn ??= e.ts;
    else if (e.value === 'out' && chairIn !== null) {
      const a = Math.max(chairIn, w.dayFrom);
      const b = Math.min(e.ts, dayEnd, chairIn + CHAIR_SPELL_CAP_MS);
      if (b > a) chairMs += b - a;
      chairIn = null;
    }
  }
  if (chairIn !== null) {
    const b = Math.min(dayEnd, chairIn + CHAIR_SPELL_CAP_MS);
    const a = Math.max(chairIn, w.dayFrom);
    if (b > a) chairMs += b - a;
  }

  const temps = events.filter((e) => e.type === 'temperature' && typeof e.value === 'number' && inDay(e.ts)).map((e) => e.value as number);
  const temperature = temps.length
    ? { min: Math.min(...temps), mean: round1(temps.reduce((a, b) => a + b, 0) / temps.length), max: Math.max(...temps) }
    : null;

  const sensorUptime: Record<string, number> = {};
  const span = Math.min(w.dayTo, input.until) - w.dayFrom;
  if (span > 0) {
    for (const [id, s] of [...sensors].sort((a, b) => a[0].localeCompare(b[0]))) {
      const hours = SENSOR_KINDS[s.type as SensorType]?.silentAfterHours;
      if (!s.commissioned || !hours) continue;
      const limit = hours * 3600_000;
      const end = w.dayFrom + span;
      const times = [input.lastBefore.get(id), ...events.filter((e) => e.sensor === id && e.ts >= w.dayFrom && e.ts < end).map((e) => e.ts)].filter(
        (t): t is number => t !== undefined,
      );
      let covered = 0;
      let upTo = w.dayFrom;
      for (const t of times) {
        const a = Math.max(t, upTo);
        const b = Math.min(t + limit, end);
        if (b > a) {
          covered += b - a;
          upTo = b;
        }
      }
      sensorUptime[id] = Math.round((covered / span) * 10_000) / 10_000;
    }
  }

  const hasData = events.some((e) => inDay(e.ts)) || (input.hubUptime ?? 0) > 0;
  return {
    day,
    hasData,
    hourly,
    activity: hourly.reduce((a, b) => a + b, 0),
    rooms,
    rising: rise ? round1(localMinutes(tz, rise.ts)) : null,
    retiring: retiring === null ? null : round1(retiring),
    nightBathroomVisits,
    exits,
    outMinutes: round1(outMs / 60_000),
    chairMinutes: round1(chairMs / 60_000),
    temperature,
    hubUptime: input.hubUptime,
    sensorUptime,
  };
}
