// A stuck or chattering sensor: one sensor alone reporting activity, steadily, for as long as the
// plan's inactivity ceiling (a PIR facing a heater or a curtain, a pad that flaps). Taken as activity,
// it would hide a collapse anywhere else in the home for ever; so once it has been the only sensor for
// the ceiling, at a steady rate and without a break, its events stop counting and the quiet is counted
// from the last event of any other sensor (inactivity then raises at once: nothing else has moved for
// at least the ceiling). Any other sensor's activity ends it. A person sitting in one room for hours
// triggers its PIR now and then, not 30 times an hour without a 10-minute break for four hours.
import type { CoreEvent } from '../../detector.ts';
import type { RoutineState } from './state.ts';
import { MIN } from './tuning.ts';

/** The knobs of the stuck-sensor rule (docs/detection-rules.md). */
export const STUCK_TUNING = {
  /** At least this many events an hour over the streak... */
  perHour: 30,
  /** ...and no gap between them longer than this. */
  maxGapMinutes: 10,
} as const;

/** Note an activity event in the current one-sensor streak; true when it comes from the sensor now taken as stuck (not activity). */
export function noteSolo(st: RoutineState, e: CoreEvent, t: number): boolean {
  if (e.sensor === st.soloSensor) {
    if (t > st.soloLast) {
      if (t - st.soloLast > st.soloMaxGap) st.soloMaxGap = t - st.soloLast;
      st.soloLast = t;
      st.soloCount++;
    }
    return st.stuckSensor !== null && st.stuckSensor === e.sensor;
  }
  if (t < st.soloLast) return false; // an older event from elsewhere: the streak since is still the one sensor's
  // Another sensor: the streak (and a stuck sensor, if any) is over; the last event before the new streak is this one's predecessor.
  st.soloPrevOther = st.soloLast;
  st.soloPrevSlot = st.lastSlot;
  st.soloPrevRef = st.lastActivityRef;
  st.soloSensor = e.sensor;
  st.soloSince = t;
  st.soloLast = t;
  st.soloCount = 1;
  st.soloMaxGap = 0;
  st.stuckSensor = null;
  return false;
}

/** Whether the current streak is a stuck sensor: alone for the ceiling, steadily. */
export function streakStuck(st: RoutineState): boolean {
  if (st.soloSensor === null || st.stuckSensor !== null) return false;
  const ceiling = st.plan.inactivityCeilingMinutes * MIN;
  const span = st.soloLast - st.soloSince;
  return span >= ceiling && st.soloCount >= (STUCK_TUNING.perHour * span) / 3_600_000 && st.soloMaxGap <= STUCK_TUNING.maxGapMinutes * MIN;
}

/** On a tick: a streak that has become stuck stops counting; the quiet is counted from the last other event. */
export function checkStuck(st: RoutineState): void {
  if (!streakStuck(st)) return;
  st.stuckSensor = st.soloSensor;
  st.lastActivity = Number.isFinite(st.soloPrevOther) ? st.soloPrevOther : st.soloSince;
  st.lastSlot = st.soloPrevSlot;
  st.lastActivityRef = st.soloPrevRef;
  st.spellExcluded = true; // the quiet behind a stuck sensor is no norm
  st.inBathroom = false;
  // Stuck since before today's waking hours: nobody has been seen up today; "not up" watches.
  if (st.lastActivity < st.wakeStart) st.upToday = false;
}

/** Words for a cause while a sensor is taken as stuck. */
export function stuckWords(st: RoutineState): string {
  if (st.stuckSensor === null) return '';
  const hours = (st.soloLast - st.soloSince) / 3_600_000;
  return `; only ${st.stuckSensor} has reported since ${st.zone.hhmm(st.soloSince)}, ${Math.round(st.soloCount / Math.max(hours, 1e-9))} times an hour without a ${STUCK_TUNING.maxGapMinutes}-minute break: taken as stuck or chattering, its events are not counted`;
}
