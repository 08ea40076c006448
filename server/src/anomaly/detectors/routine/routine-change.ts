// Routine change: the resident's daily figures over the recent week against their own baseline.
import type { DetectorContext } from '../../detector.ts';
import { fmtDuration } from '../../local-time.ts';
import { signal } from '../emit.ts';
import type { RoutineState } from './state.ts';
import { HISTORY, hhmmOf, mean, median, MIN, T } from './tuning.ts';

/**
 * The daily figures routine change watches (in this order in `checkRoutine`), with the direction
 * that is a worry and a typical daily spread (absolute, or relative to the level). A resident's
 * own spread (MAD) is drawn toward it (`routineSpreadPriorDays`): a few weeks' MAD alone is too
 * noisy, and a resident whose figure never varied would look changed by any one-off. Night visits
 * are a count, and use their standard deviation, at least a Poisson count's, instead.
 */
export const FIGURES = [
  { key: 'nightVisits', worse: 1, prior: 0, priorRel: 0 },
  { key: 'activity', worse: -1, prior: 10, priorRel: 0.11 },
  { key: 'rising', worse: 1, prior: 28, priorRel: 0 },
  { key: 'chair', worse: 1, prior: 30, priorRel: 0.18 },
] as const;

/** A figure's level (trimmed mean), robust spread (MAD × 1.4826), standard deviation, usual range (10th to 90th percentile) and count. */
export interface Robust {
  level: number;
  mad: number;
  sd: number;
  lo: number;
  hi: number;
  n: number;
}

/** A figure's robust summary. */
export function robust(xs: number[], trim: number): Robust {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const k = n >= 5 ? Math.max(1, Math.floor(n * trim)) : 0;
  const level = mean(s.slice(k, n - k));
  const med = median(s);
  const mad = 1.4826 * median(s.map((x) => Math.abs(x - med)));
  const m = mean(s);
  const sd = Math.sqrt(s.reduce((a, x) => a + (x - m) * (x - m), 0) / Math.max(1, n - 1));
  return { level, mad, sd, lo: s[Math.floor(0.1 * (n - 1))]!, hi: s[Math.ceil(0.9 * (n - 1))]!, n };
}

/** One figure's values on the given ring slots (rising: only days with a rising time). */
export function figureValues(st: RoutineState, f: number, slots: number[]): number[] {
  const out: number[] = [];
  for (const i of slots) {
    if (f === 0) out.push(st.nightRing[i]!);
    else if (f === 1) out.push(st.activityRing[i]!);
    else if (f === 2) {
      if (st.risingRing[i]! >= 0) out.push(st.risingRing[i]!);
    } else out.push(st.chairRing[i]!);
  }
  return out;
}

/** A figure's wording in a cause: recent level against the baseline's level and usual range. */
export function describeFigure(st: RoutineState, f: number, r: Robust, b: Robust): string {
  if (f === 0) return `night-time bathroom visits up to ${r.level.toFixed(1)} a night from ${b.level.toFixed(1)} (usual range ${b.lo} to ${b.hi})`;
  if (f === 1) return `daily activity down to ${Math.round((100 * r.level) / Math.max(1, b.level))}% of usual (${Math.round(r.level)} sensor events a day, usually ${Math.round(b.level)}, range ${b.lo} to ${b.hi})`;
  if (f === 2) return `rising later: ${hhmmOf(r.level)} lately against ${hhmmOf(b.level)} before (usual range ${hhmmOf(b.lo)} to ${hhmmOf(b.hi)})`;
  return `longer in the chair: ${fmtDuration(r.level * MIN)} a day against ${fmtDuration(b.level * MIN)} before (usual range ${fmtDuration(b.lo * MIN)} to ${fmtDuration(b.hi * MIN)})`;
}

/**
* Routine change, once a day at the fold: each figure's recent week (trimmed mean) against
* the resident's own baseline (trimmed mean, spread from the MAD) a week earlier, as a
* shift in standard errors. One figure far out, or two or more moderately out the same
* (worrying) way, for `routineDaysInRow` days in a row, raises; the baseline is then
* frozen, and the alert cleared once every figure is back near it for as many days.
*/
export function checkRoutine(st: RoutineState, ctx: DetectorContext, now: number): void {
  const recent: number[] = [];
  const near: number[] = [];
  const far: number[] = [];
  const R = T.routineRecentDays;
  const gapEnd = R + T.routineGapDays;
  for (let i = 0; i < Math.min(HISTORY, gapEnd + T.routineBaselineDays); i++) {
    const idx = (((st.day - i) % HISTORY) + HISTORY) % HISTORY;
    if (!st.validRing[idx]) continue;
    if (i < R) recent.push(idx);
    else if (i < gapEnd) near.push(idx);
    else far.push(idx);
  }
  // Early on (a new home), the baseline starts right after the recent week.
  const base = far.length >= T.routineBaselineMinDays ? far : [...near, ...far].slice(0, T.routineBaselineDays);
  if (recent.length < R - 1 || base.length < T.routineBaselineMinDays) return;
  const z = new Float64Array(FIGURES.length).fill(NaN);
  const shift = new Float64Array(FIGURES.length);
  const stats: ({ r: Robust; b: Robust; spread: number } | null)[] = [];
  for (let f = 0; f < FIGURES.length; f++) {
    const fig = FIGURES[f]!;
    const rv = figureValues(st, f, recent);
    const bv = figureValues(st, f, base);
    // Too few days of the figure, or a chair never sat in (no chair pad): the figure is left out.
    if (rv.length < Math.min(5, R - 1) || bv.length < Math.min(5, T.routineBaselineMinDays) || (f === 3 && !st.routineRaised && bv.every((v) => v === 0))) {
      stats.push(null);
      continue;
    }
    const r = robust(rv, T.routineTrim);
    let b = r;
    let spread: number;
    let nb: number;
    if (st.routineRaised) {
      // Judged against the routine as it was when the change was raised, not a baseline the change has since entered.
      b = { level: st.routineFrozen[f * 3]!, lo: NaN, hi: NaN, mad: 0, sd: 0, n: st.routineFrozen[f * 3 + 2]! };
      spread = st.routineFrozen[f * 3 + 1]!;
      nb = b.n;
      if (Number.isNaN(spread)) {
        stats.push(null);
        continue;
      }
    } else {
      b = robust(bv, T.routineTrim);
      if (f === 0) {
        // A count (night visits, mostly 0, 1 or 2): the MAD jumps between 0 and 1.5 as the median
        // crosses a whole number, so its spread is the standard deviation, and at least a Poisson count's.
        spread = Math.max(Math.sqrt(Math.max(b.level, 0.25)), b.sd);
      } else {
        const prior = Math.max(fig.prior, fig.priorRel * Math.abs(b.level));
        const k = T.routineSpreadPriorDays;
        spread = Math.max(0.5 * prior, Math.sqrt((b.n * b.mad * b.mad + k * prior * prior) / (b.n + k)));
      }
      nb = b.n;
    }
    stats.push({ r, b, spread });
    shift[f] = (fig.worse * (r.level - b.level)) / spread;
    z[f] = shift[f]! / Math.sqrt(1 / r.n + 1 / nb);
  }

  // Combined shift in the worrying direction; figures without data are left out.
  let sum = 0;
  let m = 0;
  let mask = 0;
  for (let f = 0; f < FIGURES.length; f++) {
    const zf = z[f]!;
    if (Number.isNaN(zf)) continue;
    sum += Math.max(-T.routineZClip, Math.min(T.routineZClip, zf));
    m++;
    if (zf >= T.routineZFigure) mask |= 1 << f;
  }
  const combined = m >= 2 ? sum / Math.sqrt(m) : 0;

  if (st.routineRaised) {
    st.routineClearStreak = combined < T.routineZClear ? st.routineClearStreak + 1 : 0;
    if (st.routineClearStreak >= T.routineDaysInRow) {
      st.routineRaised = 0;
      st.routineClearStreak = 0;
      st.routineStreak = 0;
      st.routineFrozen.fill(NaN);
      signal(ctx, 'clear', 'routine-change', now, false, {
        rule: 'routine-back-to-usual',
        summary: `Routine back within its usual range for ${T.routineDaysInRow} days in a row`,
        events: [],
      });
    }
    return;
  }

  let single = false;
  for (let f = 0; f < FIGURES.length; f++) if (z[f]! >= T.routineZSingle) single = true;
  st.routineStreak = (combined >= T.routineZCombined && mask !== 0) || single ? st.routineStreak + 1 : 0;
  if (st.routineStreak < T.routineDaysInRow) return;

  st.routineRaised = mask;
  st.routineClearStreak = 0;
  st.routineFrozen.fill(NaN);
  const findings: [number, string][] = [];
  const detail: Record<string, unknown> = {};
  for (let f = 0; f < FIGURES.length; f++) {
    const sf = stats[f];
    if (!sf) continue;
    st.routineFrozen[f * 3] = sf.b.level;
    st.routineFrozen[f * 3 + 1] = sf.spread;
    st.routineFrozen[f * 3 + 2] = sf.b.n;
    if (!(mask & (1 << f))) continue;
    findings.push([z[f]!, describeFigure(st, f, sf.r, sf.b)]);
    detail[FIGURES[f]!.key] = {
      recent: +sf.r.level.toFixed(2),
      baseline: +sf.b.level.toFixed(2),
      usualLow: sf.b.lo,
      usualHigh: sf.b.hi,
      spread: +sf.spread.toFixed(2),
      shiftInStandardErrors: +z[f]!.toFixed(1),
    };
  }
  const gap = base === far && near.length > 0 ? `, ending ${T.routineGapDays} days before them` : '';
  signal(ctx, 'raise', 'routine-change', st.zone.utcOf(st.day - R + 1, 0), false, {
    rule: 'routine-change',
    summary: `Routine changed over the last ${recent.length} days against the ${base.length} days before${gap}, for ${st.routineStreak} days in a row: ${findings
      .sort((x, y) => y[0] - x[0])
      .map(([, text]) => text)
      .join('; ')}`,
    events: [],
    ...detail,
    recentDays: recent.length,
    baselineDays: base.length,
    daysInRow: st.routineStreak,
  });
}
