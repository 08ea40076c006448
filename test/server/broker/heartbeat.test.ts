// A heartbeat (QoS 0) is gathered for up to a second before it is taken (ingest.ts); the hub's next
// packet must not wait for that: its events are stored and acknowledged at once (issue 14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { HEARTBEAT_GATHER_MS } from '../../../server/src/ingest/ingest.ts';
import { connectHub, ev, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

describe('a heartbeat does not hold up the hub behind it', () => {
  const clock = new VirtualClock(Date.parse('2026-12-03T10:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  beforeAll(async () => {
    h = await startHearth({ clock });
    a = await seedOrg(h.hearth, 'Org Beat', 'hub-beat');
  });
  afterAll(async () => h.close());

  it("an event published right after a heartbeat is acknowledged without the heartbeat's second passing; the heartbeat arrives too", async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    const beats: number[] = [];
    h.hearth.services.bus.on('hub.heartbeat', (b) => void beats.push(b.seq));
    await hub.publishAsync(topics.heartbeat(a.hub.hubId), JSON.stringify({ seq: 41, ts: new Date(clock.now()).toISOString() }), { qos: 0 });
    // Apart, so the broker reads the two packets separately (it finishes one read's packets before the next read).
    await new Promise((r) => setTimeout(r, 100));
    // The virtual clock stands still: the heartbeat's second never ends; the event must not wait for it.
    const acked = hub.publishAsync(topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'after-beat', ts: new Date(clock.now()).toISOString() })), { qos: 1 });
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('timed out'), 3000));
    expect(await Promise.race([acked.then(() => 'acked'), timeout])).toBe('acked');
    expect(beats).toEqual([41]);
    // A heartbeat alone is taken when its second is up.
    await hub.publishAsync(topics.heartbeat(a.hub.hubId), JSON.stringify({ seq: 42, ts: new Date(clock.now()).toISOString() }), { qos: 0 });
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(HEARTBEAT_GATHER_MS);
    await h.hearth.settle();
    expect(beats).toEqual([41, 42]);
    hub.end(true);
  });
});
