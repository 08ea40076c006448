import type { HomeDescription, HubEvent, SensorDescription, SensorType } from '../../protocol/index.ts';
import { HUB_ID_PATTERN, SENSOR_KINDS } from '../../protocol/index.ts';
import type { AlertType } from '../../server/src/care/model.ts';
import { devicesFor, type Devices, type Room } from './devices.ts';
import { STANDARD_LAYOUT } from './layout.ts';
import { PERSONA_NAMES, PERSONAS, residentName, type Persona, type PersonaName } from './personas.ts';
import { mixSeed, mulberry32, type Rng } from './prng.ts';
import { addDays, assertTimeZone, formatDate, hhmmToMinutes, localToUtc, minutesToHhmm, parseDate, utcToLocal, weekday, type YMD } from './tz.ts';

/** The incidents the generator can inject (see docs/simulators.md). */
export const INCIDENT_TYPES = [
  'fall-recovered',
  'fall-long-lie',
  'collapse',
  'not-up',
  'night-exit',
  'cold-home',
  'hub-outage',
  'flat-battery',
  'call-cancelled',
  'decline',
] as const;
/** An incident type. */
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** Incidents that happen within one day (the cohort draws these per home-day). */
export const ACUTE_INCIDENTS: readonly IncidentType[] = ['fall-recovered', 'fall-long-lie', 'collapse', 'not-up', 'night-exit', 'cold-home', 'hub-outage', 'call-cancelled'];

/** An incident to inject: its type, the day (0 = the first day), and optionally the local time it starts. */
export interface IncidentSpec {
  type: IncidentType;
  day: number;
  /** Local HH:MM of the start (for night-exit: the door opening; for not-up it is ignored). */
  at?: string;
  /** For flat-battery: which sensor dies (default: a motion sensor chosen by the seed). */
  sensor?: string;
}

/**
 * The ground truth of one incident: what happened, when, and which alerts a
 * good detector (with the default plan plus the home's overrides) should raise
 * and by when. Days without a label are normal days.
 */
export interface Label {
  hub: string;
  resident: string;
  incident: IncidentType;
  /** Local date (YYYY-MM-DD) of the onset, in the home's time zone. */
  day: string;
  /** When the situation began (UTC ISO). */
  onset: string;
  /** When it ended (help arrived, resident got up, heating back...), or null when it lasts. */
  end: string | null;
  /** Alert types a good detector should raise for it. */
  expect: AlertType[];
  /** For each expected type, the latest time (UTC ISO) a timely detector raises it. */
  deadlines: Partial<Record<AlertType, string>>;
  /** Alert types that are also fair to raise for it (not counted as false alerts). */
  allow: AlertType[];
  /** Incident-specific facts (room, sensor, durations, ...). */
  detail: Record<string, unknown>;
}

/** The resident's persona and the actual means the generator used. */
export interface ResidentProfile {
  persona: PersonaName;
  name: string;
  wakeWeekday: string;
  wakeWeekend: string;
  bedWeekday: string;
  bedWeekend: string;
}

/** Options of generateHome. */
export interface GenerateHomeOptions {
  hubId: string;
  seed: number;
  /** First local date, YYYY-MM-DD (the period starts at local midnight). */
  start: string;
  days: number;
  /** IANA time zone of the home (default Europe/London). */
  timezone?: string;
  incidents?: IncidentSpec[];
  /** Force a persona (default: chosen by the seed). */
  persona?: PersonaName;
  /** Resident name (default: made up from the seed). */
  resident?: string;
  /** The home's sensors (default: the standard layout). */
  sensors?: readonly SensorDescription[];
  /** Prefix of event ids (default "e"); ids are prefix + a base-36 counter. */
  idPrefix?: string;
  /** Scales how often PIRs see movement (default 1; the live demo uses more, to be lively). */
  motionScale?: number;
}

/** One simulated home: its description, its events in time order, the late arrivals and the labels. */
export interface GeneratedHome {
  home: HomeDescription;
  profile: ResidentProfile;
  /** Every event, ordered by `ts`; each valid against HubEventSchema, ids unique in the home. */
  events: HubEvent[];
  /** Events that reached the server late (hub outage): event id to arrival time (UTC ISO). */
  late: Record<string, string>;
  labels: Label[];
  /**
   * The simulated span (UTC ISO): local midnight of the first day to local midnight after the
   * last. There are no events outside it, so alerts a replay raises after `end` are artefacts.
   */
  period: { start: string; end: string };
}

interface Raw {
  t: number;
  sensor: string;
  type: SensorType;
  value: unknown;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Default monitoring-plan figures the labels' deadlines rely on (server/src/care/model.ts). */
const PLAN = { notUpMarginMinutes: 120, longLieMinutes: 20, bathroomDwellMinutes: 60, nightExitMinutes: 15, coldBelowC: 16, coldForMinutes: 120, inactivityCeilingMinutes: 240 };

const iso = (t: number): string => new Date(t).toISOString();

/**
 * Simulate one home for `days` days: a resident with a seeded persona living
 * their routine in local time, the sensors of the layout reporting it, and the
 * requested incidents injected and labelled. Deterministic: same options, same output.
 */
export function generateHome(opts: GenerateHomeOptions): GeneratedHome {
  if (!HUB_ID_PATTERN.test(opts.hubId)) throw new Error(`hubId must be 3 to 64 characters of a-z, 0-9 and -, got "${opts.hubId}"`);
  const tz = opts.timezone ?? 'Europe/London';
  assertTimeZone(tz);
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new Error(`days must be a whole number of at least 1, got ${opts.days}`);
  const startDate = parseDate(opts.start);
  const rng = mulberry32(mixSeed('home', opts.seed, opts.hubId));
  const persona: Persona = PERSONAS[opts.persona ?? rng.pick(PERSONA_NAMES)];
  const name = opts.resident ?? residentName(rng);
  const sensors = opts.sensors ?? STANDARD_LAYOUT;
  const dev = devicesFor(sensors);
  const residentId = `${opts.hubId}-r1`;
  const sim = new HomeSim(rng, dev, tz, persona, opts.hubId, residentId, opts.motionScale ?? 1);
  const incidents = [...(opts.incidents ?? [])].sort((a, b) => a.day - b.day);
  for (const inc of incidents) {
    if (!(INCIDENT_TYPES as readonly string[]).includes(inc.type)) throw new Error(`unknown incident type "${inc.type}"`);
    if (!Number.isInteger(inc.day) || inc.day < 0 || inc.day >= opts.days) throw new Error(`incident ${inc.type}: day ${inc.day} is outside 0..${opts.days - 1}`);
  }
  sim.run(startDate, opts.days, incidents);
  const { events, late } = sim.finish(opts.idPrefix ?? 'e');
  const profile: ResidentProfile = {
    persona: persona.name,
    name,
    wakeWeekday: minutesToHhmm(persona.wake.weekday),
    wakeWeekend: minutesToHhmm(persona.wake.weekend),
    bedWeekday: minutesToHhmm(persona.bed.weekday),
    bedWeekend: minutesToHhmm(persona.bed.weekend),
  };
  const home: HomeDescription = {
    hub: opts.hubId,
    timezone: tz,
    residents: [{ id: residentId, name, plan: { ...persona.plan }, away: false }],
    sensors: sensors.map((s) => ({ ...s })),
  };
  sim.labels.sort((a, b) => a.onset.localeCompare(b.onset));
  return { home, profile, events, late, labels: sim.labels, period: { start: iso(sim.startT), end: iso(sim.endT) } };
}

interface Block {
  at: number;
  run: () => void;
  /** Uses an exterior door: skipped when the day has run late (no door openings near the night). */
  door: boolean;
}

/** The timeline of one home: a cursor in UTC time that the resident's actions advance. */
class HomeSim {
  raw: Raw[] = [];
  labels: Label[] = [];
  t = 0;
  room: Room = 'bedroom';
  startT = 0;
  endT = 0;
  /** Scale of burst rates today (persona activity times decline). */
  act = 1;
  /** Decline progress today, 0 to 1: longer sedentary spells. */
  prog = 0;
  /** Flat-battery: sensor and the time it dies. */
  dead: { sensor: string; at: number; back: number } | undefined;
  outages: { from: number; to: number }[] = [];
  cold: { from: number; to: number; outdoor: number; day: number }[] = [];
  decline: { day: number; span: number } | undefined;
  flat: { day: number; sensor: string } | undefined;

  constructor(
    readonly rng: Rng,
    readonly dev: Devices,
    readonly tz: string,
    readonly persona: Persona,
    readonly hub: string,
    readonly resident: string,
    readonly motionScale: number,
  ) {}

  emit(t: number, sensor: string | undefined, type: SensorType, value: unknown): void {
    if (sensor) this.raw.push({ t: Math.floor(t), sensor, type, value });
  }

  label(incident: IncidentType, onset: number, end: number | null, expect: AlertType[], deadlines: Partial<Record<AlertType, number>>, allow: AlertType[], detail: Record<string, unknown>): void {
    const dl: Partial<Record<AlertType, string>> = {};
    for (const [k, v] of Object.entries(deadlines)) dl[k as AlertType] = iso(v);
    this.labels.push({
      hub: this.hub,
      resident: this.resident,
      incident,
      day: formatDate(utcToLocal(this.tz, onset).date),
      onset: iso(onset),
      end: end === null ? null : iso(end),
      expect,
      deadlines: dl,
      allow,
      detail,
    });
  }

  // ---- movement primitives ------------------------------------------------

  /** PIR bursts in a room over [from, to): motion true on entry, then at the given rate; each cleared by `to`. */
  bursts(room: Room, from: number, to: number, perHour: number, entry = true): void {
    const s = this.dev.motion[room];
    if (!s || to - from < 5000) return;
    const r = this.rng;
    let t = entry ? from + r.uniform(1000, 4000) : from + r.exp(HOUR / Math.max(perHour, 0.01));
    while (t < to - 2000) {
      const off = Math.min(t + r.uniform(15_000, 90_000), to - 1000);
      this.emit(t, s, 'motion', true);
      this.emit(off, s, 'motion', false);
      if (perHour <= 0) break;
      t = off + r.exp(HOUR / perHour);
    }
  }

  /** Walk to a room, through the hall when the two rooms are not adjacent. */
  move(room: Room): void {
    if (room === this.room) return;
    if (this.room !== 'hall' && room !== 'hall' && this.rng.chance(0.85)) {
      const d = this.rng.uniform(8_000, 25_000);
      this.bursts('hall', this.t, this.t + d, 0);
      this.t += d;
    }
    this.room = room;
  }

  /** Spend `minutes` in a room, optionally on the bed or chair pad. */
  stay(room: Room, minutes: number, perHour: number, pad?: 'bed' | 'chair'): void {
    this.move(room);
    const from = this.t;
    const to = from + minutes * MIN;
    const padId = pad === 'bed' ? this.dev.bed : pad === 'chair' ? this.dev.chair : undefined;
    if (padId && minutes >= 2) {
      this.emit(from + this.rng.uniform(10_000, 40_000), padId, pad!, 'in');
      this.emit(to - this.rng.uniform(5_000, 15_000), padId, pad!, 'out');
    }
    this.bursts(room, from, to, perHour * this.act);
    this.t = to;
  }

  /** Go through an exterior door: open, then closed a few seconds later. */
  door(sensor: string | undefined): void {
    this.emit(this.t, sensor, 'door', 'open');
    this.t += this.rng.uniform(6_000, 30_000);
    this.emit(this.t, sensor, 'door', 'closed');
    this.t += 2000;
  }

  /** Leave home for `minutes` by the front (or back) door; nothing moves inside meanwhile. */
  out(minutes: number, back = false): void {
    const door = back ? this.dev.backDoor : this.dev.frontDoor;
    const via: Room = back && this.dev.backDoor ? 'kitchen' : 'hall';
    this.stay(via, this.rng.uniform(1, 3), 60);
    this.door(door);
    this.t += minutes * MIN;
    this.door(door);
    this.room = via;
    this.stay(via, this.rng.uniform(1, 3), 60);
  }

  /** A visitor (family, friend) comes: door, more motion in lounge and kitchen, door. */
  visitor(minutes: number): void {
    this.stay('hall', 1, 60);
    this.door(this.dev.frontDoor);
    const from = this.t;
    this.stay('lounge', minutes, 25);
    // The visitor makes tea: a second person moving in another room.
    const tea = from + this.rng.uniform(0.2, 0.6) * minutes * MIN;
    this.bursts('kitchen', tea, tea + this.rng.uniform(5, 10) * MIN, 30);
    this.stay('hall', 1, 60);
    this.door(this.dev.frontDoor);
  }

  /** A carer's visit: door, personal care in bathroom and bedroom, food in the kitchen, door. */
  carer(minutes: number): void {
    this.stay('hall', 1, 60);
    this.door(this.dev.frontDoor);
    this.stay('bathroom', minutes * 0.35, 40);
    this.stay('bedroom', minutes * 0.2, 30);
    this.stay('kitchen', minutes * 0.35, 40);
    this.stay('hall', 1, 60);
    this.door(this.dev.frontDoor);
  }

  /** Someone with a key arrives and helps the resident up (after a long lie or collapse). */
  help(room: Room): void {
    // The helper opens the front door and walks in; from then on the PIRs see both people.
    this.room = 'hall';
    this.door(this.dev.frontDoor);
    this.stay('hall', 0.5, 60);
    this.stay(room, this.rng.uniform(20, 45), 60);
    this.stay('hall', 1, 60);
    this.door(this.dev.frontDoor);
    this.stay('lounge', this.rng.uniform(15, 40), 8, 'chair');
  }

  /** Pottering about until `until`: short stays in rooms chosen by weight. */
  fill(until: number, evening: boolean): void {
    const r = this.rng;
    while (this.t < until - MIN) {
      const left = (until - this.t) / MIN;
      const room = evening
        ? r.weighted({ lounge: 0.75, kitchen: 0.12, bathroom: 0.13 })
        : r.weighted({ lounge: 0.4, kitchen: 0.22, bedroom: 0.1, bathroom: 0.13, hall: 0.06 });
      if (room === 'lounge') {
        const chair = r.chance(evening ? 0.85 : 0.55 + 0.35 * this.prog);
        const len = (evening ? r.uniform(20, 70) : r.uniform(10, 45)) * (1 + this.prog);
        this.stay('lounge', Math.min(len, left), chair ? (evening ? 4 : 3) : 20, chair ? 'chair' : undefined);
      } else if (room === 'kitchen') this.stay('kitchen', Math.min(r.uniform(4, 20), left), 45);
      else if (room === 'bathroom') this.stay('bathroom', Math.min(r.uniform(3, 10), left), 45);
      else if (room === 'bedroom') this.stay('bedroom', Math.min(r.uniform(4, 15), left), 20);
      else this.stay('hall', Math.min(r.uniform(1, 3), left), 60);
    }
    if (this.t < until) this.t = until;
  }

  // ---- the night ----------------------------------------------------------

  /**
   * In bed from now until `wakeT`: turning over now and then (seen by the
   * bedroom PIR), bathroom trips, and possibly a night exit. When `quietFrom`
   * is set there is no movement at all after it (the not-up morning).
   */
  night(wakeT: number, trips: number, exit: { at: number; minutes: number } | undefined, quietFrom: number | undefined, getUp: boolean, inBedAlready: boolean): void {
    const r = this.rng;
    const bed = this.dev.bed;
    if (!inBedAlready) this.emit(this.t, bed, 'bed', 'in');
    this.room = 'bedroom';
    const lastAllowed = Math.min(wakeT, quietFrom ?? wakeT) - 20 * MIN;
    const times: { at: number; exit?: number }[] = [];
    for (let i = 0; i < trips; i++) {
      const from = this.t + 30 * MIN;
      if (lastAllowed > from) times.push({ at: r.uniform(from, lastAllowed) });
    }
    if (exit) times.push({ at: exit.at, exit: exit.minutes });
    times.sort((a, b) => a.at - b.at);
    for (const trip of times) {
      if (trip.at < this.t + 5 * MIN && trip.exit === undefined) continue;
      const at = Math.max(trip.at, this.t + 60_000);
      this.bursts('bedroom', this.t, at, 0.3, false);
      this.t = at;
      this.emit(this.t, bed, 'bed', 'out');
      if (trip.exit !== undefined) {
        this.stay('bedroom', r.uniform(1, 3), 60);
        this.stay('hall', r.uniform(0.5, 1.5), 60);
        const doorAt = this.t;
        this.door(this.dev.frontDoor);
        this.t += trip.exit * MIN;
        const back = this.t;
        this.door(this.dev.frontDoor);
        this.room = 'hall';
        this.stay('hall', r.uniform(1, 3), 60);
        this.stay('kitchen', r.uniform(3, 8), 40);
        this.stay('bedroom', r.uniform(2, 5), 30);
        this.label('night-exit', doorAt, back, ['night-exit'], { 'night-exit': doorAt + (PLAN.nightExitMinutes + 5) * MIN }, ['not-home', 'inactivity'], { minutesOut: Math.round(trip.exit), door: this.dev.frontDoor });
      } else {
        this.stay('bedroom', r.uniform(0.3, 1.2), 60);
        this.stay('bathroom', r.uniform(3, 8), 40);
        this.stay('bedroom', r.uniform(0.5, 1.5), 30);
      }
      this.emit(this.t, bed, 'bed', 'in');
    }
    const stillUntil = quietFrom !== undefined ? Math.min(quietFrom, wakeT) : wakeT;
    if (stillUntil > this.t) this.bursts('bedroom', this.t, stillUntil, 0.3, false);
    this.t = Math.max(this.t, wakeT);
    if (getUp) this.emit(this.t, bed, 'bed', 'out');
  }

  // ---- the whole period ---------------------------------------------------

  run(start: YMD, days: number, incidents: IncidentSpec[]): void {
    const r = this.rng;
    const p = this.persona;
    const tz = this.tz;
    this.startT = localToUtc(tz, start, 0);
    this.endT = localToUtc(tz, addDays(start, days), 0);
    this.t = this.startT;
    const byDay = new Map<number, IncidentSpec[]>();
    for (const inc of incidents) {
      if (inc.type === 'decline') this.decline = { day: inc.day, span: r.int(21, 42) };
      else if (inc.type === 'flat-battery') {
        const candidates = Object.values(this.dev.motion).filter((s): s is string => !!s);
        const sensor = inc.sensor ?? (candidates.length ? r.pick(candidates) : undefined);
        if (!sensor) throw new Error('flat-battery needs a motion sensor in the layout');
        this.flat = { day: inc.day, sensor };
      } else byDay.set(inc.day, [...(byDay.get(inc.day) ?? []), inc]);
    }
    const rising = hhmmToMinutes(p.plan.usualRising);
    const nightStart = hhmmToMinutes(p.plan.nightStart);
    const nightEnd = hhmmToMinutes(p.plan.nightEnd);
    // Meals move with the persona's day: a night owl lunches later.
    const shift = (p.wake.weekday - 450) / 2;
    let inBed = true;

    for (let d = 0; d < days; d++) {
      const date = addDays(start, d);
      const L = (minutes: number): number => localToUtc(tz, date, minutes);
      const wd = weekday(date);
      const weekend = wd === 0 || wd === 6;
      const todays = byDay.get(d) ?? [];
      const has = (type: IncidentType): IncidentSpec | undefined => todays.find((i) => i.type === type);
      const prog = this.decline && d >= this.decline.day ? Math.min(1, (d - this.decline.day) / this.decline.span) : 0;
      this.act = p.activity * (1 - 0.45 * prog) * this.motionScale;
      this.prog = prog;

      // The night before today's wake.
      const wakeMean = (weekend ? p.wake.weekend : p.wake.weekday) + 60 * prog;
      let wakeMin = Math.max(wakeMean - 75, Math.min(wakeMean + 75, r.normal(wakeMean, p.wake.sd)));
      const notUp = has('not-up');
      let quietFrom: number | undefined;
      if (notUp) {
        wakeMin = rising + PLAN.notUpMarginMinutes + r.uniform(30, 150);
        quietFrom = L(rising - 60);
      }
      let wakeT = Math.max(L(wakeMin), this.t + 4 * HOUR);
      const trips = Math.min(prog > 0 ? 5 : 3, r.poisson(p.nightTrips + 2.2 * prog));
      let exit: { at: number; minutes: number } | undefined;
      const ne = has('night-exit');
      if (ne) {
        const winStart = nightStart > nightEnd ? localToUtc(tz, addDays(date, -1), nightStart) : L(nightStart);
        const winEnd = L(nightEnd);
        const minutes = r.uniform(40, 150);
        const lo = Math.max(this.t + 45 * MIN, winStart + 30 * MIN);
        const hi = Math.min(wakeT - (minutes + 40) * MIN, winEnd - 30 * MIN);
        const at = ne.at ? L(hhmmToMinutes(ne.at) + (hhmmToMinutes(ne.at) < 720 ? 0 : -1440)) : r.uniform(lo, Math.max(lo, hi));
        exit = { at, minutes };
        if (at + (minutes + 40) * MIN > wakeT) wakeT = at + (minutes + 60) * MIN;
      }
      this.night(wakeT, trips, exit, quietFrom, true, inBed);
      inBed = false;
      if (notUp) {
        this.label('not-up', L(rising), this.t, ['not-up'], { 'not-up': L(rising + PLAN.notUpMarginMinutes) + 15 * MIN }, ['inactivity'], { usualRising: p.plan.usualRising, roseAt: iso(this.t) });
      }

      // Morning.
      this.stay('bedroom', r.uniform(3, 8), 20);
      this.stay('bathroom', r.uniform(8, 20), 45);
      this.stay('kitchen', r.uniform(15, 30), 40);

      const bedMean = weekend ? p.bed.weekend : p.bed.weekday;
      const bedT = L(Math.max(bedMean - 60, Math.min(bedMean + 60, r.normal(bedMean, p.bed.sd))));
      const outLimit = Math.min(L(nightStart + (nightStart < 720 ? 1440 : 0)) - 90 * MIN, bedT - 45 * MIN);
      const blocks: Block[] = [];
      const add = (at: number, run: () => void, door = false): void => void blocks.push({ at, run, door });

      if (p.carers && !notUp) add(this.t + r.uniform(20, 50) * MIN, () => this.carer(r.uniform(25, 40)), true);
      if (p.carers) add(L(r.uniform(1020, 1065)), () => this.carer(r.uniform(15, 25)), true);
      add(L(r.uniform(720, 780) + shift), () => this.stay('kitchen', r.uniform(20, 40), 40));
      add(L(r.uniform(825, 870) + shift), () => this.stay('lounge', r.uniform(p.chair.min, p.chair.max) + 60 * prog, 1.5, 'chair'));
      const supper = L(r.uniform(1065, 1110) + shift);
      add(supper, () => this.stay('kitchen', r.uniform(25, 45), 40));

      const outP = (weekend ? p.outing.weekend : p.outing.weekday) * (1 - 0.7 * prog);
      const outing = (lo: number, hi: number): void => {
        const planned = r.uniform(p.outing.minMinutes, p.outing.maxMinutes);
        add(L(r.uniform(lo, hi) + shift), () => {
          const minutes = Math.min(planned, (outLimit - this.t) / MIN - 10);
          if (minutes >= 20) this.out(minutes);
        }, true);
      };
      let afternoonOut = false;
      if (r.chance(outP)) {
        if (r.chance(0.55)) outing(570, 690);
        else {
          outing(870, 990);
          afternoonOut = true;
        }
        if (r.chance(p.outing.second)) {
          if (afternoonOut) outing(570, 660);
          else {
            outing(900, 990);
            afternoonOut = true;
          }
        }
      }
      if (!afternoonOut && r.chance(weekend ? p.visitor.weekend : p.visitor.weekday)) add(L(r.uniform(870, 990) + shift), () => this.visitor(r.uniform(40, 120)), true);
      if (r.chance(p.garden * (1 - prog))) add(L(r.uniform(600, 1000)), () => this.out(r.uniform(10, 40), true), true);

      // Day-time incidents.
      const dayAt = (inc: IncidentSpec, lo: number, hi: number): number => (inc.at ? L(hhmmToMinutes(inc.at)) : L(r.uniform(Math.max(lo, wakeMin + 90), Math.max(hi, wakeMin + 100))));
      for (const inc of todays) {
        if (inc.type === 'fall-recovered') add(dayAt(inc, 600, 1140), () => this.fallRecovered());
        if (inc.type === 'fall-long-lie') add(dayAt(inc, 600, 1140), () => this.fallLongLie());
        if (inc.type === 'collapse') add(dayAt(inc, 600, 900), () => this.collapse());
        if (inc.type === 'call-cancelled') add(dayAt(inc, 600, 1200), () => this.callCancelled());
        if (inc.type === 'hub-outage') {
          const from = inc.at ? L(hhmmToMinutes(inc.at)) : L(r.uniform(0, 1380));
          this.outages.push({ from, to: from + r.uniform(2, 8) * HOUR });
        }
        if (inc.type === 'cold-home') {
          const from = inc.at ? L(hhmmToMinutes(inc.at)) : L(r.uniform(960, 1320));
          this.cold.push({ from, to: from + r.uniform(8, 14) * HOUR, outdoor: r.uniform(4, 10), day: d });
        }
      }

      blocks.sort((a, b) => a.at - b.at);
      for (const b of blocks) {
        this.fill(b.at, b.at >= supper);
        if (!b.door || this.t < outLimit) b.run();
      }
      this.fill(bedT, true);
      this.stay('bathroom', r.uniform(5, 12), 30);
      this.stay('bedroom', r.uniform(3, 8), 20);
      if (d === days - 1) this.night(this.endT + HOUR, Math.min(3, r.poisson(p.nightTrips)), undefined, undefined, false, false);
    }
    if (this.decline) {
      const onset = localToUtc(tz, addDays(start, this.decline.day), 0);
      this.label('decline', onset, null, ['routine-change'], { 'routine-change': onset + (Math.min(this.decline.span, 21) + 7) * DAY }, ['not-up', 'inactivity'], {
        spanDays: this.decline.span,
        wakeLaterMinutes: 60,
        activityDrop: 0.45,
        extraNightTrips: 2.2,
      });
    }
    this.environment(start, days);
  }

  // ---- incidents ------------------------------------------------------------

  /** The fall sensor reports a fall (a pendant call where the home has no fall sensor); the alert type that should follow. */
  fallEvent(t: number, value: true | number): 'fall' | 'call' {
    if (this.dev.fall) this.emit(t, this.dev.fall, 'fall', value);
    else this.emit(t, this.dev.call, 'call', 'pressed');
    return this.dev.fall ? 'fall' : 'call';
  }

  fallRecovered(): void {
    const r = this.rng;
    const onset = this.t;
    const kind = this.fallEvent(onset, r.chance(0.5) ? true : Math.round(r.uniform(0.7, 1) * 100) / 100);
    this.t += r.uniform(1, 4) * MIN;
    const up = this.t;
    this.stay(this.room, r.uniform(3, 10), 40);
    this.label('fall-recovered', onset, up, [kind], { [kind]: onset + MIN }, [], { room: this.room, minutesOnFloor: Math.round((up - onset) / MIN) });
  }

  fallLongLie(): void {
    const r = this.rng;
    const onset = this.t;
    const room = this.room;
    const kind = this.fallEvent(onset, true);
    const lie = r.uniform(45, 240);
    this.t += lie * MIN;
    const found = this.t;
    this.help(room);
    this.label('fall-long-lie', onset, found, [kind, 'long-lie'], { [kind]: onset + MIN, 'long-lie': onset + (PLAN.longLieMinutes + 5) * MIN }, ['inactivity'], { room, minutesOnFloor: Math.round(lie) });
  }

  collapse(): void {
    const r = this.rng;
    const room: Room = r.weighted({ lounge: 0.4, kitchen: 0.3, bathroom: 0.3 });
    const entered = this.t;
    this.stay(room, r.uniform(2, 8), 30);
    const onset = this.t;
    const quiet = r.uniform(300, 480);
    this.t += quiet * MIN;
    const found = this.t;
    this.help(room);
    const bathroom = room === 'bathroom';
    const deadlines: Partial<Record<AlertType, number>> = { inactivity: onset + (PLAN.inactivityCeilingMinutes + 15) * MIN };
    if (bathroom) deadlines['long-lie'] = entered + (PLAN.bathroomDwellMinutes + 10) * MIN;
    this.label('collapse', onset, found, bathroom ? ['long-lie', 'inactivity'] : ['inactivity'], deadlines, bathroom ? [] : ['long-lie'], { room, minutesStill: Math.round(quiet) });
  }

  callCancelled(): void {
    const r = this.rng;
    const onset = this.t;
    const after = r.uniform(8, 90);
    this.emit(onset, this.dev.call, 'call', 'pressed');
    this.emit(onset + after * 1000, this.dev.call, 'call', 'cancelled');
    this.t += after * 1000 + 5000;
    this.stay(this.room, r.uniform(2, 6), 30);
    this.label('call-cancelled', onset, onset + after * 1000, ['call'], { call: onset + MIN }, [], { cancelledAfterSeconds: Math.round(after), sensor: this.dev.call });
  }

  // ---- temperature and batteries ------------------------------------------

  environment(start: YMD, days: number): void {
    const r = this.rng;
    const p = this.persona;
    const tz = this.tz;
    const temp = this.dev.temperature;
    if (temp) {
      const setpoint = r.uniform(19.5, 21.5);
      const setback = Math.max(17.2, setpoint - r.uniform(1.5, 3));
      const heatFrom = p.wake.weekday - 30;
      const heatTo = p.bed.weekday;
      let T = setpoint - 1;
      let last = this.startT;
      let t = this.startT + r.uniform(0, 15) * MIN;
      const coldState = this.cold.map(() => ({ onset: undefined as number | undefined, end: undefined as number | undefined }));
      while (t < this.endT) {
        const local = utcToLocal(tz, t).minutes;
        const m = local < heatFrom - 120 ? local + 1440 : local;
        let target = m >= heatFrom && m <= heatTo ? setpoint : setback;
        let tau = 1.2;
        const ci = this.cold.findIndex((c) => t >= c.from && t < c.to);
        if (ci >= 0) {
          target = this.cold[ci]!.outdoor;
          tau = 3;
        }
        const dtH = (t - last) / HOUR;
        T += (target - T) * (1 - Math.exp(-dtH / tau));
        last = t;
        const sun = 0.5 * Math.sin(((local - 540) / 1440) * 2 * Math.PI);
        const value = Math.round((T + sun + r.normal(0, 0.1)) * 10) / 10;
        this.emit(t, temp, 'temperature', value);
        this.cold.forEach((c, i) => {
          const s = coldState[i]!;
          if (t >= c.from && s.onset === undefined && value < PLAN.coldBelowC) s.onset = t;
          if (t >= c.to && s.onset !== undefined && s.end === undefined && value >= PLAN.coldBelowC) s.end = t;
        });
        t += r.uniform(15, 30) * MIN;
      }
      this.cold.forEach((c, i) => {
        const s = coldState[i]!;
        if (s.onset === undefined) return;
        this.label('cold-home', s.onset, s.end ?? null, ['cold-home'], { 'cold-home': s.onset + (PLAN.coldForMinutes + 35) * MIN }, [], {
          sensor: temp,
          heatingOff: iso(c.from),
          heatingBack: iso(c.to),
          coldestC: Math.round(c.outdoor * 10) / 10,
        });
      });
    }
    for (const o of this.outages) {
      this.label('hub-outage', o.from, o.to, ['hub-offline'], { 'hub-offline': o.from + 4 * MIN }, [], {
        hours: Math.round(((o.to - o.from) / HOUR) * 10) / 10,
        note: 'live: the hub disconnects; replay: its events arrive late, drained at the end',
      });
    }
    // Daily battery reports; the flat-battery sensor sinks to 0, falls silent, and
    // comes back with a new battery once the installer has been.
    const flatLevels = [18, 11, 6, 2, 0];
    for (const s of this.dev.battery) {
      const level0 = r.uniform(55, 100);
      const rate = r.uniform(0.03, 0.15);
      const at = r.uniform(0, 1440);
      const flat = this.flat?.sensor === s ? this.flat : undefined;
      for (let d = 0; d < days; d++) {
        const t = localToUtc(tz, addDays(start, d), at);
        let level = level0 - rate * d;
        if (flat) {
          if (d < flat.day) level = level0 + ((25 - level0) * d) / Math.max(1, flat.day);
          else if (d - flat.day < flatLevels.length) level = flatLevels[d - flat.day]!;
          else if (this.dead && t > this.dead.back) level = 100 - rate * ((t - this.dead.back) / DAY);
          else continue;
          if (d === flat.day) {
            const dies = localToUtc(tz, addDays(start, d + flatLevels.length - 1), at);
            const back = dies + (SENSOR_KINDS.motion.silentAfterHours + r.uniform(12, 60)) * HOUR;
            this.dead = { sensor: s, at: dies, back };
            const silentH = SENSOR_KINDS.motion.silentAfterHours;
            // A dead PIR hides the resident in its room, so quiet-spell alerts are fair until it is fixed.
            this.label('flat-battery', t, back < this.endT ? back : null, ['low-battery', 'sensor-silent'], { 'low-battery': t + 5 * MIN, 'sensor-silent': dies + (silentH + 0.5) * HOUR }, ['inactivity', 'long-lie', 'not-up'], {
              sensor: s,
              levels: flatLevels,
              silentFrom: iso(dies),
              replacedAt: iso(back),
            });
          }
        }
        this.emit(t, s, 'battery', Math.round(level));
      }
    }
  }

  /** Sort, clip to the period, apply the dead sensor and the outages, and give ids. */
  finish(prefix: string): { events: HubEvent[]; late: Record<string, string> } {
    let raw = this.raw.filter((e) => e.t >= this.startT && e.t < this.endT);
    const dead = this.dead;
    if (dead) raw = raw.filter((e) => e.sensor !== dead.sensor || e.t <= dead.at || e.t >= dead.back);
    raw.sort((a, b) => a.t - b.t);
    const events: HubEvent[] = new Array(raw.length);
    const late: Record<string, string> = {};
    let o = 0;
    const outages = [...this.outages].sort((a, b) => a.from - b.from);
    let drained = 0;
    for (let i = 0; i < raw.length; i++) {
      const e = raw[i]!;
      const id = `${prefix}${(i + 1).toString(36).padStart(6, '0')}`;
      events[i] = { id, ts: iso(e.t), sensor: e.sensor, type: e.type, value: e.value } as HubEvent;
      while (o < outages.length && e.t >= outages[o]!.to) {
        o++;
        drained = 0;
      }
      const out = outages[o];
      // The hub buffers while offline and drains in order when it is back.
      if (out && e.t >= out.from && e.t < out.to) late[id] = iso(out.to + 20 * drained++);
    }
    return { events, late };
  }
}

/** Options of generateCohort. */
export interface GenerateCohortOptions {
  homes: number;
  days: number;
  seed: number;
  /** Chance per home and day of an acute incident (default 0.05); chronic ones (decline, flat battery) follow from it. */
  incidentRate?: number;
  /** First local date (default 2026-03-01, so 60 days cross the spring clock change). */
  start?: string;
  /** Time zones to draw from (default mostly Europe/London, a few elsewhere). */
  timezones?: string[];
  /** Hub id prefix (default "hub-"); hubs are numbered from 0001. */
  hubPrefix?: string;
}

const DEFAULT_ZONES = ['Europe/London', 'Europe/London', 'Europe/London', 'Europe/London', 'Europe/London', 'Europe/Dublin', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney'];

/** Draw the incidents of one home: acute ones on random days (one at a time, a quiet day after each), chronic ones per home. */
export function drawIncidents(rng: Rng, days: number, rate: number): IncidentSpec[] {
  const out: IncidentSpec[] = [];
  if (days >= 35 && rng.chance(Math.min(1, rate * 4))) out.push({ type: 'decline', day: rng.int(7, days - 28) });
  if (days >= 10 && rng.chance(Math.min(1, rate * 3))) out.push({ type: 'flat-battery', day: rng.int(2, days - 8) });
  for (let d = 1; d < days; d++) {
    if (rng.chance(rate)) {
      out.push({ type: rng.pick(ACUTE_INCIDENTS), day: d });
      d++;
    }
  }
  return out;
}

/** A generated cohort of homes. */
export interface GeneratedCohort {
  homes: GeneratedHome[];
}

/** Simulate `homes` homes for `days` days each, with incidents drawn at `incidentRate`. */
export function generateCohort(opts: GenerateCohortOptions): GeneratedCohort {
  const rate = opts.incidentRate ?? 0.05;
  if (!(rate >= 0 && rate <= 1)) throw new Error(`incidentRate must be between 0 and 1, got ${rate}`);
  if (!Number.isInteger(opts.homes) || opts.homes < 1) throw new Error(`homes must be a whole number of at least 1, got ${opts.homes}`);
  const zones = opts.timezones?.length ? opts.timezones : DEFAULT_ZONES;
  const rng = mulberry32(mixSeed('cohort', opts.seed));
  const homes: GeneratedHome[] = [];
  for (let i = 1; i <= opts.homes; i++) {
    const hubId = `${opts.hubPrefix ?? 'hub-'}${String(i).padStart(4, '0')}`;
    const timezone = rng.pick(zones);
    const incidents = drawIncidents(rng, opts.days, rate);
    homes.push(generateHome({ hubId, seed: mixSeed(opts.seed, i), start: opts.start ?? '2026-03-01', days: opts.days, timezone, incidents }));
  }
  return { homes };
}

/** A line of the replay file: an event with its hub, and `receivedAt` when it arrived late. */
export type ReplayOut = HubEvent & { hub: string; receivedAt?: string };

/** All homes' events as replay lines, in arrival order (late events where they arrived). */
export function replayLines(homes: readonly GeneratedHome[]): ReplayOut[] {
  // Each home is already in time order but for its late events: order each home by
  // arrival (nearly sorted, so cheap), then merge the homes through a small heap.
  const queues = homes.map((h) => {
    const hub = h.home.hub;
    const anyLate = Object.keys(h.late).length > 0;
    const rows = h.events.map((e) => {
      const late = anyLate ? h.late[e.id] : undefined;
      const line = { hub, id: e.id, ts: e.ts, sensor: e.sensor, type: e.type, value: e.value } as ReplayOut;
      if (late) line.receivedAt = late;
      return { at: Date.parse(late ?? e.ts), line };
    });
    if (anyLate) rows.sort((a, b) => a.at - b.at);
    return rows;
  });
  const pos = queues.map(() => 0);
  const key = (q: number): number => queues[q]![pos[q]!]!.at;
  const heap: number[] = [];
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && key(heap[l]!) < key(heap[m]!)) m = l;
      if (r < heap.length && key(heap[r]!) < key(heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  queues.forEach((q, i) => q.length && heap.push(i));
  for (let i = Math.floor(heap.length / 2); i >= 0; i--) down(i);
  const out: ReplayOut[] = [];
  while (heap.length) {
    const q = heap[0]!;
    out.push(queues[q]![pos[q]!++]!.line);
    if (pos[q]! >= queues[q]!.length) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    if (heap.length) down(0);
  }
  return out;
}

/** Local date and minutes of day of an event time in a home's zone (for tests and tools). */
export function localTime(tz: string, ts: string): { date: string; minutes: number } {
  const l = utcToLocal(tz, Date.parse(ts));
  return { date: formatDate(l.date), minutes: l.minutes };
}

