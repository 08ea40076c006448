// The learned norms: today's quiet spells (by hour and by room), bathroom dwell and daily figures, kept in
// rings of past days at each day's end; a norm is the longest value seen on any of the last 14 days.
import type { DetectorContext } from '../../detector.ts';
import { bucketOf, setDay } from './day.ts';
import { clearAwakeRow } from './night.ts';
import { calibrate } from './quiet.ts';
import { checkRoutine } from './routine-change.ts';
import { planOf, type RoutineState } from './state.ts';
import { HISTORY, MIN, SLOTS, WINDOW } from './tuning.ts';

/** Record a quiet spell from p to t (both sensor times) in today's norms. */
export function learnSpell(st: RoutineState, p: number, t: number): void {
  if (p < st.wakeStart || p >= st.wakeEnd || p < st.dayStart) return;
  const end = Math.min(t, st.wakeEnd, st.dayEnd);
  const v = Math.min(65_535, (end - p) / MIN);
  if (st.lastSlot >= 0 && v > st.roomDay[st.lastSlot]!) st.roomDay[st.lastSlot] = v;
  for (let h = bucketOf(st, p); h < 24 && st.hourBounds[h]! < end; h++) {
    const w = Math.min(65_535, (Math.min(end, st.hourBounds[h + 1]!) - p) / MIN);
    if (w > st.todDay[h]!) st.todDay[h] = w;
  }
}

/** The day is over: keep its figures in the rings, recompute the learned norms, check routine change, start the next day. */
export function fold(st: RoutineState, ctx: DetectorContext, now: number): void {
  // The spell still running at day's end counts too.
  if (!st.spellExcluded && st.lastActivity > -Infinity && Number.isNaN(st.inactivityRaisedAt) && st.longLieRaised === '') learnSpell(st, st.lastActivity, Math.min(now, st.dayEnd));
  const plan = planOf(ctx);
  const away = ctx.home.residents[0]?.away ?? false;
  const hr = ((st.day % HISTORY) + HISTORY) % HISTORY;
  const wr = ((st.day % WINDOW) + WINDOW) % WINDOW;
  const valid = st.activityDay > 0 && !away;
  st.validRing[hr] = valid ? 1 : 0;
  if (valid) {
    st.todRing.set(st.todDay, wr * 24);
    st.roomRing.set(st.roomDay, wr * SLOTS);
    st.dwellRing[wr] = st.dwellDay;
    st.risingRing[hr] = st.risingDay;
    st.nightRing[hr] = Math.min(255, st.nightVisitsDay);
    st.activityRing[hr] = Math.min(65_535, st.activityDay);
    st.chairRing[hr] = Math.min(1440, Math.round(st.chairDay));
    st.daysLearned++;
  } else {
    // A day without data must not teach "no quiet spells".
    st.todRing.fill(0, wr * 24, wr * 24 + 24);
    st.roomRing.fill(0, wr * SLOTS, wr * SLOTS + SLOTS);
    st.dwellRing[wr] = 0;
    st.risingRing[hr] = -1;
    st.lateReturnRing[hr] = 0;
  }
  st.normTod.fill(0);
  st.normRoom.fill(0);
  st.normDwell = 0;
  for (let i = 0; i < WINDOW; i++) {
    for (let h = 0; h < 24; h++) if (st.todRing[i * 24 + h]! > st.normTod[h]!) st.normTod[h] = st.todRing[i * 24 + h]!;
    for (let s = 0; s < SLOTS; s++) if (st.roomRing[i * SLOTS + s]! > st.normRoom[s]!) st.normRoom[s] = st.roomRing[i * SLOTS + s]!;
    if (st.dwellRing[i]! > st.normDwell) st.normDwell = st.dwellRing[i]!;
  }
  if (valid) checkRoutine(st, ctx, now);
  st.todDay.fill(0);
  st.roomDay.fill(0);
  st.dwellDay = 0;
  st.nightVisitsDay = st.nightVisitsNext;
  st.nightVisitsNext = 0;
  st.activityDay = 0;
  st.chairDay = 0;
  setDay(st, st.day + 1, plan);
  calibrate(st, plan, st.day);
  // The row the new day writes held the day a fortnight back, which setDay has just read for the last time.
  clearAwakeRow(st, st.day);
  st.lateReturnRing[((st.day % HISTORY) + HISTORY) % HISTORY] = 0;
}
