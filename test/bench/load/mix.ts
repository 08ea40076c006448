// The event mix of the load generator: a simulated resident's day (the simulators' own
// routine, standard layout), replayed in a loop with fresh ids and current times.
import type { HubEvent } from '../../../protocol/index.ts';
import { generateHome } from '../../../simulators/src/generate.ts';

/** One template event: what a sensor said, without id or time. */
export type Template = Pick<HubEvent, 'sensor' | 'type' | 'value'>;

/** Alarm kinds are left out of the background mix: the fall-to-console probe sends its own. */
const ALARMS = new Set(['fall', 'call', 'smoke', 'water']);

/** A realistic mix of routine sensor events (motion, doors, appliances, temperature, battery...). */
export function eventMix(seed: number): Template[] {
  const g = generateHome({ hubId: 'load-mix', seed, start: '2026-11-02', days: 2, motionScale: 3 });
  return g.events.filter((e) => !ALARMS.has(e.type)).map((e) => ({ sensor: e.sensor, type: e.type, value: e.value }));
}

/** A generator of events for one hub: cycles through the mix, ids unique per run. */
export function hubEvents(mix: readonly Template[], runId: string, hubIndex: number): () => HubEvent {
  let i = (hubIndex * 7919) % mix.length;
  let n = 0;
  return () => {
    const t = mix[i]!;
    i = (i + 1) % mix.length;
    return { id: `${runId}-${hubIndex.toString(36)}-${(n++).toString(36)}`, ts: new Date().toISOString(), sensor: t.sensor, type: t.type, value: t.value } as HubEvent;
  };
}
