import { describe, expect, it } from 'vitest';
import { HomeDescriptionSchema, HubEventSchema } from '../../protocol/index.ts';
import { ALERT_TYPES } from '../../server/src/care/model.ts';
import { generateCohort, generateHome, localTime, replayLines } from '../../simulators/src/generate.ts';
import { PERSONAS, PERSONA_NAMES } from '../../simulators/src/personas.ts';
import { hhmmToMinutes } from '../../simulators/src/tz.ts';
import { at, isActivity, minutesInWindow, risings } from './util.ts';

describe('generator output', () => {
  it('is deterministic: same seed, same output; another seed, another life', () => {
    const opts = { hubId: 'hub-0001', seed: 7, start: '2026-03-01', days: 10, incidents: [{ type: 'fall-long-lie' as const, day: 3 }] };
    const a = generateHome(opts);
    const b = generateHome(opts);
    expect(b).toEqual(a);
    const c = generateHome({ ...opts, seed: 8 });
    expect(c.events.map((e) => e.ts)).not.toEqual(a.events.map((e) => e.ts));
    const cohort1 = generateCohort({ homes: 4, days: 14, seed: 3, incidentRate: 0.2 });
    const cohort2 = generateCohort({ homes: 4, days: 14, seed: 3, incidentRate: 0.2 });
    expect(replayLines(cohort2.homes)).toEqual(replayLines(cohort1.homes));
    expect(cohort2.homes.flatMap((h) => h.labels)).toEqual(cohort1.homes.flatMap((h) => h.labels));
  });

  it('gives events valid against the protocol, with unique ids, in time order, from the home\'s own sensors', () => {
    const cohort = generateCohort({ homes: 5, days: 14, seed: 11, incidentRate: 0.3 });
    let checked = 0;
    for (const h of cohort.homes) {
      expect(HomeDescriptionSchema.safeParse(h.home).success).toBe(true);
      const ids = new Set<string>();
      const sensors = new Set(h.home.sensors.map((s) => s.sensor));
      let last = -Infinity;
      for (const e of h.events) {
        const r = HubEventSchema.safeParse(e);
        if (!r.success) throw new Error(`invalid event ${JSON.stringify(e)}: ${r.error.message}`);
        expect(ids.has(e.id)).toBe(false);
        ids.add(e.id);
        expect(sensors.has(e.sensor)).toBe(true);
        expect(at(e)).toBeGreaterThanOrEqual(last);
        last = at(e);
        checked++;
      }
      for (const l of h.labels) {
        for (const t of [...l.expect, ...l.allow, ...Object.keys(l.deadlines)]) expect(Object.keys(ALERT_TYPES)).toContain(t);
        expect(Object.keys(l.deadlines).sort()).toEqual([...l.expect].sort());
        expect(l.hub).toBe(h.home.hub);
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(cohort.homes.flatMap((h) => h.labels).length).toBeGreaterThan(5);
  });

  it('refuses bad options with a clear error', () => {
    expect(() => generateHome({ hubId: 'hub-1', seed: 1, start: '2026-13-01x', days: 2 })).toThrow(/YYYY-MM-DD/);
    expect(() => generateHome({ hubId: 'hub-1', seed: 1, start: '2026-03-01', days: 2, timezone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => generateHome({ hubId: 'hub-1', seed: 1, start: '2026-03-01', days: 2, incidents: [{ type: 'fall-long-lie', day: 5 }] })).toThrow(/outside/);
    expect(() => generateCohort({ homes: 2, days: 2, seed: 1, incidentRate: 2 })).toThrow(/incidentRate/);
    expect(() => generateHome({ hubId: 'Hub One', seed: 1, start: '2026-03-01', days: 2 })).toThrow(/hubId/);
    expect(() => generateHome({ hubId: 'hub-1', seed: 1, start: '2026-03-01', days: 2, incidents: [{ type: 'meteor' as never, day: 1 }] })).toThrow(/unknown incident/);
  });
});

describe('routine sanity', () => {
  for (const persona of PERSONA_NAMES) {
    it(`${persona}: motion by night is far rarer than by day, rising is near the persona's wake time, and bed comes after`, () => {
      const p = PERSONAS[persona];
      const g = generateHome({ hubId: 'hub-0001', seed: 21, start: '2026-04-06', days: 28, persona, timezone: 'Europe/London' });
      const tz = g.home.timezone;
      const bedMin = p.bed.weekday % 1440;
      // Deep night: 2 h after the persona's bedtime, for 3 h. Day: 10:00 to 18:00 local, moved with the persona.
      let night = 0;
      let day = 0;
      const deepFrom = (bedMin + 120) % 1440;
      const dayFrom = p.wake.weekday + 120;
      for (const e of g.events) {
        if (e.type !== 'motion' || e.value !== true) continue;
        const m = localTime(tz, e.ts).minutes;
        if ((m - deepFrom + 1440) % 1440 < 180) night++;
        if (m >= dayFrom && m < dayFrom + 480) day++;
      }
      // Per hour: 3 night hours against 8 day hours (a frail resident's bathroom trips keep the night busiest).
      expect(night / 3).toBeLessThan((day / 8) * (persona === 'frail-sedentary' ? 0.25 : 0.15));
      expect(day / 8 / 28).toBeGreaterThan(5);

      const rise = risings(g.events, tz);
      expect(rise.size).toBeGreaterThanOrEqual(26);
      const diffs: number[] = [];
      for (const [date, r] of rise) {
        const dow = new Date(`${date}T12:00:00Z`).getUTCDay();
        const mean = dow === 0 || dow === 6 ? p.wake.weekend : p.wake.weekday;
        diffs.push(r.minutes - mean);
        expect(Math.abs(r.minutes - mean)).toBeLessThanOrEqual(76);
      }
      diffs.sort((a, b) => a - b);
      expect(Math.abs(diffs[Math.floor(diffs.length / 2)]!)).toBeLessThan(p.wake.sd + 5);
      // Rising is never later than the plan's usual rising plus the default not-up margin.
      for (const r of rise.values()) expect(r.minutes).toBeLessThan(hhmmToMinutes(p.plan.usualRising) + 120);
    });
  }

  it('while out there is no indoor motion, every PIR is clear, and outings are common for the active persona', () => {
    const g = generateHome({ hubId: 'hub-0002', seed: 5, start: '2026-05-04', days: 28, persona: 'active-out' });
    const ev = g.events;
    let outings = 0;
    for (let i = 0; i < ev.length; i++) {
      const e = ev[i]!;
      if (e.type !== 'door' || e.value !== 'closed') continue;
      // The next activity event: if it is the same door opening 20+ min later, the resident was out.
      let j = i + 1;
      while (j < ev.length && !isActivity(ev[j]!)) j++;
      const next = ev[j];
      if (!next || next.type !== 'door' || next.sensor !== e.sensor || next.value !== 'open' || at(next) - at(e) < 20 * 60_000) continue;
      outings++;
      // Nothing at all from PIRs or pads while out, and each PIR was left clear.
      for (let k = i + 1; k < j; k++) expect(['motion', 'bed', 'chair']).not.toContain(ev[k]!.type);
      const lastBy = new Map<string, unknown>();
      for (let k = 0; k < i; k++) if (ev[k]!.type === 'motion') lastBy.set(ev[k]!.sensor, ev[k]!.value);
      for (const v of lastBy.values()) expect(v).toBe(false);
    }
    expect(outings).toBeGreaterThanOrEqual(15);
  });

  it('on normal days nothing calls for an urgent or high alert: no falls or calls, no night exits, no long waking silences, warm, batteries fine', () => {
    const cohort = generateCohort({ homes: 8, days: 21, seed: 99, incidentRate: 0 });
    for (const h of cohort.homes) {
      expect(h.labels).toEqual([]);
      expect(Object.keys(h.late)).toEqual([]);
      const plan = h.home.residents[0]!.plan as { nightStart: string; nightEnd: string };
      const ns = hhmmToMinutes(plan.nightStart);
      const ne = hhmmToMinutes(plan.nightEnd);
      const tz = h.home.timezone;
      let prev: number | undefined;
      let prevEvent: (typeof h.events)[number] | undefined;
      for (const e of h.events) {
        expect(['fall', 'call', 'smoke']).not.toContain(e.type);
        if (e.type === 'temperature') expect(e.value).toBeGreaterThanOrEqual(16.5);
        if (e.type === 'battery') expect(e.value).toBeGreaterThan(40);
        if (e.type === 'door' && e.value === 'open') {
          const m = localTime(tz, e.ts).minutes;
          const inNight = ns <= ne ? m >= ns && m < ne : m >= ns || m < ne;
          expect(inNight, `door opened at night in ${h.home.hub} at ${e.ts}`).toBe(false);
        }
        if (!isActivity(e)) continue;
        if (prev !== undefined && at(e) - prev > 3 * 3600_000) {
          // A long gap in waking hours is only fine when the resident is out (it starts with a door closing).
          const waking = at(e) - prev - minutesInWindow(tz, prev, at(e), ns, ne) * 60_000;
          if (waking > 3.5 * 3600_000) expect(prevEvent!.type, `silent ${h.home.hub} from ${prevEvent!.ts}`).toBe('door');
        }
        prev = at(e);
        prevEvent = e;
      }
    }
  });
});

describe('daylight saving', () => {
  it('wakes at the same local time on the clock-change days in Europe/London as a twin living on UTC', () => {
    for (const [start, dst] of [['2026-03-27', '2026-03-29'], ['2026-10-23', '2026-10-25']] as const) {
      const opts = { hubId: 'hub-0003', seed: 4, start, days: 4, persona: 'early-riser' as const };
      const london = risings(generateHome({ ...opts, timezone: 'Europe/London' }).events, 'Europe/London');
      const utc = risings(generateHome({ ...opts, timezone: 'UTC' }).events, 'UTC');
      // Up to the change the two lives draw the same numbers, so the same local wake time.
      for (const date of [start, dst]) {
        expect(london.get(date)!.minutes).toBeCloseTo(utc.get(date)!.minutes, 1);
        expect(london.get(date)!.minutes).toBeGreaterThan(5 * 60);
        expect(london.get(date)!.minutes).toBeLessThan(8 * 60);
      }
      // In UTC, London wakes an hour earlier than its twin while on summer time (BST), at the same instant on GMT.
      const spring = dst.startsWith('2026-03');
      expect(utc.get(start)!.t - london.get(start)!.t).toBe(spring ? 0 : 3600_000);
      expect(utc.get(dst)!.t - london.get(dst)!.t).toBe(spring ? 3600_000 : 0);
    }
  });
});

describe('period', () => {
  it('runs from local midnight to local midnight, with every event inside it', () => {
    const g = generateHome({ hubId: 'hub-0004', seed: 2, start: '2026-03-28', days: 3, timezone: 'Australia/Sydney' });
    expect(g.period).toEqual({ start: '2026-03-27T13:00:00.000Z', end: '2026-03-30T13:00:00.000Z' });
    expect(g.events[0]!.ts >= g.period.start).toBe(true);
    expect(g.events[g.events.length - 1]!.ts < g.period.end).toBe(true);
  });
});
