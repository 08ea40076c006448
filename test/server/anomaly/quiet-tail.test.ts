// The quiet-spell model's budget read off a fitted tail, the place of a touch, and going out past the
// hall PIR: hand-written fixtures shaped like the recorded homes' remaining false alerts (issue 10).
import { describe, expect, it } from 'vitest';
import { scaleFor } from '../../../server/src/anomaly/detectors/routine/quiet.ts';
import { makeHome, rig } from './harness.ts';

const day = (n: number): string => `2026-01-${String(n).padStart(2, '0')}`;
const at = (date: string, hhmm: string, plusMin = 0): string => new Date(Date.parse(`${date}T${hhmm}:00Z`) + plusMin * 60_000).toISOString();
/** Movement every 20 min from `from` to before `to` minutes past `hhmm`: sensor `a` where the minute is not a multiple of 40, else `b`. */
const about = (r: ReturnType<typeof rig>, date: string, hhmm: string, from: number, to: number, a = 'hall-pir', b = 'kitchen-pir'): void => {
  for (let m = from; m < to; m += 20) r.ev(m % 40 ? a : b, true, at(date, hhmm, m));
};

describe('the budget read off a fitted tail', () => {
  // Twenty spells' needed scales, 1.05 to 2.0: the largest seen is 2.0 (the tail is fitted to the top 15).
  const needs = (): number[] => Array.from({ length: 20 }, (_, i) => 1.05 + i * 0.05);

  it('a budget allowing under one spell on the history sets the scale beyond the largest spell seen', () => {
    const strict = scaleFor(needs(), 0.25, 8);
    expect(strict).toBeGreaterThan(2.0);
    expect(strict).toBeLessThan(8);
    // Stricter still is higher still, and the range's top is never passed.
    expect(scaleFor(needs(), 0.05, 8)).toBeGreaterThan(strict);
    expect(scaleFor(needs(), 0.01, 3)).toBe(3);
  });

  it('is smooth and falls as the budget grows, down to the smallest scale', () => {
    let last = Infinity;
    for (let a = 1; a <= 19; a += 0.1) {
      const s = scaleFor(needs(), a, 3);
      expect(s).toBeLessThanOrEqual(last + 1e-9);
      if (last < Infinity) expect(last - s).toBeLessThan(0.15);
      last = s;
    }
    expect(scaleFor(needs(), 40, 3)).toBeCloseTo(1, 3);
  });

  it('a spell no scale could have stopped spends the allowance first', () => {
    expect(scaleFor([Infinity, ...needs()], 0.9, 3)).toBe(3);
    expect(scaleFor([Infinity, ...needs()], 1.25, 3)).toBeCloseTo(scaleFor(needs(), 0.25, 3), 6);
  });
});

describe('a touch has a place too: what followed it before', () => {
  /** Fourteen days: a cupboard (touch) in the kitchen at 13:30, moving on within 20 min; a two-hour nap in the lounge from 14:00. */
  function history(): ReturnType<typeof rig> {
    const home = makeHome();
    home.sensors.set('cupboard', { sensorId: 'cupboard', type: 'door', room: 'kitchen', role: null, commissioned: true, evidence: 'touch' });
    const r = rig('2026-01-01T00:00:00Z', home);
    for (let d = 1; d <= 14; d++) {
      const date = day(d);
      r.ev('bed-pad', 'out', at(date, '07:30'));
      about(r, date, '07:30', 1, 360);
      r.ev('cupboard', 'open', at(date, '13:30'));
      r.ev('hall-pir', true, at(date, '13:30', 12 + (d % 3) * 3));
      r.ev('lounge-pir', true, at(date, '14:00'));
      r.ev('lounge-pir', true, at(date, '14:00', 110 + (d % 4) * 5));
      about(r, date, '14:00', 150, 480);
      r.ev('bedroom-pir', true, at(date, '22:30'));
      r.ev('bed-pad', 'in', at(date, '22:31'));
    }
    r.ev('bed-pad', 'out', at(day(15), '07:30'));
    about(r, day(15), '07:30', 1, 360);
    return r;
  }

  it('the cupboard and then nothing at 13:30 is checked on far sooner than a nap in the lounge at 14:00', () => {
    const touch = history();
    touch.ev('cupboard', 'open', at(day(15), '13:30'));
    touch.to(at(day(15), '18:00'));
    const [a] = touch.of('inactivity', 'raise');
    expect(a?.cause.lastEvidence).toBe('touch');
    expect(a!.cause.summary).toMatch(/last touched something in the kitchen \(they may have moved on/);

    const nap = history();
    nap.ev('lounge-pir', true, at(day(15), '14:00'));
    nap.to(at(day(15), '19:00'));
    const [b] = nap.of('inactivity', 'raise');
    // After the cupboard, quiet has never lasted long: the threshold borrows the nap at half weight only.
    expect(a!.cause.thresholdMinutes as number).toBeLessThan((b?.cause.thresholdMinutes as number | undefined) ?? 240);
    expect(a!.cause.thresholdMinutes as number).toBeLessThan(110);
  });
});

describe('going out past the hall PIR', () => {
  /** Up, about, then out of the front door at 09:00; the hall PIR fires `pirAfterS` seconds after the door closed. */
  function leave(pirAfterS: number): ReturnType<typeof rig> {
    const r = rig('2026-01-12T06:00:00Z');
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    r.ev('kitchen-pir', true, '2026-01-12T08:00:00Z');
    r.ev('hall-pir', true, '2026-01-12T08:59:40Z');
    r.ev('front-door', 'open', '2026-01-12T09:00:00Z');
    r.ev('front-door', 'closed', '2026-01-12T09:00:20Z');
    r.ev('hall-pir', true, new Date(Date.parse('2026-01-12T09:00:20Z') + pirAfterS * 1000).toISOString());
    return r;
  }

  it('the PIR seeing them go (20 s after the door closed) does not keep them in: out, no inactivity all afternoon', () => {
    const r = leave(20);
    r.to('2026-01-12T15:00:00Z');
    expect(r.of('inactivity', 'raise')).toEqual([]);
    // Back at 15:00: movement inside again, nothing raised.
    r.ev('front-door', 'open', '2026-01-12T15:00:00Z');
    r.ev('hall-pir', true, '2026-01-12T15:00:30Z');
    r.to('2026-01-12T16:00:00Z');
    expect(r.raisedCare()).toEqual([]);
  });

  it('movement in the hall two minutes after the door closed is someone at home: the quiet is watched, raised by the ceiling', () => {
    const r = leave(120);
    r.to('2026-01-12T13:05:00Z');
    const [a] = r.of('inactivity', 'raise');
    expect(a).toBeDefined();
    expect(a!.at).toBeLessThanOrEqual(Date.parse('2026-01-12T13:05:00Z'));
  });

  it('movement in another room just after the door closed is someone at home too', () => {
    const r = rig('2026-01-12T06:00:00Z');
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    r.ev('hall-pir', true, '2026-01-12T08:59:40Z');
    r.ev('front-door', 'open', '2026-01-12T09:00:00Z');
    r.ev('front-door', 'closed', '2026-01-12T09:00:20Z');
    r.ev('lounge-pir', true, '2026-01-12T09:00:40Z');
    r.to('2026-01-12T13:05:00Z');
    expect(r.of('inactivity', 'raise')).toHaveLength(1);
  });
});

describe('a new resident: the model takes over from the ceiling after four days', () => {
  /** Days 1..n ordinary (up 07:30, about every 20 min, bed 22:30), then day n+1 a kitchen visit at 10:40 and nothing after. */
  const collapseAfter = (n: number) => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= n; d++) r.day(day(d), { rise: '07:30', bed: '22:30' });
    const d = day(n + 1);
    r.ev('bed-pad', 'out', at(d, '07:30'));
    about(r, d, '07:31', 0, 181, 'lounge-pir');
    r.ev('kitchen-pir', true, at(d, '10:40'));
    r.to(at(d, '15:00'));
    return r;
  };

  it('four days of their own: a collapse on day 5 is raised from their norm, well before the 4 h ceiling, saying how many days it knows', () => {
    const r = collapseAfter(4);
    const [a] = r.of('inactivity', 'raise');
    expect(a).toBeDefined();
    expect(a!.cause.learned).toBe(true);
    // Their longest quiet is 20 min: the budget's most cautious scale (3) and the margin give 1 h 20 min.
    expect(a!.cause.thresholdMinutes).toBeLessThan(120);
    expect(Date.parse(a!.cause.events[0]!.ts)).toBe(Date.parse(at(day(5), '10:40')));
    expect(a!.cause.summary).toMatch(/the resident's last 4 days/);
  });

  it('three days are not enough: the same collapse on day 4 waits for the plan ceiling, and says so', () => {
    const r = collapseAfter(3);
    const [a] = r.of('inactivity', 'raise');
    expect(a).toBeDefined();
    expect(a!.cause.learned).toBe(false);
    expect(a!.cause.thresholdMinutes).toBe(240);
    expect(a!.cause.summary).toMatch(/until the routine is learned/);
  });
});

describe('time out is not quiet at home', () => {
  /** Fourteen days: about every 20 min from 07:30, and out of the front door from 10:30 to 12:10 each day; day 15 a kitchen visit at 10:40 and nothing after. */
  function outEachMorning(): ReturnType<typeof rig> {
    const r = rig('2026-01-01T00:00:00Z');
    const morning = (date: string): void => {
      r.ev('bed-pad', 'out', at(date, '07:30'));
      about(r, date, '07:30', 1, 175);
    };
    for (let d = 1; d <= 14; d++) {
      const date = day(d);
      morning(date);
      r.ev('hall-pir', true, at(date, '10:29'));
      r.ev('front-door', 'open', at(date, '10:30'));
      r.ev('front-door', 'closed', at(date, '10:30', 0.3));
      r.ev('front-door', 'open', at(date, '12:10'));
      r.ev('hall-pir', true, at(date, '12:10', 0.5));
      about(r, date, '12:10', 20, 600, 'lounge-pir');
      r.ev('bed-pad', 'in', at(date, '22:31'));
    }
    morning(day(15));
    r.ev('kitchen-pir', true, at(day(15), '10:40'));
    r.to(at(day(15), '16:00'));
    return r;
  }

  it('a daily outing of 1 h 40 min does not teach the model that an hour and a half without movement at home is usual', () => {
    const [a] = outEachMorning().of('inactivity', 'raise');
    expect(a).toBeDefined();
    expect(a!.cause.learned).toBe(true);
    // Their quiet at home never passes 20 min; the outings (not-home.ts drops a spell once they are out), kept as
    // spells, set the usual at 50 min (half weight, another place: seen with that exclusion removed).
    expect(a!.cause.usualMinutes as number).toBeLessThan(30);
    expect(a!.cause.thresholdMinutes as number).toBeLessThan(90);
  });
});
