// Out of home and not home: a door closed with no movement after it; still out past the night window's start plus grace.
import type { MonitoringPlan } from '../../../care/model.ts';
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration, minutesOf } from '../../local-time.ts';
import { signal } from '../emit.ts';
import { isNight } from './day.ts';
import type { RoutineState } from './state.ts';
import { MIN } from './tuning.ts';

/** When "not home" is due for a resident out since `since`: the night window's start plus the grace. */
export function computeNotHomeAt(st: RoutineState, plan: MonitoringPlan, since: number): number {
  if (isNight(st, since)) return Infinity; // left in the night: the night-exit rule's case
  const d = st.zone.localDay(since);
  const ns = minutesOf(st.plan.nightStart);
  const start = ns > minutesOf(st.plan.nightEnd) ? st.zone.utcOf(d, ns) : st.zone.utcOf(d + 1, ns);
  return start + st.plan.notHomeGraceMinutes * MIN;
}

/** Out of home (a door closed and no movement followed), and not home by the night window plus grace. */
export function checkOutOfHome(st: RoutineState, ctx: DetectorContext, now: number, late: boolean, away: boolean): void {
  // Out of home: a door closed and no movement followed.
  if (!Number.isNaN(st.pendingOutAt) && now >= st.pendingOutAt + st.plan.outOfHomeMinutes * MIN) {
    st.out = true;
    st.outSince = st.pendingOutAt;
    st.pendingOutAt = NaN;
    st.spellExcluded = true;
    st.notHomeAt = computeNotHomeAt(st, st.plan, st.outSince);
  }
  if (st.out && !st.notHomeRaised && !away && now >= st.notHomeAt) {
    st.notHomeRaised = true;
    signal(ctx, 'raise', 'not-home', st.outSince, late, {
      rule: 'not-home',
      summary: `Out since ${st.zone.hhmm(st.outSince)} and not back ${fmtDuration(now - (st.notHomeAt - st.plan.notHomeGraceMinutes * MIN))} after the night window began (${st.plan.nightStart}); the plan allows ${st.plan.notHomeGraceMinutes} min`,
      events: st.lastActivityRef ? [refOf(st.lastActivityRef)] : [],
      outSince: new Date(st.outSince).toISOString(),
      graceMinutes: st.plan.notHomeGraceMinutes,
    });
  }
}
