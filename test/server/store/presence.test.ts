import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import type { Hearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { connectHub, seedOrg, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { startWith } from '../trends/routine.ts';

const T0 = Date.parse('2026-06-01T08:00:00Z');
const MIN = 60_000;

describe('hub uptime from heartbeats', () => {
  const tmp = tempDir();
  const clock = new VirtualClock(T0);
  let h: Hearth;
  let fx: Fixture;
  beforeAll(async () => {
    h = await startWith(tmp.dir, clock);
    fx = await seedOrg(h, 'Alliance', 'hub-0621');
  });
  afterAll(async () => {
    await h.stop();
    tmp.remove();
  });

  it('counts the five-minute slots in which the hub was heard', async () => {
    const hub = await connectHub(h.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    // Heard for the first hour (a heartbeat a minute), then silent for the second.
    for (let m = 0; m < 60; m++) {
      await hub.publishAsync(topics.heartbeat(fx.hub.hubId), JSON.stringify({ ts: new Date(clock.now()).toISOString(), seq: m }), { qos: 1 });
      clock.advance(MIN);
    }
    await hub.endAsync();
    clock.advance(60 * MIN);
    await h.settle();
    const p = h.history.presence;
    expect(await p.uptime(fx.hub.hubId, T0, T0 + 60 * MIN)).toBe(1);
    expect(await p.uptime(fx.hub.hubId, T0, T0 + 120 * MIN)).toBe(0.5);
    expect(await p.uptime(fx.hub.hubId, T0 + 60 * MIN, T0 + 120 * MIN)).toBe(0);
    expect(await p.uptime('hub-unknown', T0, T0 + 60 * MIN)).toBe(0);
  });
});
