// The learned night: each resident's sleep window, from their own days. Every day keeps a bit per
// quarter hour: was anyone up and about (activity outside the bed and the bedroom)? The night is the
// longest stretch of quarter hours in which, on most of the last fortnight's days, nothing stirred
// (a bed pad, a bedroom PIR or a bathroom trip is part of a night, not waking). The plan's nightStart and nightEnd are where it starts and its bounds.
import type { MonitoringPlan } from '../../../care/model.ts';
import type { CoreEvent } from '../../detector.ts';
import { minutesOf } from '../../local-time.ts';
import type { RoutineState } from './state.ts';
import { HISTORY } from './tuning.ts';

/** Quarter hours of a day. */
export const QUARTERS = 96;
/** Days of quarter-hour bits kept. */
export const NIGHT_DAYS = 14;

/** The knobs of the learned night (docs/detection-rules.md). */
export const NIGHT_TUNING = {
  /** Days with data before the learned night replaces the plan's. */
  learnAfterDays: 7,
  /** A quarter hour is night when activity was seen in it on at most this share of days. */
  quietShare: 0.25,
  /** ...or, when no night comes of that, on at most this share. */
  looseShare: 0.5,
  /** The learned start and end stay within this many minutes of the plan's. */
  boundMinutes: 180,
  /** A learned night shorter than this is not taken (the plan's stands). */
  minHours: 4,
} as const;

const N = NIGHT_TUNING;

/** Rooms (and roles) that are part of a night: the bed, the bedroom, and the bathroom trips from it. */
const NIGHT_ROOMS = new Set(['bedroom', 'bathroom', 'toilet']);

/** Whether an event counts as being up and about for the night's profile (not the bed, the bedroom or the bathroom). */
export function isWakingEvidence(e: CoreEvent): boolean {
  if (e.type === 'bed') return false;
  const role = e.sensorInfo?.role ?? null;
  const room = e.sensorInfo?.room ?? null;
  return !(role !== null && NIGHT_ROOMS.has(role)) && !(room !== null && NIGHT_ROOMS.has(room));
}

/** A hall PIR: the room passed through between the bed and the bathroom. */
const isPassage = (e: CoreEvent): boolean => e.type === 'motion' && (e.sensorInfo?.room ?? null) === 'hall';

/**
 * Mark the quarter hour of an activity at sensor time t (of the current day). The hall on the way
 * between night rooms is part of the trip, not waking: its mark waits for the next activity, and is
 * dropped when that is the bed, the bedroom or the bathroom (a restless night through the hall would
 * otherwise end the learned night at its first trip).
 */
export function markAwake(st: RoutineState, e: CoreEvent, t: number): void {
  if (t < st.dayStart || t >= st.dayEnd) return;
  const row = ((st.day % NIGHT_DAYS) + NIGHT_DAYS) % NIGHT_DAYS;
  const waking = isWakingEvidence(e);
  if (st.passageMark >= 0) {
    if (waking) st.awakeRing[st.passageMark] = 1;
    st.passageMark = -1;
  }
  if (!waking) return;
  const i = row * QUARTERS + Math.min(QUARTERS - 1, Math.floor(st.zone.localMinute(t) / 15));
  if (isPassage(e)) st.passageMark = i;
  else st.awakeRing[i] = 1;
}

/** Clear the current day's row (a new day, or a day without data). */
export function clearAwakeRow(st: RoutineState, day: number): void {
  const row = ((day % NIGHT_DAYS) + NIGHT_DAYS) % NIGHT_DAYS;
  st.awakeRing.fill(0, row * QUARTERS, row * QUARTERS + QUARTERS);
  // A hall mark still waiting in the row being reused belongs to a day a fortnight gone: not to this one.
  if (st.passageMark >= row * QUARTERS && st.passageMark < row * QUARTERS + QUARTERS) st.passageMark = -1;
}

const clampAround = (m: number, centre: number, bound: number): number => {
  // Minutes of the day, compared on the circle around `centre`.
  let d = m - centre;
  while (d > 720) d -= 1440;
  while (d < -720) d += 1440;
  return (((centre + Math.max(-bound, Math.min(bound, d))) % 1440) + 1440) % 1440;
};

/** The night window for day d: learned from the days before it (or the plan's), as minutes of the day, with how it came about. */
export function learnNight(st: RoutineState, d: number, plan: MonitoringPlan): { start: number; end: number; learned: boolean; days: number } {
  const ps = minutesOf(plan.nightStart);
  const pe = minutesOf(plan.nightEnd);
  const counts = new Uint8Array(QUARTERS);
  let days = 0;
  for (let i = 1; i <= NIGHT_DAYS; i++) {
    if (!st.validRing[(((d - i) % HISTORY) + HISTORY) % HISTORY]) continue;
    // Day d-i's evening and day d-i+1's morning make one night: both rows must be there, so count day rows.
    const row = (((d - i) % NIGHT_DAYS) + NIGHT_DAYS) % NIGHT_DAYS;
    days++;
    for (let q = 0; q < QUARTERS; q++) counts[q]! += st.awakeRing[row * QUARTERS + q]!;
  }
  if (days < N.learnAfterDays) return { start: ps, end: pe, learned: false, days };
  // Quarter hours from noon to noon, so a night is one run; the longest run of quiet quarters that overlaps the plan's night.
  // A household up late or restless (two people, a night owl) may have no four hours quiet on three days in
  // four; then quiet on half the days will do, before the plan's night is taken as it stands.
  const first = nightRun(counts, N.quietShare * days, ps, pe);
  const best = first ?? nightRun(counts, N.looseShare * days, ps, pe);
  if (!best) return { start: ps, end: pe, learned: false, days };
  const start = clampAround((best[0] + 720) % 1440, ps, N.boundMinutes);
  const end = clampAround((best[1] + 720) % 1440, pe, N.boundMinutes);
  return { start, end, learned: true, days };
}

/** The longest run (minutes from noon) of quarter hours with activity on at most `limit` days, overlapping the plan's night and at least `minHours` long. */
function nightRun(counts: Uint8Array, limit: number, ps: number, pe: number): [number, number] | null {
  const quiet = (k: number): boolean => counts[(k + 48) % QUARTERS]! <= limit;
  const planFrom = (((ps - 720) % 1440) + 1440) % 1440;
  const planTo = (((pe - 720) % 1440) + 1440) % 1440;
  let best: [number, number] | null = null;
  for (let k = 0; k < QUARTERS; ) {
    if (!quiet(k)) {
      k++;
      continue;
    }
    let j = k;
    while (j < QUARTERS && quiet(j)) j++;
    const from = k * 15;
    const to = j * 15;
    if (to > planFrom - N.boundMinutes && from < planTo + N.boundMinutes && (!best || to - from > best[1] - best[0])) best = [from, to];
    k = j;
  }
  return best && best[1] - best[0] >= N.minHours * 60 ? best : null;
}
