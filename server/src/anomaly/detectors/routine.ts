import type { HomeInfo } from '../../care/directory.ts';
import type { Detector, DetectorContext } from '../detector.ts';
import { ensureDay } from './routine/day.ts';
import { checkInactivity, inactivityThreshold } from './routine/inactivity.ts';
import { checkBathroomDwell, checkLongLieAfterFall, dwellThreshold } from './routine/long-lie.ts';
import { checkNightExit, nightExitDueAt } from './routine/night-exit.ts';
import { QUIET_TUNING } from './routine/quiet.ts';
import { checkOutOfHome } from './routine/not-home.ts';
import { checkNotUp } from './routine/not-up.ts';
import { restoreRoutine, snapshotRoutine } from './routine/snapshot.ts';
import { checkStuck } from './routine/stuck.ts';
import { planOf, RoutineState } from './routine/state.ts';
import { MIN, T } from './routine/tuning.ts';
import { onRoutineEvent } from './routine/whereabouts.ts';

export { ROUTINE_TUNING } from './routine/tuning.ts';

/**
 * The resident's routine: long lie (after a fall or call, and bathroom dwell),
 * inactivity, not up, night exit, out of home and not home, and routine change
 * over days; with the norms they use learned online from the resident's own
 * history (cold start: the plan's defaults). Every rule works in the resident's
 * local time. While the hub is offline, or a buffer is still draining, nothing is
 * raised: buffered events fill in the picture first, so an alert is raised only if
 * its condition still holds, and a condition the buffer shows had ended is cleared.
 * The state is one object (routine/state.ts); each rule is a file of routine/.
 */
export function routineDetector(home: HomeInfo): Detector {
  const st = new RoutineState(home);

  const check = (ctx: DetectorContext, now: number): void => {
    st.lastNow = now;
    st.plan = planOf(ctx);
    ensureDay(st, ctx, now);
    st.live.check(now);
    if (now - st.lastLateArrival < T.settleMs) return; // a buffer is draining: let it fill in the picture first
    const away = ctx.home.residents[0]?.away ?? false;
    const late = st.lastLateArrival > -Infinity && now - st.lastLateArrival < 3_600_000;
    checkLongLieAfterFall(st, ctx, now, late);
    if (st.live.offline) return; // blind: nothing else is raised until the hub is back
    checkBathroomDwell(st, ctx, now, late, away);
    checkNightExit(st, ctx, now, late);
    checkOutOfHome(st, ctx, now, late, away);
    checkNotUp(st, ctx, now, late, away);
    checkStuck(st);
    checkInactivity(st, ctx, now, late, away);
  };

  return {
    name: 'routine',
    onEvent(e, ctx) {
      onRoutineEvent(st, e, ctx);
    },
    onHub(s, ctx) {
      const change = st.live.onSignal(s);
      if (change === 'online') st.lastLateArrival = Math.max(st.lastLateArrival, s.at); // let the buffer drain first
      // Any sign of the hub starts the st.day's watch (a home whose resident has not stirred still needs "not up").
      if (change !== null || Number.isNaN(st.day)) ensureDay(st, ctx, Math.max(s.at, st.lastNow));
    },
    onTick(now, ctx) {
      check(ctx, now);
    },
    due() {
      let d = Math.min(st.dayEnd, st.live.deadline());
      if (st.lastLateArrival + T.settleMs > st.lastNow) return Math.min(d, st.lastLateArrival + T.settleMs);
      if (!Number.isNaN(st.fallCallAt) && st.longLieRaised === '') d = Math.min(d, st.fallCallAt + st.plan.longLieMinutes * MIN);
      if (st.live.offline) return d;
      if (st.inBathroom && st.longLieRaised === '' && !st.out) d = Math.min(d, st.lastActivity + dwellThreshold(st, st.plan).minutes * MIN);
      if (!Number.isNaN(st.nightExitAt) && !st.nightExitRaised) d = Math.min(d, nightExitDueAt(st));
      if (!Number.isNaN(st.pendingOutAt)) d = Math.min(d, st.pendingOutAt + st.plan.outOfHomeMinutes * MIN);
      if (st.out && !st.notHomeRaised) d = Math.min(d, st.notHomeAt);
      if (!st.upToday && !st.notUpRaised && !st.out && st.notUpAt < st.wakeEnd) d = Math.min(d, st.notUpAt);
      // A one-sensor streak is judged when it has lasted the ceiling.
      if (st.soloSensor !== null && st.stuckSensor === null && st.soloLast > st.soloSince) d = Math.min(d, Math.max(st.lastNow, st.soloSince + st.plan.inactivityCeilingMinutes * MIN));
      if (st.upToday && Number.isNaN(st.inactivityRaisedAt) && !st.out && st.lastActivity >= st.wakeStart) {
        const at = Math.max(st.lastNow, st.lastActivity);
        if (at < st.wakeEnd) {
          // The threshold is never under the floor (or the ceiling, when that is lower), so until then the
          // model need not be asked: it scans weeks of spells, and this runs after every event.
          const earliest = st.lastActivity + Math.min(st.plan.inactivityCeilingMinutes, QUIET_TUNING.floorMinutes) * MIN;
          const when = st.lastNow < earliest ? earliest : st.lastActivity + inactivityThreshold(st, st.plan).minutes * MIN;
          d = Math.min(d, when, st.wakeEnd);
        }
      }
      return d;
    },
    snapshot() {
      return snapshotRoutine(st);
    },
    restore(state, ctx) {
      restoreRoutine(st, state, ctx);
    },
  };
}
