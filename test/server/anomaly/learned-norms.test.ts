// The learned norms on their own: the learned night (night.ts) and the quiet-spell model's budget (quiet.ts),
// fed directly through a RoutineState, without the core.
import { describe, expect, it } from 'vitest';
import { learnNight, NIGHT_DAYS, QUARTERS } from '../../../server/src/anomaly/detectors/routine/night.ts';
import { calibrate, keepSpell, quietThreshold, SPELL_DAYS, usualQuiet } from '../../../server/src/anomaly/detectors/routine/quiet.ts';
import { RoutineState } from '../../../server/src/anomaly/detectors/routine/state.ts';
import { HISTORY } from '../../../server/src/anomaly/detectors/routine/tuning.ts';
import { planWithDefaults } from '../../../server/src/care/model.ts';
import { makeHome } from './harness.ts';

const D = 20_000; // a day number

/** A state whose last 14 days were valid, each up and about from `up` to `down` (minutes of the day). */
function nightState(up: number, down: number): RoutineState {
  const st = new RoutineState(makeHome({ timezone: 'UTC' }));
  for (let i = 1; i <= NIGHT_DAYS; i++) {
    const d = D - i;
    st.validRing[((d % HISTORY) + HISTORY) % HISTORY] = 1;
    const row = ((d % NIGHT_DAYS) + NIGHT_DAYS) % NIGHT_DAYS;
    for (let q = 0; q < QUARTERS; q++) if (q * 15 >= up && q * 15 < down) st.awakeRing[row * QUARTERS + q] = 1;
  }
  return st;
}

describe('the learned night', () => {
  const plan = planWithDefaults({}); // 23:00 to 07:00

  it('an early riser (up 05:45 to 21:30) gets a night of 21:30 to 05:45', () => {
    expect(learnNight(nightState(5 * 60 + 45, 21 * 60 + 30), D, plan)).toMatchObject({ start: 21 * 60 + 30, end: 5 * 60 + 45, learned: true });
  });

  it('stays within 3 h of the plan: up 03:00 to 19:00 is taken as 20:00 to 04:00', () => {
    expect(learnNight(nightState(3 * 60, 19 * 60), D, plan)).toMatchObject({ start: 20 * 60, end: 4 * 60, learned: true });
  });

  it('falls back to the plan with too few days, or with no night at all (two people up at all hours)', () => {
    const few = new RoutineState(makeHome({ timezone: 'UTC' }));
    expect(learnNight(few, D, plan)).toMatchObject({ start: 23 * 60, end: 7 * 60, learned: false });
    expect(learnNight(nightState(0, 1440), D, plan)).toMatchObject({ start: 23 * 60, end: 7 * 60, learned: false });
  });
});

describe('the quiet-spell model and its budget', () => {
  /** A state with 28 days of spells: each day a 40-min spell at 10:00, one day a 150-min spell at 10:00. */
  function spells(odd: number): RoutineState {
    const st = new RoutineState(makeHome({ timezone: 'UTC' }));
    for (let i = 1; i <= SPELL_DAYS; i++) {
      st.day = D - i;
      st.dayStart = -Infinity;
      const t = Date.UTC(2026, 0, 1, 10, 0);
      keepSpell(st, t, i === 5 ? odd : 40, 3, true);
    }
    st.day = D;
    return st;
  }

  it('the usual is the second longest day (one odd day does not set it), weighted by start time', () => {
    const st = spells(150);
    expect(usualQuiet(st, 600, 3, false, false, D - SPELL_DAYS, D)).toBe(40);
    expect(usualQuiet(st, 600, 3, false, false, D - SPELL_DAYS, D, NaN, true, 0)).toBe(150);
    // Two hours later the same spells weigh less; four hours later not at all.
    expect(usualQuiet(st, 720, 3, false, false, D - SPELL_DAYS, D)).toBeLessThan(40);
    expect(usualQuiet(st, 840, 3, false, false, D - SPELL_DAYS, D)).toBe(0);
  });

  it('the budget picks the scale: with a loose budget the odd day is allowed for, with 0.1 a month it is covered', () => {
    const st = spells(150);
    calibrate(st, planWithDefaults({ falseAlarmBudgetPerMonth: 30 }), D);
    const loose = st.quietScale;
    calibrate(st, planWithDefaults({ falseAlarmBudgetPerMonth: 0.1 }), D);
    const strict = st.quietScale;
    expect(loose).toBeCloseTo(1, 3);
    expect(strict).toBeGreaterThan(loose);
    const thr = quietThreshold(st, planWithDefaults({}), Date.UTC(2026, 0, 1, 10, 0), 3, true);
    expect(thr.learned).toBe(true);
    expect(thr.minutes).toBeLessThanOrEqual(240);
    expect(thr.minutes).toBeGreaterThanOrEqual(45);
  });

  it('spells as long as the ceiling (an outage, an absence) are not kept', () => {
    const st = new RoutineState(makeHome({ timezone: 'UTC' }));
    st.day = D;
    keepSpell(st, Date.UTC(2026, 0, 1, 10, 0), 240, 3, true);
    keepSpell(st, Date.UTC(2026, 0, 1, 10, 0), 5, 3, true);
    expect(st.spellHead).toBe(0);
  });
});
