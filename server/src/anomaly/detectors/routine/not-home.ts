// Out of home and not home: a door closed with no movement after it; still out past the night window's start plus grace.
import type { MonitoringPlan } from '../../../care/model.ts';
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration, minutesOf } from '../../local-time.ts';
import { signal } from '../emit.ts';
import { isNight } from './day.ts';
import type { RoutineState } from './state.ts';
import { HISTORY, MIN, WINDOW } from './tuning.ts';

/** The evening's night start (the later of the plan's and the resident's own) for an outing that began at `since`. */
export function eveningStart(st: RoutineState, plan: MonitoringPlan, since: number): number {
  const d = st.zone.localDay(since);
  const evening = (ns: number, ne: number): number => (ns > ne ? st.zone.utcOf(d, ns) : st.zone.utcOf(d + 1, ns));
  return Math.max(evening(minutesOf(plan.nightStart), minutesOf(plan.nightEnd)), evening(st.nsMin, st.neMin));
}

/** The latest the resident came back past the night start on the last fortnight's days (minutes, 0 if never), at most `LATE_RETURN_MAX`. */
export function usualLateReturn(st: RoutineState): number {
  let m = 0;
  for (let i = 0; i < WINDOW; i++) m = Math.max(m, st.lateReturnRing[(((st.day - i) % HISTORY) + HISTORY) % HISTORY]!);
  return Math.min(LATE_RETURN_MAX, m);
}

/** Back home at t after an outing that began at `since`: keep how far past the night start it was. */
export function learnReturn(st: RoutineState, since: number, t: number): void {
  const past = Math.round((t - eveningStart(st, st.plan, since)) / MIN);
  const i = ((st.day % HISTORY) + HISTORY) % HISTORY;
  if (past > 0 && past > st.lateReturnRing[i]!) st.lateReturnRing[i] = Math.min(32_000, past);
}

/** Nights spent away (an outing that began before the night and ended after it) on the last six weeks' days. */
export function nightsAway(st: RoutineState): number {
  // Came back at least a night's length past the night's start: away through the night.
  const night = (((st.neMin - st.nsMin) % 1440) + 1440) % 1440;
  let n = 0;
  for (let i = 0; i < HISTORY; i++) if (st.lateReturnRing[(((st.day - i) % HISTORY) + HISTORY) % HISTORY]! >= night) n++;
  return n;
}

/** Nights away in the last six weeks from which a night away is part of the resident's own routine. */
export const NIGHTS_AWAY_ROUTINE = 2;

/**
 * When "not home" is due for a resident out since `since`: the night's start (the later of the plan's
 * and the resident's own), plus the latest they came back past it on the last fortnight's days (so
 * their own history would not have raised it; at most 3 h), plus the plan's grace. A resident who
 * has stayed away overnight at least twice in the last six weeks (with family, say) is staying
 * somewhere: "not home" waits for the next night, and is raised then if they are still not back.
 */
export function computeNotHomeAt(st: RoutineState, plan: MonitoringPlan, since: number): number {
  if (isNight(st, since)) return Infinity; // left in the night: the night-exit rule's case
  const nextNight = nightsAway(st) >= NIGHTS_AWAY_ROUTINE ? 24 * 60 : 0;
  return eveningStart(st, plan, since) + (nextNight + usualLateReturn(st) + plan.notHomeGraceMinutes) * MIN;
}

/** Most a learned late return moves "not home" on, minutes. */
export const LATE_RETURN_MAX = 180;

/** Out of home (a door closed and no movement followed), and not home by the night window plus grace. */
export function checkOutOfHome(st: RoutineState, ctx: DetectorContext, now: number, late: boolean, away: boolean): void {
  // Out of home: a door closed and no movement followed.
  if (!Number.isNaN(st.pendingOutAt) && now >= st.pendingOutAt + st.plan.outOfHomeMinutes * MIN) {
    st.out = true;
    st.outSince = st.pendingOutAt;
    // Gone out: no longer in the bathroom (nor is the stay a usual visit).
    st.inBathroom = false;
    st.pendingOutAt = NaN;
    st.spellExcluded = true;
    st.notHomeAt = computeNotHomeAt(st, st.plan, st.outSince);
  }
  if (st.out && !st.notHomeRaised && !away && now >= st.notHomeAt) {
    st.notHomeRaised = true;
    const away = nightsAway(st);
    signal(ctx, 'raise', 'not-home', st.outSince, late, {
      rule: 'not-home',
      summary: `Out since ${st.zone.hhmm(st.outSince)} and not back ${fmtDuration(now - eveningStart(st, st.plan, st.outSince))} after the night began (${st.zone.hhmm(eveningStart(st, st.plan, st.outSince))}, the later of the plan's ${st.plan.nightStart} and the resident's own); ${away >= NIGHTS_AWAY_ROUTINE ? `they have stayed away ${away} nights in the last ${HISTORY} days, so it waited for a second night; ` : ''}latest return lately ${usualLateReturn(st)} min past it, plus the plan's ${st.plan.notHomeGraceMinutes} min`,
      events: st.lastActivityRef ? [refOf(st.lastActivityRef)] : [],
      outSince: new Date(st.outSince).toISOString(),
      graceMinutes: st.plan.notHomeGraceMinutes,
      usualLateReturnMinutes: usualLateReturn(st),
      nightsAway: away,
    });
  }
}
