import { describe, expect, it } from 'vitest';
import { AnomalyCore } from '../../../server/src/anomaly/core.ts';
import type { Detector } from '../../../server/src/anomaly/detector.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { makeHome } from './harness.ts';

const T0 = Date.parse('2026-01-12T10:00:00Z');
const ev = (hubId: string, t: number) => ({ hubId, id: `e${t}`, ts: t, receivedAt: t, sensor: 'kitchen-pir', type: 'motion' as const, value: true, battery: null, late: false });

describe('anomaly core scheduling', () => {
  it('ticks a home at its detectors\' due time, not before; a detector without due() makes it tick every tick', () => {
    const run = (factories: (() => Detector)[]): number[] => {
      const clock = new VirtualClock(T0);
      const homes = new Map([['hub-a', makeHome({ hubId: 'hub-a' })]]);
      const core = new AnomalyCore({ clock, homes: { get: (id) => homes.get(id) }, sink: () => {}, factories });
      core.start();
      core.process(ev('hub-a', T0));
      clock.advance(20 * 60_000);
      core.stop();
      return seen.splice(0);
    };
    const seen: number[] = [];
    let due = T0 + 10 * 60_000;
    const timed = (): Detector => ({
      name: 'timed',
      onEvent() {},
      onTick: (now) => {
        seen.push(now);
        due = Infinity; // done
      },
      due: () => due,
    });
    const timedTicks = run([timed]);
    expect(timedTicks).toEqual([T0 + 10 * 60_000]); // on the 15 s grid, exactly at its due time, once
    const legacy = (): Detector => ({ name: 'legacy', onEvent() {}, onTick: (now) => void seen.push(now) });
    expect(run([legacy])).toHaveLength(80); // every 15 s for 20 min
  });

  it('skips homes with nothing due, and a failing detector never stops the others', () => {
    const clock = new VirtualClock(T0);
    let ticked = 0;
    const idle = (): Detector => ({ name: 'idle', onEvent() {}, onTick: () => void ticked++, due: () => Infinity });
    const broken = (): Detector => ({ name: 'broken', onEvent() { throw new Error('boom'); } });
    const seen: string[] = [];
    const witness = (): Detector => ({ name: 'witness', onEvent: (e) => void seen.push(e.id) });
    const homes = new Map([['hub-a', makeHome({ hubId: 'hub-a' })]]);
    const core = new AnomalyCore({ clock, homes: { get: (id) => homes.get(id) }, sink: () => {}, factories: [idle, broken, witness] });
    core.start();
    core.process(ev('hub-a', T0));
    core.process(ev('hub-zzz', T0)); // unknown hub: ignored
    clock.advance(3_600_000);
    expect(ticked).toBe(0);
    expect(seen).toEqual([`e${T0}`]);
    expect(core.failures).toBe(1);
    expect(core.homeCount).toBe(1);
  });

  it('detectors see a re-commissioned home at once; a fixed source (replay) is asked once per home', () => {
    for (const fixed of [false, true]) {
      const homes = new Map([['hub-a', makeHome({ hubId: 'hub-a' })]]);
      let asked = 0;
      const seen: string[] = [];
      const watcher = (): Detector => ({ name: 'watcher', onEvent: (_e, ctx) => void seen.push(ctx.home.orgId) });
      const source = { get: (id: string) => (asked++, homes.get(id)), fixed };
      const core = new AnomalyCore({ clock: new VirtualClock(T0), homes: source, sink: () => {}, factories: [watcher] });
      core.process(ev('hub-a', T0));
      homes.set('hub-a', { ...makeHome({ hubId: 'hub-a' }), orgId: 'org-2' });
      core.process(ev('hub-a', T0 + 1000));
      if (fixed) {
        expect(seen).toEqual(['org-1', 'org-1']);
        expect(asked).toBe(1);
      } else {
        expect(seen).toEqual(['org-1', 'org-2']);
      }
    }
  });
});
