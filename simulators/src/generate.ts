// Simulated homes: generateHome (one home, seeded and deterministic) and a cohort of them, with the replay lines they make; the simulation itself is home-sim.ts.
import type { HomeDescription, HubEvent } from '../../protocol/index.ts';
import { HUB_ID_PATTERN } from '../../protocol/index.ts';
import { devicesFor } from './devices.ts';
import { HomeSim } from './home-sim.ts';
import { ACUTE_INCIDENTS, INCIDENT_TYPES, type GeneratedHome, type GenerateHomeOptions, type IncidentSpec, type ResidentProfile } from './home-types.ts';
import { STANDARD_LAYOUT } from './layout.ts';
import { PERSONA_NAMES, PERSONAS, residentName, type Persona } from './personas.ts';
import { mixSeed, mulberry32, type Rng } from './prng.ts';
import { iso } from './sim-constants.ts';
import { assertTimeZone, formatDate, minutesToHhmm, parseDate, utcToLocal } from './tz.ts';

export * from './home-types.ts';

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
