// The timeline of one simulated home (generate.ts drives it): the resident's day, night and moves, the
// sensors reporting them, and the incidents and environment of home-incidents.ts and home-environment.ts.
import type { HubEvent, SensorType } from '../../protocol/index.ts';
import type { AlertType } from '../../server/src/care/model.ts';
import type { Devices, Room } from './devices.ts';
import { environment } from './home-environment.ts';
import { callCancelled, collapse, fallLongLie, fallRecovered } from './home-incidents.ts';
import type { IncidentSpec, IncidentType, Label } from './home-types.ts';
import type { Persona } from './personas.ts';
import type { Rng } from './prng.ts';
import { DAY, HOUR, iso, MIN, PLAN, type Raw } from './sim-constants.ts';
import { addDays, formatDate, hhmmToMinutes, localToUtc, utcToLocal, weekday, type YMD } from './tz.ts';

interface Block {
  at: number;
  run: () => void;
  /** Uses an exterior door: skipped when the day has run late (no door openings near the night). */
  door: boolean;
}

/** The timeline of one home: a cursor in UTC time that the resident's actions advance. */
export class HomeSim {
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
        if (inc.type === 'fall-recovered') add(dayAt(inc, 600, 1140), () => fallRecovered(this));
        if (inc.type === 'fall-long-lie') add(dayAt(inc, 600, 1140), () => fallLongLie(this));
        if (inc.type === 'collapse') add(dayAt(inc, 600, 900), () => collapse(this));
        if (inc.type === 'call-cancelled') add(dayAt(inc, 600, 1200), () => callCancelled(this));
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
    environment(this, start, days);
  }

  // ---- incidents ------------------------------------------------------------

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
