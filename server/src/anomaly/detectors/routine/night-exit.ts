// Night exit: an exterior door opened in the night window and no movement inside since.
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration, minutesOf } from '../../local-time.ts';
import { signal } from '../emit.ts';
import type { RoutineState } from './state.ts';
import { hhmmOf, MIN } from './tuning.ts';

/** The knobs of the night exit (docs/detection-rules.md). */
export const NIGHT_EXIT_TUNING = {
  /** A door opened at most this long before the night's end... */
  upForTheDayWithinMinutes: 120,
  /** ...after a run of activity that has lasted this long is a resident up for the day: an early departure. */
  upForTheDayMinutes: 30,
} as const;

/**
 * When a night exit through the door at `t` is due: the plan's wait after it. For a resident already
 * up for the day (about the home outside the bed, the bedroom and the bathroom for half an hour or
 * more without a break, in the last two hours of the night), leaving before the night is over is an
 * early departure (not a wanderer straight from bed to the door):
 * it waits until the night's end plus the plan's wait, and is raised then if they are not back.
 */
export function nightExitDue(st: RoutineState, t: number): number {
  const wait = st.plan.nightExitMinutes * MIN;
  const m = st.zone.localMinute(t);
  // The night (for an exit) ends at the earlier of the plan's end and the resident's own.
  const endMin = Math.min(st.neMin, minutesOf(st.plan.nightEnd));
  if (m >= endMin) return t + wait; // the evening part of the night: no morning run yet
  const end = st.zone.utcOf(st.zone.localDay(t), endMin);
  const up = t >= end - NIGHT_EXIT_TUNING.upForTheDayWithinMinutes * MIN && t - st.aboutSince >= NIGHT_EXIT_TUNING.upForTheDayMinutes * MIN;
  return up ? Math.max(t + wait, end + wait) : t + wait;
}

/** When the pending night exit is due (a snapshot from before the due time was kept: the plan's wait). */
export function nightExitDueAt(st: RoutineState): number {
  return Number.isNaN(st.nightExitDueAt) ? st.nightExitAt + st.plan.nightExitMinutes * MIN : st.nightExitDueAt;
}

/** Night exit: an exterior door opened in the night and no movement inside since. */
export function checkNightExit(st: RoutineState, ctx: DetectorContext, now: number, late: boolean): void {
  if (!Number.isNaN(st.nightExitAt) && !st.nightExitRaised && now >= nightExitDueAt(st)) {
    st.nightExitRaised = true;
    const early = nightExitDueAt(st) > st.nightExitAt + st.plan.nightExitMinutes * MIN;
    signal(ctx, 'raise', 'night-exit', st.nightExitAt, late, {
      rule: 'night-exit',
      summary: `Exterior door opened at ${st.zone.hhmm(st.nightExitAt)} in the night (the plan's ${st.plan.nightStart} to ${st.plan.nightEnd}${st.nightLearned ? `, the resident's own ${hhmmOf(st.nsMin)} to ${hhmmOf(st.neMin)}` : ''}) and no movement inside for ${fmtDuration(now - st.nightExitAt)}; ${early ? `they had been up and about since ${st.zone.hhmm(st.aboutSince)}, so it waited for the night's end plus the plan's ${st.plan.nightExitMinutes} min` : `the plan allows ${st.plan.nightExitMinutes} min`}`,
      events: st.nightExitRef ? [refOf(st.nightExitRef)] : [],
      quietMinutes: Math.round((now - st.nightExitAt) / MIN),
      thresholdMinutes: Math.round((nightExitDueAt(st) - st.nightExitAt) / MIN),
      upForTheDay: early,
    });
  }
}
