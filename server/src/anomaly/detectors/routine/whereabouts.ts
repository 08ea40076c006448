// What each event tells the routine rules: a fall or call, or activity (where the resident is, up, out or back,
// in or out of the bathroom), clearing the conditions it ends and feeding today's norms.
import type { CoreEvent, DetectorContext } from '../../detector.ts';
import { ensureDay, isNight } from './day.ts';
import { isWakingEvidence, markAwake } from './night.ts';
import { evidenceOf, isUpEvidence } from './evidence.ts';
import { nightExitDue } from './night-exit.ts';
import { learnReturn } from './not-home.ts';
import { learnSpell } from './norms.ts';
import { keepSpell } from './quiet.ts';
import { noteSolo } from './stuck.ts';
import { clearIf, planOf, slotOf, type RoutineState } from './state.ts';
import { BATH_VISIT_GAP_MS, CHAIR_MAX_MS, EARLY_RISING_MS, isActivity, MIN, RUN_GAP_MS, T } from './tuning.ts';

/** An event: fall or call, or activity: where the resident is, up, out, back, in or out of the bathroom; clears what it ends. */
export function onRoutineEvent(st: RoutineState, e: CoreEvent, ctx: DetectorContext): void {
  const now = ctx.now();
  st.live.onEvent(e);
  if (e.late) st.lastLateArrival = now;
  if (now > st.lastNow) st.lastNow = now;
  st.plan = planOf(ctx);
  // A hub whose clock runs ahead must not push "last seen" into the future (and so hold off every alert).
  const t = e.ts > e.receivedAt ? e.receivedAt : e.ts;
  ensureDay(st, ctx, Math.max(now, st.lastNow));

  if (e.type === 'fall' || e.type === 'call') {
    const plan = planOf(ctx);
    if (e.type === 'fall') {
      const c = e.value === true ? 1 : Number(e.value);
      if (c >= st.plan.fallConfidenceMin && (Number.isNaN(st.fallCallAt) || t > st.fallCallAt)) {
        st.fallCallAt = t;
        st.fallCallKind = 'fall';
        st.fallCallRef = e;
      }
    } else if (e.value === 'pressed') {
      if (Number.isNaN(st.fallCallAt) || t > st.fallCallAt) {
        st.fallCallAt = t;
        st.fallCallKind = 'call';
        st.fallCallRef = e;
      }
    } else if (st.fallCallKind === 'call' && t >= st.fallCallAt) {
      // "I'm OK": the resident is responsive.
      st.fallCallAt = NaN;
      if (st.longLieRaised === 'after-fall') {
        st.longLieRaised = '';
        clearIf(st, ctx, 'long-lie', e, 'resident-ok', `Resident pressed "I'm OK"`);
      }
    }
    return;
  }
  if (!isActivity(e)) return;
  // A sensor taken as stuck (one sensor alone, steadily, for the ceiling) is not activity.
  if (noteSolo(st, e, t)) return;

  const inDay = t >= st.dayStart && t < st.dayEnd;
  if (inDay) {
    st.activityDay++;
    markAwake(st, e, t);
  }
  if (e.type === 'chair') {
    // Time in the chair, for routine change: "in" to "out" (a pad that misses its "out" counts 6 h at most).
    if (e.value === 'in') {
      if (Number.isNaN(st.chairSince) || t > st.chairSince + CHAIR_MAX_MS) st.chairSince = t;
    } else if (!Number.isNaN(st.chairSince) && t > st.chairSince) {
      if (inDay) st.chairDay += Math.min(t - st.chairSince, CHAIR_MAX_MS) / MIN;
      st.chairSince = NaN;
    }
  }
  const role = e.sensorInfo?.role ?? null;
  const room = e.sensorInfo?.room ?? null;
  const isDoor = e.type === 'door';

  if (t > st.lastActivity) {
    if (t - st.lastActivity > RUN_GAP_MS) {
      st.runStart = t;
      st.aboutSince = NaN;
    }
    // Up and about: the run's first activity outside the bed, the bedroom and the bathroom; back in bed, no longer.
    if (e.type === 'bed' && e.value === 'in') st.aboutSince = NaN;
    else if (Number.isNaN(st.aboutSince) && isWakingEvidence(e)) st.aboutSince = t;
    // A spell that ended an alert (a collapse, a long lie) is an incident, not the routine: never learned.
    if (!st.spellExcluded && inDay && Number.isNaN(st.inactivityRaisedAt) && st.longLieRaised === '') {
      learnSpell(st, st.lastActivity, t);
    }
    // A spell that raised an alert but ended on its own within the ceiling was, on the evidence, rest: kept
    // (keepSpell leaves out anything as long as the ceiling, and so every collapse that waited for help).
    if (!st.spellExcluded && st.longLieRaised !== 'after-fall' && st.lastActivity > -Infinity) {
      keepSpell(st, st.lastActivity, (t - st.lastActivity) / MIN, st.lastSlot, st.lastActivity >= st.wakeStart && st.lastActivity < st.wakeEnd);
    }
    st.spellExcluded = false;
    st.lastActivity = t;
    st.lastActivityRef = e;
    st.lastSlot = slotOf(st, e);
    if (!Number.isNaN(st.inactivityRaisedAt)) {
      st.inactivityRaisedAt = NaN;
      clearIf(st, ctx, 'inactivity', e, 'movement-again', `Movement again${room ? ` in the ${room}` : ''} at ${st.zone.hhmm(t)}`);
    }
    if (!st.upToday && t >= st.wakeStart && t < st.wakeEnd && isUpEvidence(e)) {
      st.upToday = true;
      st.risingDay = st.zone.localMinute(st.runStart >= st.wakeStart - EARLY_RISING_MS ? st.runStart : t);
      if (st.notUpRaised) {
        st.notUpRaised = false;
        clearIf(st, ctx, 'not-up', e, 'up', `Up at ${st.zone.hhmm(t)}`);
      }
    }
  }

  if (isDoor) {
    // Through the front door, or the bathroom's own door: whoever was in the bathroom has left it.
    if (st.inBathroom && t > st.bathEnteredAt && (role === 'exterior-door' || (role === 'interior-door' && room === 'bathroom'))) leaveBathroom(st, ctx, e, t, false);
    if (role === 'exterior-door') {
      if (e.value === 'open' && Number.isNaN(st.nightExitAt) && isNight(st, t)) {
        st.nightExitAt = t;
        st.nightExitDueAt = nightExitDue(st, t);
        st.nightExitRoom = room;
        st.nightExitRef = e;
      } else if (e.value === 'closed' && (Number.isNaN(st.pendingOutAt) || t > st.pendingOutAt) && t >= st.lastInside) {
        st.pendingOutAt = t;
        st.pendingOutRoom = room;
      }
    }
    return;
  }

  // Movement inside the home.
  if (t > st.lastInside) st.lastInside = t;
  // Movement in the door's own room just after it closed is the PIR seeing them go (as for night exit), not staying in.
  if (!Number.isNaN(st.pendingOutAt) && t > st.pendingOutAt && (room !== st.pendingOutRoom || t - st.pendingOutAt >= T.nightExitGraceMs)) st.pendingOutAt = NaN;
  if (st.out && t > st.outSince) {
    learnReturn(st, st.outSince, t);
    st.out = false;
    st.outSince = NaN;
    st.notHomeAt = Infinity;
    if (st.notHomeRaised) {
      st.notHomeRaised = false;
      clearIf(st, ctx, 'not-home', e, 'back-home', `Back home: movement${room ? ` in the ${room}` : ''} at ${st.zone.hhmm(t)}`);
    }
  }
  if (!Number.isNaN(st.nightExitAt) && t > st.nightExitAt && (room !== st.nightExitRoom || t - st.nightExitAt >= T.nightExitGraceMs)) {
    st.nightExitAt = NaN;
    if (st.nightExitRaised) {
      st.nightExitRaised = false;
      clearIf(st, ctx, 'night-exit', e, 'movement-inside', `Movement inside${room ? ` in the ${room}` : ''} at ${st.zone.hhmm(t)}`);
    }
  }
  if (!Number.isNaN(st.fallCallAt) && t > st.fallCallAt + T.longLieGraceMs) {
    st.fallCallAt = NaN;
    if (st.longLieRaised === 'after-fall') {
      st.longLieRaised = '';
      clearIf(st, ctx, 'long-lie', e, 'movement-after-fall', `Movement${room ? ` in the ${room}` : ''} at ${st.zone.hhmm(t)}`);
    }
  }
  if (t < st.lastInside) return; // an older position: where the resident is now is already known
  if (role === 'bathroom') {
    // A visit (for the night-visit count) is any bathroom event after a quarter hour without one.
    if (!(t - st.lastBathAt < BATH_VISIT_GAP_MS)) {
      if (t < st.wakeStart && t >= st.dayStart) st.nightVisitsDay++;
      else if (t >= st.wakeEnd && t < st.dayEnd) st.nightVisitsNext++;
    }
    st.lastBathAt = t;
    // A stay (for the long lie) needs presence: a PIR saw them there. A flush or a cupboard says only that they were there then.
    if (!st.inBathroom && evidenceOf(e) === 'presence') {
      st.inBathroom = true;
      st.bathEnteredAt = t;
      st.bathRef = e;
    }
  } else if (st.inBathroom && t > st.bathEnteredAt) {
    leaveBathroom(st, ctx, e, t, inDay);
  }
}

/** The bathroom stay is over (movement elsewhere, or a door): its dwell is learned only when `learn` (movement elsewhere, the same day). */
export function leaveBathroom(st: RoutineState, ctx: DetectorContext, e: CoreEvent, t: number, learn: boolean): void {
  st.inBathroom = false;
  // A stay that raised a long lie is not a usual bathroom visit: the next collapse must not look normal.
  if (learn && st.longLieRaised !== 'bathroom') {
    const dwell = Math.min(65_535, (t - st.bathEnteredAt) / MIN);
    if (dwell > st.dwellDay) st.dwellDay = dwell;
  }
  if (st.longLieRaised === 'bathroom') {
    st.longLieRaised = '';
    clearIf(st, ctx, 'long-lie', e, 'left-bathroom', `Left the bathroom at ${st.zone.hhmm(t)}`);
  }
}
