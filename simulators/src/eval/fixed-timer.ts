// A plain telecare timer, as the yardstick on the trade-off picture: "no activity for H hours"
// raises inactivity, counting either round the clock or only the plan's waking hours.
import { SENSOR_KINDS } from '../../../protocol/index.ts';
import type { Detector, DetectorFactory } from '../../../server/src/anomaly/detector.ts';
import { signal } from '../../../server/src/anomaly/detectors/emit.ts';
import { minutesOf, zoneClock } from '../../../server/src/anomaly/local-time.ts';
import { planWithDefaults } from '../../../server/src/care/model.ts';

const MIN = 60_000;
const ACTIVITY = new Set(Object.entries(SENSOR_KINDS as Record<string, { activity: boolean }>).filter(([, k]) => k.activity).map(([t]) => t));

/** A fixed timer of `hours`; `waking`: only quiet within the plan's waking hours (nightEnd to nightStart) counts. */
export function fixedTimer(hours: number, waking: boolean): DetectorFactory {
  return (home): Detector => {
    const zone = zoneClock(home.residents[0]?.timezone ?? 'UTC');
    const plan = home.residents[0]?.plan ?? planWithDefaults({});
    const ns = minutesOf(plan.nightStart);
    const ne = minutesOf(plan.nightEnd);
    let last = -Infinity;
    let at = Infinity;
    let raised = false;
    /** When `H` hours of (waking) quiet since `t` will have passed. */
    const deadline = (t: number): number => {
      if (!waking) return t + hours * 60 * MIN;
      let need = hours * 60 * MIN;
      let cur = t;
      for (let guard = 0; guard < 60; guard++) {
        const d = zone.localDay(cur);
        const wakeFrom = zone.utcOf(d, ne);
        const wakeTo = ns > ne ? zone.utcOf(d, ns) : zone.utcOf(d + 1, ns);
        const from = Math.max(cur, wakeFrom);
        if (from < wakeTo) {
          if (wakeTo - from >= need) return from + need;
          need -= wakeTo - from;
        }
        cur = zone.utcOf(d + 1, 0);
      }
      return Infinity;
    };
    return {
      name: `timer-${hours}h${waking ? '-waking' : ''}`,
      onEvent(e) {
        if (!ACTIVITY.has(e.type) || (e.type === 'motion' && e.value !== true)) return;
        if (e.ts <= last) return;
        last = e.ts;
        at = deadline(last);
        raised = false;
      },
      onTick(now, ctx) {
        if (!raised && now >= at) {
          raised = true;
          signal(ctx, 'raise', 'inactivity', last, false, { rule: 'fixed-timer', summary: `No activity for ${hours} h${waking ? ' of waking hours' : ''}`, events: [] });
        }
      },
      due: () => (raised ? Infinity : at),
    };
  };
}
