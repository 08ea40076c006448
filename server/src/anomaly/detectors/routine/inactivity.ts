// Inactivity: no movement in waking hours for longer than the resident's own quiet-spell model
// allows (quiet.ts): smooth over the day, within the floor and the plan's ceiling, within the budget.
import type { MonitoringPlan } from '../../../care/model.ts';
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration } from '../../local-time.ts';
import { signal } from '../emit.ts';
import { evidenceOf } from './evidence.ts';
import { QUIET_TUNING, quietThreshold } from './quiet.ts';
import type { RoutineState } from './state.ts';
import { stuckWords } from './stuck.ts';
import { MIN, SLOT_BED } from './tuning.ts';

/** The inactivity threshold for the current quiet spell, with the figures behind it. */
export function inactivityThreshold(st: RoutineState, plan: MonitoringPlan) {
  const presence = st.lastActivityRef ? evidenceOf(st.lastActivityRef) === 'presence' : false;
  // Resting in bed (the pad says so): only the ceiling applies, as before the routine is learned.
  if (st.lastSlot === SLOT_BED) return { minutes: plan.inactivityCeilingMinutes, usual: 0, scale: st.quietScale, learned: false, ceiling: plan.inactivityCeilingMinutes, days: st.quietDays, presence, inBed: true };
  // Cached per spell: the threshold depends on its start, place and the day's scale only (compared field by field: no key string per event).
  const k = st.thresholdKey;
  if (k[0] !== st.lastActivity || k[1] !== st.lastSlot || k[2] !== (presence ? 1 : 0) || k[3] !== st.quietScale || k[4] !== st.spellHead || k[5] !== st.day || k[6] !== plan.inactivityCeilingMinutes || !st.thresholdCache) {
    k[0] = st.lastActivity;
    k[1] = st.lastSlot;
    k[2] = presence ? 1 : 0;
    k[3] = st.quietScale;
    k[4] = st.spellHead;
    k[5] = st.day;
    k[6] = plan.inactivityCeilingMinutes;
    st.thresholdCache = { ...quietThreshold(st, plan, st.lastActivity, st.lastSlot, presence), presence, inBed: false };
  }
  return st.thresholdCache!;
}

/** " = 1 h 40 min", with the floor or the ceiling named when one of them set it. */
function thresholdWords(thr: { minutes: number; usual: number; scale: number; ceiling: number }): string {
  const raw = thr.usual * thr.scale + QUIET_TUNING.marginMinutes;
  if (raw > thr.ceiling) return ` = ${fmtDuration(raw * MIN)}, capped at the ceiling ${fmtDuration(thr.ceiling * MIN)}`;
  if (raw < QUIET_TUNING.floorMinutes) return ` = ${fmtDuration(raw * MIN)}, raised to the floor ${fmtDuration(QUIET_TUNING.floorMinutes * MIN)}`;
  return ` = ${fmtDuration(thr.minutes * MIN)}`;
}

/** Where the resident was last, and how much that says (presence: seen there; touch: there at that moment). */
export function lastSeenWords(st: RoutineState, presence: boolean): string {
  const where = st.lastSlot >= 0 ? st.roomNames[st.lastSlot] ?? '' : '';
  if (!where) return '';
  return presence ? `, last seen ${where}` : `, last touched something ${where} (they may have moved on to a room without a sensor)`;
}

/** Inactivity in waking hours, once up: quiet beyond the threshold. */
export function checkInactivity(st: RoutineState, ctx: DetectorContext, now: number, late: boolean, away: boolean): void {
  if (!st.upToday || !Number.isNaN(st.inactivityRaisedAt) || away || st.out || now < st.wakeStart || now >= st.wakeEnd || st.lastActivity < st.wakeStart) return;
  const thr = inactivityThreshold(st, st.plan);
  const quiet = now - st.lastActivity;
  if (quiet < thr.minutes * MIN) return;
  st.inactivityRaisedAt = st.lastActivity;
  const norms = thr.learned
    ? `usual longest quiet spell starting about ${st.zone.hhmm(st.lastActivity)} there ${fmtDuration(thr.usual * MIN)} (the resident's last ${thr.days} days); threshold ${fmtDuration(thr.usual * MIN)} × ${thr.scale.toFixed(2)} + ${fmtDuration(QUIET_TUNING.marginMinutes * MIN)}${thresholdWords(thr)}, the scale set so their own history would have raised at most ${st.plan.falseAlarmBudgetPerMonth} a month`
    : `threshold ${fmtDuration(thr.minutes * MIN)} (the ceiling: ${thr.inBed ? 'in bed' : 'plan default until the routine is learned'})`;
  signal(ctx, 'raise', 'inactivity', st.lastActivity, late, {
    rule: 'inactivity',
    summary: `No movement for ${fmtDuration(quiet)} (since ${st.zone.hhmm(st.lastActivity)}${lastSeenWords(st, thr.presence)})${stuckWords(st)}; ${norms}; ceiling ${fmtDuration(thr.ceiling * MIN)}`,
    events: st.lastActivityRef ? [refOf(st.lastActivityRef)] : [],
    quietMinutes: Math.round(quiet / MIN),
    usualMinutes: thr.learned ? Math.round(thr.usual) : null,
    scale: thr.learned ? +thr.scale.toFixed(2) : null,
    falseAlarmBudgetPerMonth: st.plan.falseAlarmBudgetPerMonth,
    lastEvidence: thr.presence ? 'presence' : 'touch',
    thresholdMinutes: Math.round(thr.minutes),
    ceilingMinutes: thr.ceiling,
    exceededByMinutes: Math.round(quiet / MIN - thr.minutes),
    learned: thr.learned,
    stuckSensor: st.stuckSensor,
  });
}
