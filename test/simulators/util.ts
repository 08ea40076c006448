import type { HubEvent } from '../../protocol/index.ts';
import { localTime } from '../../simulators/src/generate.ts';

/** Events that show someone moving about at home (motion seen, doors, pads). */
export function isActivity(e: HubEvent): boolean {
  return (e.type === 'motion' && e.value === true) || e.type === 'door' || e.type === 'bed' || e.type === 'chair';
}

/** Time of an event, ms. */
export const at = (e: { ts: string }): number => Date.parse(e.ts);

/**
 * The morning rising of each local day: the first bed "out" after 04:00 local
 * not followed by a bed "in" within two hours (night trips go back to bed).
 */
export function risings(events: readonly HubEvent[], tz: string): Map<string, { t: number; minutes: number }> {
  const bed = events.filter((e) => e.type === 'bed');
  const out = new Map<string, { t: number; minutes: number }>();
  for (let i = 0; i < bed.length; i++) {
    const e = bed[i]!;
    if (e.value !== 'out') continue;
    const next = bed[i + 1];
    if (next && at(next) - at(e) < 2 * 3600_000) continue;
    const l = localTime(tz, e.ts);
    if (l.minutes < 240 || out.has(l.date)) continue;
    out.set(l.date, { t: at(e), minutes: l.minutes });
  }
  return out;
}

/** Minutes of [from, to) that fall inside the daily local window [start, end) (which may wrap midnight). */
export function minutesInWindow(tz: string, from: number, to: number, start: number, end: number): number {
  // Five-minute steps: plenty for spans of hours.
  let n = 0;
  for (let t = from; t < to; t += 5 * 60_000) {
    const m = localTime(tz, new Date(t).toISOString()).minutes;
    const inside = start <= end ? m >= start && m < end : m >= start || m < end;
    if (inside) n += Math.min(5, (to - t) / 60_000);
  }
  return n;
}
