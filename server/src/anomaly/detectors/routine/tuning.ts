// The routine rules' constants and knobs, in one place (docs/detection-rules.md explains each).
import { SENSOR_KINDS } from '../../../../../protocol/index.ts';
import type { CoreEvent } from '../../detector.ts';

export const MIN = 60_000;
/** Days of norms kept (quiet spells, bathroom dwell); norms are the longest seen in this window. */
export const WINDOW = 14;
/** Days of daily figures kept for routine change (recent week, a week's gap, then up to four weeks of baseline). */
export const HISTORY = 42;
/** Room slots per home: one per room with activity sensors, plus "in bed" and "in the chair". */
export const SLOTS = 16;
export const SLOT_BED = 0;
export const SLOT_CHAIR = 1;
/** A quiet gap longer than this starts a new run of activity. */
export const RUN_GAP_MS = 45 * 60_000;
/** A morning run that began up to this long before the night window's end counts as rising then. */
export const EARLY_RISING_MS = 3 * 3_600_000;
/** A chair spell longer than this is a pad that missed its "out", not time in the chair. */
export const CHAIR_MAX_MS = 6 * 3_600_000;
/** Bathroom events further apart than this are two visits (the night-visit count). */
export const BATH_VISIT_GAP_MS = 15 * 60_000;
/** "Not up" waits at least this long past the latest rising of the last fortnight. */
export const RISING_SLACK_MIN = 30;


/**
 * The knobs of the routine rules, in one place (docs/detection-rules.md explains each).
 * A learned norm is the longest value seen on any of the last 14 days; a threshold is
 * norm × factor + margin, never below the floor, never above the plan's ceiling.
 */
export const ROUTINE_TUNING = {
  /** Days with data before learned norms replace the plan's defaults. */
  learnAfterDays: 7,
  inactivityFactor: 1.4,
  inactivityMarginMinutes: 30,
  inactivityFloorMinutes: 60,
  /** Days of rising times before the learned (median) rising time replaces the plan's. */
  risingLearnDays: 5,
  /** Bathroom: threshold = usual × dwellFactor + margin (at least the floor), capped at the larger of the plan's dwell and usual × dwellCapFactor + margin. */
  dwellFactor: 3,
  dwellMarginMinutes: 10,
  dwellFloorMinutes: 30,
  dwellCapFactor: 1.25,
  /** After a late (buffered) event arrives, timer rules wait this long for the rest of the buffer. */
  settleMs: 30_000,
  /** Movement in the door's own room within this time of a night-time door opening is the resident leaving, not staying. */
  nightExitGraceMs: 60_000,
  /** Movement this soon after a fall or call is the fall itself, not the person getting up. */
  longLieGraceMs: 30_000,
  /** Routine change: the recent window (days, ending with the day just folded). */
  routineRecentDays: 7,
  /** Routine change: the baseline is up to this many days, ending `routineGapDays` before the recent window. */
  routineBaselineDays: 28,
  /** A week between baseline and recent window, so a slow decline is compared with how things were, not with its own start. */
  routineGapDays: 7,
  /** Fewer valid baseline days than this (beyond the gap): the gap is dropped; fewer still, no check. */
  routineBaselineMinDays: 10,
  /** Weight, in days, of the typical spread against the resident's own (MAD) spread. */
  routineSpreadPriorDays: 10,
  /** Share of days trimmed off each end before averaging (one bad night or a day out in a week moves nothing). */
  routineTrim: 0.15,
  /** A figure counts as moved (and is named in the cause) at this many standard errors of the difference. */
  routineZFigure: 1.5,
  /** Each figure's shift is clipped to ± this before combining, so one figure alone cannot carry the rest. */
  routineZClip: 4,
  /**
   * Changed when the figures' combined shift (sum of the clipped shifts over √number of figures:
   * two moderate shifts the same way count, a shift the other way offsets) reaches this, with at
   * least one figure moved; or when one figure alone has moved by `routineZSingle`.
   */
  routineZCombined: 3.15,
  routineZSingle: 4.5,
  /** Days in a row the change must hold before it is raised, and be gone before it is cleared. */
  routineDaysInRow: 3,
  /** Cleared when the combined shift against the baseline frozen at the raise is below this. */
  routineZClear: 1,
} as const;

/** The knobs, short. */
export const T = ROUTINE_TUNING;

// Which kinds are activity, read once (an imported re-export is a getter call per use).
const ACTIVITY = new Set(Object.entries(SENSOR_KINDS as Record<string, { activity: boolean }>).filter(([, k]) => k.activity).map(([t]) => t));

/** Whether an event is activity (a PIR clearing is not). */
export function isActivity(e: CoreEvent): boolean {
  if (!ACTIVITY.has(e.type)) return false;
  // A PIR clearing is the end of movement, not movement.
  return !(e.type === 'motion' && e.value !== true);
}

/** The median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** The mean of numbers. */
export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Minutes of the day as HH:MM. */
export function hhmmOf(minutes: number): string {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
