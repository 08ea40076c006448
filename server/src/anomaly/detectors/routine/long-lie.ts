// Long lie: after a fall or call, no movement; or in the bathroom beyond the resident's usual.
import type { MonitoringPlan } from '../../../care/model.ts';
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration } from '../../local-time.ts';
import { signal } from '../emit.ts';
import { learnedNote, roomMask, type RoutineState } from './state.ts';
import { QUIET_TUNING, SPELL_DAYS, usualQuiet } from './quiet.ts';
import { MIN, T } from './tuning.ts';

/**
 * The bathroom threshold: how long quiet may last after the last bathroom event while nothing has
 * moved elsewhere. Learned (quiet.ts) from the quiet that followed the resident's own bathroom events
 * at about that time of day, any hour, scaled by the budget's scale; before that, the plan's figure.
 */
export function dwellThreshold(st: RoutineState, plan: MonitoringPlan): { minutes: number; usual: number; learned: boolean } {
  if (st.quietDays < QUIET_TUNING.learnAfterDays) return { minutes: plan.bathroomDwellMinutes, usual: 0, learned: false };
  const k = st.bathKey;
  if (k[0] !== st.lastActivity || k[1] !== st.bathScale || k[2] !== st.spellHead || k[3] !== st.day) {
    k[0] = st.lastActivity;
    k[1] = st.bathScale;
    k[2] = st.spellHead;
    k[3] = st.day;
    // Spells after any bathroom event (its PIR, its tap or flush) are the bathroom's.
    const usual = usualQuiet(st, st.zone.localMinute(st.lastActivity), st.lastSlot, true, false, st.day - SPELL_DAYS, st.day + 1, NaN, false, QUIET_TUNING.rank, roomMask(st, st.bathRef?.sensorInfo?.room ?? ''));
    st.bathMinutes = usual > 0 ? Math.min(plan.inactivityCeilingMinutes, Math.max(T.dwellFloorMinutes, usual * st.bathScale + QUIET_TUNING.marginMinutes)) : plan.bathroomDwellMinutes;
    st.bathUsual = usual;
  }
  return { minutes: st.bathMinutes, usual: st.bathUsual, learned: st.bathUsual > 0 };
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

/** Long lie in the bathroom: a PIR saw them there, nothing has moved elsewhere since, and the quiet since is beyond the usual. */
export function checkBathroomDwell(st: RoutineState, ctx: DetectorContext, now: number, late: boolean, away: boolean): void {
  if (!st.inBathroom || st.longLieRaised !== '' || away || st.out) return;
  const thr = dwellThreshold(st, st.plan);
  const quiet = now - st.lastActivity;
  if (quiet < thr.minutes * MIN) return;
  st.longLieRaised = 'bathroom';
  const usual = thr.learned
    ? `usual longest quiet after a bathroom event at about this time ${fmtDuration(thr.usual * MIN)} (the resident's last ${st.quietDays} days); threshold ${fmtDuration(thr.minutes * MIN)}`
    : `threshold ${fmtDuration(thr.minutes * MIN)} (${learnedNote(st, false)})`;
  signal(ctx, 'raise', 'long-lie', st.bathEnteredAt, late, {
    rule: 'bathroom-dwell',
    summary: `In the bathroom since ${st.zone.hhmm(st.bathEnteredAt)} (seen there by a motion sensor; last event ${st.zone.hhmm(st.lastActivity)}), nothing since for ${fmtDuration(quiet)} and no movement elsewhere; ${usual}`,
    events: st.bathRef ? [refOf(st.bathRef)] : [],
    dwellMinutes: Math.round((now - st.bathEnteredAt) / MIN),
    quietMinutes: Math.round(quiet / MIN),
    usualMinutes: thr.learned ? Math.round(thr.usual) : null,
    thresholdMinutes: Math.round(thr.minutes),
    exceededByMinutes: Math.round(quiet / MIN - thr.minutes),
    learned: thr.learned,
  });
}
