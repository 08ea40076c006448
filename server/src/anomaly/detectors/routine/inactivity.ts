// Inactivity: no movement in waking hours for longer than the threshold.
import type { MonitoringPlan } from '../../../care/model.ts';
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration } from '../../local-time.ts';
import { signal } from '../emit.ts';
import { bucketOf } from './day.ts';
import { learnedNote, type RoutineState } from './state.ts';
import { MIN, SLOT_BED, T } from './tuning.ts';

/** Inactivity threshold now, with the norms behind it. */
export function inactivityThreshold(st: RoutineState, plan: MonitoringPlan, t: number) {
  const ceiling = st.plan.inactivityCeilingMinutes;
  const h = bucketOf(st, t);
  // Resting in bed (the pad says so): only the ceiling applies, as before the routine is learned.
  if (st.daysLearned < T.learnAfterDays || st.lastSlot === SLOT_BED) return { minutes: ceiling, h, tod: 0, room: 0, learned: false, ceiling };
  const tod = st.normTod[h]!;
  const room = st.lastSlot >= 0 ? st.normRoom[st.lastSlot]! : 0;
  const norm = room > 0 ? Math.min(tod, room) : tod;
  const minutes = Math.min(ceiling, Math.max(T.inactivityFloorMinutes, norm * T.inactivityFactor + T.inactivityMarginMinutes));
  return { minutes, h, tod, room, learned: true, ceiling };
}

/** Inactivity in waking hours, once up: quiet beyond the threshold. */
export function checkInactivity(st: RoutineState, ctx: DetectorContext, now: number, late: boolean, away: boolean): void {
  // Inactivity in waking hours, once up.
  if (st.upToday && Number.isNaN(st.inactivityRaisedAt) && !away && !st.out && now >= st.wakeStart && now < st.wakeEnd && st.lastActivity >= st.wakeStart) {
    const thr = inactivityThreshold(st, st.plan, now);
    const quiet = now - st.lastActivity;
    if (quiet >= thr.minutes * MIN) {
      st.inactivityRaisedAt = st.lastActivity;
      const usualMin = thr.room > 0 ? Math.min(thr.tod, thr.room) : thr.tod;
      const where = st.lastSlot >= 0 ? st.roomNames[st.lastSlot] ?? '' : '';
      const norms = thr.learned
        ? `usual longest quiet spell at this time of day ${fmtDuration(thr.tod * MIN)}${thr.room > 0 ? `, ${where} ${fmtDuration(thr.room * MIN)}` : ''} (${learnedNote(st, true)}); threshold ${fmtDuration(thr.minutes * MIN)}`
        : `threshold ${fmtDuration(thr.minutes * MIN)} (the ceiling: ${learnedNote(st, false)})`;
      signal(ctx, 'raise', 'inactivity', st.lastActivity, late, {
        rule: 'inactivity',
        summary: `No movement for ${fmtDuration(quiet)} (since ${st.zone.hhmm(st.lastActivity)}${where ? `, last ${where}` : ''}); ${norms}; ceiling ${fmtDuration(thr.ceiling * MIN)}`,
        events: st.lastActivityRef ? [refOf(st.lastActivityRef)] : [],
        quietMinutes: Math.round(quiet / MIN),
        usualMinutes: thr.learned ? usualMin : null,
        usualAtTimeOfDayMinutes: thr.learned ? thr.tod : null,
        usualInRoomMinutes: thr.learned && thr.room > 0 ? thr.room : null,
        thresholdMinutes: Math.round(thr.minutes),
        ceilingMinutes: thr.ceiling,
        exceededByMinutes: Math.round(quiet / MIN - (thr.learned ? usualMin : thr.minutes)),
        learned: thr.learned,
        hourOfDay: thr.h,
      });
    }
  }
}
