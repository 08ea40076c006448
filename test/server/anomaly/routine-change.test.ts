import { describe, expect, it } from 'vitest';
import { rig } from './harness.ts';

const MIN = 60_000;

/** One day of a resident's life, in UTC (the test home is in London, in winter: local time is UTC). */
interface Day {
  /** Out of bed, minutes after midnight. */
  rise: number;
  /** Into bed, minutes after midnight. */
  bed?: number;
  /** Minutes between movements while up and about. */
  every: number;
  /** Bathroom trips in the night before (from 01:30, an hour apart). */
  trips: number;
  /** Afternoon in the lounge chair from 14:00, minutes. */
  chair: number;
  /** Out of the home from / to, minutes after midnight. */
  out?: [number, number];
}

/** Deterministic jitter (a small LCG), so "varied" days are the same on every run. */
function jitter(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const dateOf = (d: number): string => new Date(Date.UTC(2026, 0, 1) + (d - 1) * 86_400_000).toISOString().slice(0, 10);
const isWeekend = (d: number): boolean => [0, 6].includes(new Date(Date.UTC(2026, 0, 1) + (d - 1) * 86_400_000).getUTCDay());

/** Play one day through the rig: night trips, rising, rooms in turn, a chair spell, an outing, bed; in time order. */
function live(r: ReturnType<typeof rig>, d: number, day: Day): void {
  const t0 = Date.parse(`${dateOf(d)}T00:00:00Z`);
  const at = (m: number): number => t0 + Math.round(m * MIN);
  const evs: [number, string, unknown][] = [];
  for (let i = 0; i < day.trips; i++) {
    const m = 90 + 60 * i;
    evs.push([at(m), 'bed-pad', 'out'], [at(m + 0.5), 'bedroom-pir', true], [at(m + 1), 'bathroom-pir', true], [at(m + 6), 'bedroom-pir', true], [at(m + 7), 'bed-pad', 'in']);
  }
  evs.push([at(day.rise), 'bed-pad', 'out']);
  const bed = day.bed ?? 22 * 60 + 30;
  const chairEnd = 14 * 60 + day.chair;
  const rooms = ['kitchen-pir', 'lounge-pir', 'hall-pir', 'bathroom-pir', 'kitchen-pir', 'lounge-pir'];
  let k = 0;
  for (let m = day.rise + 1; m < bed - 2; m += day.every) {
    if (m >= 14 * 60 && m < chairEnd) continue;
    if (day.out && m >= day.out[0] - 2 && m < day.out[1] + 2) continue;
    const sensor = rooms[k++ % rooms.length]!;
    evs.push([at(m), sensor, true]);
    if (sensor === 'bathroom-pir') evs.push([at(m + 4), 'hall-pir', true]);
  }
  // Little motion in the chair: the odd stir every 40 min.
  evs.push([at(14 * 60), 'chair-pad', 'in']);
  for (let m = 14 * 60 + 40; m < chairEnd; m += 40) evs.push([at(m), 'lounge-pir', true]);
  evs.push([at(chairEnd), 'chair-pad', 'out']);
  if (day.out) {
    evs.push([at(day.out[0] - 1), 'hall-pir', true], [at(day.out[0]), 'front-door', 'open'], [at(day.out[0] + 0.3), 'front-door', 'closed']);
    evs.push([at(day.out[1]), 'front-door', 'open'], [at(day.out[1] + 0.3), 'front-door', 'closed'], [at(day.out[1] + 1), 'hall-pir', true]);
  }
  evs.push([at(bed), 'bedroom-pir', true], [at(bed + 1), 'bed-pad', 'in']);
  evs.sort((a, b) => a[0] - b[0]);
  for (const [t, sensor, value] of evs) r.ev(sensor, value, new Date(t).toISOString());
}

/** An ordinary day of this resident: later and lazier at weekends, 0 to 2 night trips, some jitter. */
function ordinary(d: number, rnd: () => number): Day {
  const weekend = isWeekend(d);
  const u = rnd();
  return {
    rise: (weekend ? 8 * 60 + 5 : 7 * 60 + 10) + Math.round(rnd() * 30),
    every: 18 + Math.round(rnd() * 6),
    trips: u < 0.45 ? 0 : u < 0.9 ? 1 : 2,
    chair: (weekend ? 70 : 45) + Math.round(rnd() * 30),
  };
}

const midnight = (d: number): number => Date.parse(`${dateOf(d)}T00:00:00Z`);

describe('routine change: a sustained shift in the resident\'s own figures', () => {
  it('a gradual decline (night trips up, activity down, later rising, longer in the chair) is raised once, naming the figures against their usual', () => {
    const r = rig(`${dateOf(1)}T00:00:00Z`);
    const rnd = jitter(1);
    for (let d = 1; d <= 28; d++) live(r, d, ordinary(d, rnd));
    expect(r.of('routine-change')).toEqual([]);
    // Over 14 days, in steps, to a week of the changed routine, and then two more weeks of it.
    for (let d = 29; d <= 56; d++) {
      const p = Math.min(1, (d - 28) / 14);
      const o = ordinary(d, rnd);
      live(r, d, { ...o, trips: o.trips + Math.round(2 * p), every: Math.round(o.every / (1 - 0.4 * p)), rise: o.rise + Math.round(45 * p), chair: o.chair + Math.round(60 * p) });
    }
    r.to(`${dateOf(57)}T01:00:00Z`);
    const raised = r.of('routine-change', 'raise');
    // Raised once, not again each day the change lasts.
    expect(raised).toHaveLength(1);
    const a = raised[0]!;
    expect(a.at).toBeGreaterThan(midnight(29));
    expect(a.at).toBeLessThanOrEqual(midnight(43));
    expect(r.of('routine-change', 'clear')).toEqual([]);
    const cause = a.cause as Record<string, unknown> & { summary: string; rule: string };
    expect(cause.rule).toBe('routine-change');
    expect(cause.summary).toMatch(/^Routine changed over the last 7 days against the \d+ days before/);
    expect(cause.summary).toMatch(/night-time bathroom visits up to \d\.\d a night from 0\.\d \(usual range 0 to [12]\)/);
    expect(cause.summary).toMatch(/daily activity down to \d+% of usual \(\d+ sensor events a day, usually \d+, range \d+ to \d+\)/);
    const nv = cause.nightVisits as { recent: number; baseline: number; usualLow: number; usualHigh: number; shiftInStandardErrors: number };
    expect(nv.baseline).toBeLessThan(1);
    expect(nv.recent).toBeGreaterThan(nv.baseline + 0.5);
    expect(nv.shiftInStandardErrors).toBeGreaterThan(1.5);
    expect(cause.recentDays).toBe(7);
    expect(cause.baselineDays).toBeGreaterThanOrEqual(14);
  });

  it('sixty ordinary but varied days (weekends, a day out, a bad night, a lie-in, a quiet week) raise nothing', () => {
    const r = rig(`${dateOf(1)}T00:00:00Z`);
    const rnd = jitter(2);
    for (let d = 1; d <= 60; d++) {
      const day = ordinary(d, rnd);
      if (d === 20) day.out = [9 * 60 + 30, 17 * 60 + 30]; // a day out: little activity at home
      if (d === 33) day.trips = 4; // one bad night
      if (d === 45) day.rise = 9 * 60 + 40; // a lie-in
      if (d >= 50 && d <= 52) day.every = 26; // a few quieter days
      live(r, d, day);
    }
    r.to(`${dateOf(61)}T01:00:00Z`);
    expect(r.of('routine-change')).toEqual([]);
  });

  it('is cleared once the routine is back to its usual, and not raised again', () => {
    const r = rig(`${dateOf(1)}T00:00:00Z`);
    const rnd = jitter(3);
    for (let d = 1; d <= 28; d++) live(r, d, ordinary(d, rnd));
    for (let d = 29; d <= 42; d++) {
      const o = ordinary(d, rnd);
      live(r, d, { ...o, trips: o.trips + 2, every: o.every * 2, rise: o.rise + 50 });
    }
    r.to(`${dateOf(43)}T01:00:00Z`);
    const [raised] = r.of('routine-change', 'raise');
    expect(raised).toBeDefined();
    expect(r.of('routine-change', 'clear')).toEqual([]);
    for (let d = 43; d <= 63; d++) live(r, d, ordinary(d, rnd));
    r.to(`${dateOf(64)}T01:00:00Z`);
    const cleared = r.of('routine-change', 'clear');
    expect(cleared).toHaveLength(1);
    expect(cleared[0]!.cause.rule).toBe('routine-back-to-usual');
    // Back to usual takes most of a week of usual days (the recent week must be usual again), and no more than two.
    expect(cleared[0]!.at).toBeGreaterThan(midnight(46));
    expect(cleared[0]!.at).toBeLessThan(midnight(57));
    expect(r.of('routine-change', 'raise')).toHaveLength(1);
  });

  it('two moderate shifts the same way count where either alone does not', () => {
    const run = (rising: number, activity: number) => {
      const r = rig(`${dateOf(1)}T00:00:00Z`);
      const rnd = jitter(4);
      for (let d = 1; d <= 28; d++) live(r, d, ordinary(d, rnd));
      for (let d = 29; d <= 49; d++) {
        const o = ordinary(d, rnd);
        live(r, d, { ...o, rise: o.rise + rising, every: Math.round(o.every / (1 - activity)) });
      }
      r.to(`${dateOf(50)}T01:00:00Z`);
      return r.of('routine-change', 'raise');
    };
    expect(run(37, 0)).toEqual([]);
    expect(run(0, 0.2)).toEqual([]);
    const both = run(37, 0.2);
    expect(both).toHaveLength(1);
    expect(both[0]!.cause.summary).toMatch(/daily activity down/);
    expect(both[0]!.cause.summary).toMatch(/rising later: \d\d:\d\d lately against \d\d:\d\d before \(usual range \d\d:\d\d to \d\d:\d\d\)/);
  });
});
