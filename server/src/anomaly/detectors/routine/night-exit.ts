// Night exit: an exterior door opened in the night window and no movement inside since.
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration } from '../../local-time.ts';
import { signal } from '../emit.ts';
import type { RoutineState } from './state.ts';
import { hhmmOf, MIN } from './tuning.ts';

/** Night exit: an exterior door opened in the night and no movement inside since. */
export function checkNightExit(st: RoutineState, ctx: DetectorContext, now: number, late: boolean): void {
  // Night exit: an exterior door opened in the night and no movement inside since.
  if (!Number.isNaN(st.nightExitAt) && !st.nightExitRaised && now >= st.nightExitAt + st.plan.nightExitMinutes * MIN) {
    st.nightExitRaised = true;
    signal(ctx, 'raise', 'night-exit', st.nightExitAt, late, {
      rule: 'night-exit',
      summary: `Exterior door opened at ${st.zone.hhmm(st.nightExitAt)} in the night (the plan's ${st.plan.nightStart} to ${st.plan.nightEnd}${st.nightLearned ? `, the resident's own ${hhmmOf(st.nsMin)} to ${hhmmOf(st.neMin)}` : ''}) and no movement inside for ${fmtDuration(now - st.nightExitAt)}; the plan allows ${st.plan.nightExitMinutes} min`,
      events: st.nightExitRef ? [refOf(st.nightExitRef)] : [],
      quietMinutes: Math.round((now - st.nightExitAt) / MIN),
      thresholdMinutes: st.plan.nightExitMinutes,
    });
  }
}
