// The current local day: its bounds, the night window, the hour buckets, and moving on to a new day.
import type { DetectorContext } from '../../detector.ts';
import type { MonitoringPlan } from '../../../care/model.ts';
import { minutesOf } from '../../local-time.ts';
import { clearAwakeRow, learnNight } from './night.ts';
import { fold } from './norms.ts';
import { planOf, type RoutineState } from './state.ts';
import { HISTORY, median, MIN, RISING_SLACK_MIN, T, WINDOW } from './tuning.ts';

const inWindow = (m: number, ns: number, ne: number): boolean => (ns > ne ? m >= ns || m < ne : m >= ns && m < ne);

/** Whether a local minute of the day is in the (current, learned) night window. */
export function isNightMinute(st: RoutineState, m: number): boolean {
  return inWindow(m, st.nsMin, st.neMin);
}

/**
 * Whether an instant is deep in the night: in both the plan's night window and the resident's own
 * (night exit): leaving at 06:25 is not "night" for a resident who is up at six, nor is going out at
 * 20:30 for one who is often in bed by then.
 */
export function isNight(st: RoutineState, t: number): boolean {
  const m = st.zone.localMinute(t);
  return inWindow(m, st.nsMin, st.neMin) && inWindow(m, minutesOf(st.plan.nightStart), minutesOf(st.plan.nightEnd));
}

/** Set the current local day: its bounds, waking hours, and the rising time and "not up" deadline. */
export function setDay(st: RoutineState, d: number, plan: MonitoringPlan): void {
  st.day = d;
  // The night window: the resident's own (learned), within bounds of the plan's.
  const night = learnNight(st, d, plan);
  st.nsMin = night.start;
  st.neMin = night.end;
  st.nightLearned = night.learned;
  st.dayStart = st.zone.utcOf(d, 0);
  st.dayEnd = st.zone.utcOf(d + 1, 0);
  for (let h = 0; h < 24; h++) st.hourBounds[h] = st.zone.utcOf(d, h * 60);
  st.hourBounds[24] = st.dayEnd;
  st.wakeStart = st.zone.utcOf(d, st.neMin);
  st.wakeEnd = st.nsMin > st.neMin ? st.zone.utcOf(d, st.nsMin) : st.zone.utcOf(d + 1, st.nsMin);
  // The risings of the last four weeks, newest first: the fortnight's give the usual rising time, all of
  // them the lie-ins.
  const risings: number[] = [];
  let fortnight = 0;
  for (let i = 0; i < 2 * WINDOW; i++) {
    const k = (((d - 1 - i) % HISTORY) + HISTORY) % HISTORY;
    const r = st.risingRing[k]!;
    if (st.validRing[k] && r >= 0) risings.push(r);
    if (i === WINDOW - 1) fortnight = risings.length;
  }
  const recent = risings.slice(0, fortnight);
  st.risingLearned = recent.length >= T.risingLearnDays;
  st.usualRisingMin = st.risingLearned ? median(recent) : minutesOf(st.plan.usualRising);
  // Not up by the usual rising plus the margin, and never before the third latest rising of the last four
  // weeks plus RISING_SLACK (the resident's own history would not have raised it), at most a second margin
  // later: a lie-in or two does not move the deadline for a month, and a resident who lies in now and then
  // (at weekends, say) is not forgotten after a fortnight of early days.
  const usualPlus = st.usualRisingMin + st.plan.notUpMarginMinutes;
  st.latestRisingMin = st.risingLearned ? risings.sort((a, b) => b - a)[2] ?? risings[risings.length - 1]! : -1;
  const deadline = st.risingLearned ? Math.min(usualPlus + st.plan.notUpMarginMinutes, Math.max(usualPlus, st.latestRisingMin + RISING_SLACK_MIN)) : usualPlus;
  st.notUpAt = st.zone.utcOf(d, Math.min(1439, deadline));
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
  if (guard >= 400) {
    setDay(st, st.zone.localDay(t), planOf(ctx));
    clearAwakeRow(st, st.day);
  }
}
