// Not up: no activity by the usual rising time plus the plan's margin.
import { refOf, type DetectorContext } from '../../detector.ts';
import { fmtDuration } from '../../local-time.ts';
import { signal } from '../emit.ts';
import { learnedNote, type RoutineState } from './state.ts';
import { hhmmOf, MIN } from './tuning.ts';

/** Not up: nothing by the usual rising time plus margin. */
export function checkNotUp(st: RoutineState, ctx: DetectorContext, now: number, late: boolean, away: boolean): void {
  // Not up: nothing by usual rising time plus margin.
  if (!st.upToday && !st.notUpRaised && !away && !st.out && now >= st.notUpAt && now < st.wakeEnd) {
    st.notUpRaised = true;
    // Movement in the bedroom since the night ended is not getting up (evidence.ts, isUpEvidence): say so.
    const since =
      st.lastActivity >= st.wakeStart
        ? `nothing but the bed and the bedroom's motion sensor since the night ended (last at ${st.zone.hhmm(st.lastActivity)})`
        : st.lastActivity > -Infinity
          ? `no activity since ${st.zone.hhmm(st.lastActivity)}${st.lastActivity < st.dayStart ? ' yesterday' : ''}`
          : 'no activity yet';
    signal(ctx, 'raise', 'not-up', st.notUpAt - st.plan.notUpMarginMinutes * MIN, late, {
      rule: 'not-up',
      summary: `Not up: ${since}; usual rising time ${hhmmOf(st.usualRisingMin)} (${learnedNote(st, st.risingLearned)}) + margin ${fmtDuration(st.plan.notUpMarginMinutes * MIN)}${st.latestRisingMin >= 0 ? ` (third latest rising of four weeks ${hhmmOf(st.latestRisingMin)})` : ''} = ${st.zone.hhmm(st.notUpAt)}, now ${fmtDuration(now - st.notUpAt)} past it`,
      events: st.lastActivityRef ? [refOf(st.lastActivityRef)] : [],
      usualRising: hhmmOf(st.usualRisingMin),
      learned: st.risingLearned,
        latestRising: st.latestRisingMin >= 0 ? hhmmOf(st.latestRisingMin) : null,
      marginMinutes: st.plan.notUpMarginMinutes,
      exceededByMinutes: Math.round((now - st.notUpAt) / MIN + st.plan.notUpMarginMinutes),
    });
  }
}
