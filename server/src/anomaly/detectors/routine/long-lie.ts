// Long lie: after a fall or call, no movement; or in the bathroom beyond the resident's usual.
import type { MonitoringPlan } from '../../../care/model.ts';
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration } from '../../local-time.ts';
import { signal } from '../emit.ts';
import { learnedNote, type RoutineState } from './state.ts';
import { MIN, T } from './tuning.ts';

/** The bathroom dwell threshold: the resident's usual longest visit learned, or the plan's. */
export function dwellThreshold(st: RoutineState, plan: MonitoringPlan) {
  if (st.daysLearned < T.learnAfterDays || st.normDwell === 0) return { minutes: st.plan.bathroomDwellMinutes, learned: false };
  // Learning mostly shortens the wait for residents whose visits are short; a resident whose usual
  // visits are long is given that usual plus a margin, beyond the plan's figure.
  const cap = Math.max(st.plan.bathroomDwellMinutes, st.normDwell * T.dwellCapFactor + T.dwellMarginMinutes);
  const m = Math.min(cap, Math.max(T.dwellFloorMinutes, st.normDwell * T.dwellFactor + T.dwellMarginMinutes));
  return { minutes: m, learned: true };
}

/** Long lie after a fall or a call: no movement since (raised even while the hub is offline). */
export function checkLongLieAfterFall(st: RoutineState, ctx: DetectorContext, now: number, late: boolean): void {
  // Long lie after a fall or a call: no movement since. The fall is known, so this one is raised
  // even while the hub is offline: no news after a fall is not good news.
  if (!Number.isNaN(st.fallCallAt) && st.longLieRaised === '' && now >= st.fallCallAt + st.plan.longLieMinutes * MIN) {
    st.longLieRaised = 'after-fall';
    signal(ctx, 'raise', 'long-lie', st.fallCallAt, late, {
      rule: `long-lie-after-${st.fallCallKind}`,
      summary: `No movement for ${fmtDuration(now - st.fallCallAt)} after the ${st.fallCallKind} at ${st.zone.hhmm(st.fallCallAt)}; the plan allows ${st.plan.longLieMinutes} min`,
      events: st.fallCallRef ? [refOf(st.fallCallRef)] : [],
      quietMinutes: Math.round((now - st.fallCallAt) / MIN),
      thresholdMinutes: st.plan.longLieMinutes,
      exceededByMinutes: Math.round((now - st.fallCallAt) / MIN - st.plan.longLieMinutes),
    });
  }
}

/** Long lie in the bathroom: there beyond the resident's usual. */
export function checkBathroomDwell(st: RoutineState, ctx: DetectorContext, now: number, late: boolean, away: boolean): void {
  // Long lie in the bathroom: there beyond the resident's usual.
  if (st.inBathroom && st.longLieRaised === '' && !away && !st.out) {
    const thr = dwellThreshold(st, st.plan);
    if (now >= st.bathEnteredAt + thr.minutes * MIN) {
      st.longLieRaised = 'bathroom';
      const usual = thr.learned ? `usual longest bathroom visit ${fmtDuration(st.normDwell * MIN)} (${learnedNote(st, true)}); threshold ${fmtDuration(thr.minutes * MIN)}` : `threshold ${fmtDuration(thr.minutes * MIN)} (${learnedNote(st, false)})`;
      signal(ctx, 'raise', 'long-lie', st.bathEnteredAt, late, {
        rule: 'bathroom-dwell',
        summary: `In the bathroom for ${fmtDuration(now - st.bathEnteredAt)} since ${st.zone.hhmm(st.bathEnteredAt)} with no movement elsewhere; ${usual}`,
        events: st.bathRef ? [refOf(st.bathRef)] : [],
        dwellMinutes: Math.round((now - st.bathEnteredAt) / MIN),
        usualMinutes: thr.learned ? st.normDwell : null,
        thresholdMinutes: Math.round(thr.minutes),
        exceededByMinutes: Math.round((now - st.bathEnteredAt) / MIN - (thr.learned ? st.normDwell : thr.minutes)),
        learned: thr.learned,
      });
    }
  }
}
