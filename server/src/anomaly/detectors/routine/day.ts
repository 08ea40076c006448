// The current local day: its bounds, the night window, the hour buckets, and moving on to a new day.
import type { DetectorContext } from '../../detector.ts';
import type { MonitoringPlan } from '../../../care/model.ts';
import { minutesOf } from '../../local-time.ts';
import { fold } from './norms.ts';
import { planOf, type RoutineState } from './state.ts';
import { HISTORY, median, MIN, T, WINDOW } from './tuning.ts';

/** Whether a local minute of the day is in the (current) night window. */
export function isNightMinute(st: RoutineState, m: number): boolean {
return (st.nsMin > st.neMin ? m >= st.nsMin || m < st.neMin : m >= st.nsMin && m < st.neMin);
}

/** Whether an instant is in the night window. */
export function isNight(st: RoutineState, t: number): boolean {
return isNightMinute(st, st.zone.localMinute(t));
}

/** Set the current local day: its bounds, waking hours, and the rising time and "not up" deadline. */
export function setDay(st: RoutineState, d: number, plan: MonitoringPlan): void {
  st.day = d;
  st.nsMin = minutesOf(st.plan.nightStart);
  st.neMin = minutesOf(st.plan.nightEnd);
  st.dayStart = st.zone.utcOf(d, 0);
  st.dayEnd = st.zone.utcOf(d + 1, 0);
  for (let h = 0; h < 24; h++) st.hourBounds[h] = st.zone.utcOf(d, h * 60);
  st.hourBounds[24] = st.dayEnd;
  st.wakeStart = st.zone.utcOf(d, st.neMin);
  st.wakeEnd = st.nsMin > st.neMin ? st.zone.utcOf(d, st.nsMin) : st.zone.utcOf(d + 1, st.nsMin);
  const risings: number[] = [];
  for (let i = 0; i < WINDOW; i++) {
    const r = st.risingRing[(((d - 1 - i) % HISTORY) + HISTORY) % HISTORY]!;
    if (st.validRing[(((d - 1 - i) % HISTORY) + HISTORY) % HISTORY] && r >= 0) risings.push(r);
  }
  st.risingLearned = risings.length >= T.risingLearnDays;
  st.usualRisingMin = st.risingLearned ? median(risings) : minutesOf(st.plan.usualRising);
  st.notUpAt = st.zone.utcOf(d, Math.min(1439, st.usualRisingMin + st.plan.notUpMarginMinutes));
  st.upToday = st.lastActivity >= st.wakeStart;
  st.risingDay = -1;
  st.bucketHint = 0;
}

/** The local hour an instant falls in (of the current day). */
export function bucketOf(st: RoutineState, t: number): number {
  let h = st.bucketHint;
  if (t < st.hourBounds[h]!) h = 0;
  while (h < 23 && t >= st.hourBounds[h + 1]!) h++;
  st.bucketHint = h;
  return h;
}

/** Make the current day the one of `t`, folding every day that ended on the way. */
export function ensureDay(st: RoutineState, ctx: DetectorContext, t: number): void {
  if (Number.isNaN(st.day)) {
    const p = planOf(ctx);
    setDay(st, st.zone.localDay(t), p);
    // Watching began after this morning's night end (a server start, a new home): the morning
    // was not seen, so "not up" waits for a margin of watching, not for a deadline already past.
    if (t > st.wakeStart) st.notUpAt = Math.max(st.notUpAt, t + p.notUpMarginMinutes * MIN);
    return;
  }
  // Many empty days (a long gap) fold one by one; cheap, and keeps the rings honest.
  let guard = 0;
  while (t >= st.dayEnd && guard++ < 400) fold(st, ctx, t);
  if (guard >= 400) setDay(st, st.zone.localDay(t), planOf(ctx));
}
