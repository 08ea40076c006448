// Inactivity as a model with a budget (after Cuddihy et al. 2007): the resident's own quiet spells
// (start time, place, length) over the last four weeks. How long quiet usually lasts for a spell that
// began at minute s in place r is the longest of their spells, each weighted by how close its start
// was to s (a smooth kernel: full weight within 30 min, none beyond 3 h; no steps at the hour) and by
// whether it began in the same place (the room of the last event and what its sensor says: a PIR seeing
// them there, or a touch; what followed it before says where they usually go from there). The threshold is that usual × a scale + a
// margin, between the floor and the plan's ceiling; the scale is the smallest that, judged day by day
// against the other days (leave one day out), would have raised at most the plan's false-alarm budget
// on that history, read off an exponential tail fitted to the largest needs when the budget allows
// fewer than a handful (so it is not capped at the largest spell seen: a one-in-two-months quiet is
// still likely in the month to come).
import type { MonitoringPlan } from '../../../care/model.ts';
import { roomMask, type RoutineState } from './state.ts';

/**
 * How the plan's false-alarm budget is shared: inactivity may spend half of it on the resident's own
 * history, the bathroom's long lie a quarter (on recorded homes its alarms bought little delay that
 * inactivity had not already: docs/detection.md), and the rules without a model (not up, night exit,
 * not home) are left the last quarter.
 */
export const BUDGET_SHARES = { inactivity: 0.5, bathroom: 0.25 } as const;

/** Quiet spells kept (a ring). */
export const SPELLS = 2048;
/** Days of spells the model reads (eight weeks: a one-in-a-month quiet is seen about twice). */
export const SPELL_DAYS = 56;

/** The knobs of the model (docs/detection-rules.md). */
export const QUIET_TUNING = {
  /** Spells shorter than this are not kept (they never bear on a threshold). */
  minSpellMinutes: 10,
  /** Full weight for spells that began within this many minutes of the current one's start... */
  kernelFlatMinutes: 30,
  /** ...falling smoothly to none this many minutes beyond that. */
  kernelFallMinutes: 150,
  /** Weight of a spell that began in another place (half: the place matters, but a place seldom quiet borrows from the others). */
  otherPlaceWeight: 0.5,
  /** Threshold = usual × scale + margin. */
  marginMinutes: 20,
  floorMinutes: 45,
  /** The scale's range; the budget picks it within. */
  scaleMin: 1,
  scaleMax: 3,
  /** The bathroom's: its usual quiet is short (people move on), so its scale may go further. */
  bathScaleMax: 8,
  bathFloorMinutes: 30,
  /**
   * Days with spells before the model replaces the ceiling. With few days the budget holds the scale
   * at its most cautious, so four days' norm × 3 already beats a 4 h blanket for a new resident's
   * first week (docs/detection-rules.md: seven cost a week-one collapse 4 h).
   */
  learnAfterDays: 4,
  /** The usual is the second longest day's spell (1), or the longest (0). */
  rank: 1,
  /** The budget's scale is read off an exponential tail fitted to this many of the largest needed scales... */
  tailSpells: 15,
  /** ...whose spread (mean excess, in scale units) is at least this. */
  tailMinSpread: 0.05,
} as const;

const Q = QUIET_TUNING;

// A spell's start minute (11 bits), place (4 bits: its slot, 15 for unknown) and "began in the night" (1 bit), in one number.
const START_MASK = 0x7ff;
const NIGHT_BIT = 0x8000;
const packWhere = (start: number, slot: number, waking: boolean): number => (start & START_MASK) | ((slot < 0 ? 15 : Math.min(15, slot)) << 11) | (waking ? 0 : NIGHT_BIT);
const slotOf = (wh: number): number => (wh >> 11) & 0xf;

/** The weight of a spell that began `d` minutes (on the circle of the day) from the current one. */
export function kernel(d: number): number {
  let x = Math.abs(d) % 1440;
  if (x > 720) x = 1440 - x;
  if (x <= Q.kernelFlatMinutes) return 1;
  const u = (x - Q.kernelFlatMinutes) / Q.kernelFallMinutes;
  return u >= 1 ? 0 : 1 - u * u * (3 - 2 * u);
}

// The kernel by whole minutes apart, -1439 to 1439 (start minutes are whole): the model reads tens of
// spells per event, and a table lookup is a fraction of the arithmetic.
const KERNEL = Float64Array.from({ length: 2879 }, (_, i) => kernel(i - 1439));

/** Keep a quiet spell that began at sensor time `from` in `slot` and lasted `minutes`, on day `day`; only waking-hours spells count for inactivity. */
export function keepSpell(st: RoutineState, from: number, minutes: number, slot: number, waking: boolean): void {
  if (minutes >= st.plan.inactivityCeilingMinutes) return; // beyond the ceiling: an outage or an absence, not a norm
  if (minutes < Q.minSpellMinutes) return; // short spells never bear on a threshold
  const i = st.spellHead % SPELLS;
  st.spellDay[i] = from >= st.dayStart ? st.day : st.zone.localDay(from);
  st.spellLen[i] = Math.min(65_535, Math.round(minutes));
  st.spellWhere[i] = packWhere(st.zone.localMinute(from), slot, waking);
  st.spellHead = (st.spellHead + 1) % (SPELLS * 1000);
}

/** Per-day longest weighted quiet, reused (one model runs at a time). */
const dayMax = new Float64Array(SPELL_DAYS + 2);

/**
 * The usual longest quiet (minutes) for a spell starting at minute `start` in `slot` (-1: unknown): each
 * day's longest weighted spell, from days in [fromDay, toDay) other than `skipDay`; the `rank`-th longest
 * of those days (0: the longest; 1: the second, so one odd day does not set the norm for a month).
 */
export function usualQuiet(st: RoutineState, start: number, slot: number, samePlaceOnly: boolean, anyPlace: boolean, fromDay: number, toDay: number, skipDay = NaN, waking = true, rank: number = QUIET_TUNING.rank, sameMask = 0): number {
  const span = Math.min(dayMax.length, toDay - fromDay);
  dayMax.fill(0, 0, span);
  const n = Math.min(SPELLS, st.spellHead);
  // The rings as locals, and the kernel first: most spells began hours away and weigh nothing.
  const days = st.spellDay;
  const where = st.spellWhere;
  const lens = st.spellLen;
  const end = Math.min(toDay, fromDay + span);
  for (let i = 0; i < n; i++) {
    const d = days[i]!;
    if (d < fromDay || d >= end || d === skipDay) continue;
    const wh = where[i]!;
    if (waking && wh & NIGHT_BIT) continue;
    const k = KERNEL[start - (wh & START_MASK) + 1439]!;
    if (k === 0) continue;
    // The same place: the slot itself, or any slot of `sameMask` (a room's every kind of evidence).
    const same = sameMask ? ((sameMask >>> slotOf(wh)) & 1) === 1 : slotOf(wh) === slot;
    if (samePlaceOnly && !same) continue;
    const v = lens[i]! * (same || anyPlace ? k : k * Q.otherPlaceWeight);
    if (v > dayMax[d - fromDay]!) dayMax[d - fromDay] = v;
  }
  let a = 0;
  let b = 0;
  for (let k = 0; k < span; k++) {
    const v = dayMax[k]!;
    if (v > a) {
      b = a;
      a = v;
    } else if (v > b) b = v;
  }
  return rank < 1 ? a : b;
}

/** Days with spells in the model's window ending before `day`. */
function spellDays(st: RoutineState, day: number): Set<number> {
  const days = new Set<number>();
  const n = Math.min(SPELLS, st.spellHead);
  for (let i = 0; i < n; i++) {
    const d = st.spellDay[i]!;
    if (d >= day - SPELL_DAYS && d < day) days.add(d);
  }
  return days;
}

/**
 * Once a day: the scale the budget allows. For each waking-hours spell, the scale at which it would
 * have raised (against the other days' spells); the threshold may let through at most
 * budget × days / 30 of them, so the scale is the next one up.
 */
export function calibrate(st: RoutineState, plan: MonitoringPlan, day: number): void {
  const days = spellDays(st, day);
  st.quietDays = days.size;
  if (days.size < Q.learnAfterDays) {
    st.quietScale = Q.scaleMax;
    return;
  }
  const needs: number[] = [];
  const n = Math.min(SPELLS, st.spellHead);
  for (let i = 0; i < n; i++) {
    const d = st.spellDay[i]!;
    const wh = st.spellWhere[i]!;
    if (d < day - SPELL_DAYS || d >= day || wh & NIGHT_BIT) continue;
    const len = st.spellLen[i]!;
    if (len <= Q.floorMinutes) continue; // under the floor: never raised
    const usual = usualQuiet(st, wh & START_MASK, slotOf(wh), false, false, day - SPELL_DAYS, day, d);
    needs.push(usual > 0 ? (len - Q.marginMinutes) / usual : Infinity);
  }
  // Each rule (inactivity, the bathroom's long lie) may spend its share of the plan's budget on the resident's own history.
  const allowed = (plan.falseAlarmBudgetPerMonth * days.size) / 30;
  st.quietScale = scaleFor(needs, allowed * BUDGET_SHARES.inactivity, Q.scaleMax);
  // The bathroom: the quiet after a bathroom event, any hour, against the same place's spells only.
  const bath = st.bathRef ? roomMask(st, st.bathRef.sensorInfo?.room ?? '') : 0;
  const bathNeeds: number[] = [];
  for (let i = 0; bath !== 0 && i < n; i++) {
    const d = st.spellDay[i]!;
    const wh = st.spellWhere[i]!;
    if (d < day - SPELL_DAYS || d >= day || ((bath >>> slotOf(wh)) & 1) === 0) continue;
    const len = st.spellLen[i]!;
    if (len <= Q.bathFloorMinutes) continue;
    const usual = usualQuiet(st, wh & START_MASK, slotOf(wh), true, false, day - SPELL_DAYS, day, d, false, Q.rank, bath);
    bathNeeds.push(usual > 0 ? (len - Q.marginMinutes) / usual : Infinity);
  }
  st.bathScale = scaleFor(bathNeeds, allowed * BUDGET_SHARES.bathroom, Q.bathScaleMax);
}

/**
 * The smallest scale (within range) that lets at most `allowed` of the needed scales through. A spell no
 * scale could have stopped (no usual to scale) spends the allowance first. While the allowance is under
 * the tail's size, the count of needs above a scale s is read off an exponential tail fitted to the
 * largest `tailSpells` (peaks over a threshold: k × exp(−(s − u) / σ), u the k-th largest, σ their mean
 * excess), so a strict budget may set the scale beyond the largest spell seen; otherwise, the needs
 * themselves (fractional allowances interpolate between them, so the budget is a smooth setting).
 */
export function scaleFor(needs: number[], allowed: number, max: number): number {
  needs.sort((a, b) => b - a);
  let inf = 0;
  while (inf < needs.length && !Number.isFinite(needs[inf]!)) inf++;
  const left = allowed - inf;
  if (inf > 0 && left <= 0) return max;
  const tail = Math.min(Q.tailSpells, needs.length - inf);
  if (tail >= 3 && left < tail) {
    const u = needs[inf + tail - 1]!;
    let excess = 0;
    for (let i = inf; i < inf + tail - 1; i++) excess += needs[i]! - u;
    const sigma = Math.max(Q.tailMinSpread, excess / (tail - 1));
    return Math.max(Q.scaleMin, Math.min(max, u + sigma * Math.log(tail / Math.max(left, 1e-3))));
  }
  // A fractional allowance moves the scale part of the way to the next spell's (so the budget is a smooth setting).
  const k = Math.floor(allowed);
  const lo = Math.min(max, needs[k] ?? Q.scaleMin);
  const hi = Math.min(max, needs[k + 1] ?? Q.scaleMin);
  const need = lo - (allowed - k) * (lo - hi);
  return Math.max(Q.scaleMin, Math.min(max, need * 1.0001));
}

/** The inactivity threshold for the current spell, with the figures behind it. */
export function quietThreshold(st: RoutineState, plan: MonitoringPlan, from: number, slot: number, _presence?: boolean): { minutes: number; usual: number; scale: number; learned: boolean; ceiling: number; days: number } {
  const ceiling = plan.inactivityCeilingMinutes;
  if (st.quietDays < Q.learnAfterDays) return { minutes: ceiling, usual: 0, scale: st.quietScale, learned: false, ceiling, days: st.quietDays };
  // A touch says only that they were there then; the spells that followed touches there before say where they went next.
  const usual = usualQuiet(st, st.zone.localMinute(from), slot, false, false, st.day - SPELL_DAYS, st.day + 1);
  const minutes = Math.min(ceiling, Math.max(Q.floorMinutes, usual * st.quietScale + Q.marginMinutes));
  return { minutes, usual, scale: st.quietScale, learned: true, ceiling, days: st.quietDays };
}
