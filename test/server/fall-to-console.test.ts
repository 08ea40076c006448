import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { connectHub, ev, openStream, seedOrg, signIn, startHearth, type Fixture } from '../helpers/hearth.ts';

describe('a hub fall reaches the operator live', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  beforeAll(async () => {
    h = await startHearth();
    fx = await seedOrg(h.hearth, 'Alliance', 'hub-0001');
  });
  afterAll(async () => h.close());

  it('delivers the fall alert, with its cause, over the WebSocket within one second', async () => {
    const token = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    const stream = await openStream(h.hearth.ports.http, token);
    const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    const sent = Date.now();
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify(ev({ id: 'fall-1', sensor: 'hall-fall', type: 'fall', value: true })), { qos: 1 });
    const msg = await stream.next((m) => m.type === 'alert' && m.alert.type === 'fall', 1000);
    const latency = Date.now() - sent;
    expect(latency).toBeLessThan(1000);
    expect(msg.change).toBe('raised');
    expect(msg.alert.severity).toBe('urgent');
    expect(msg.alert.residentId).toBe(fx.residentId);
    expect(msg.alert.cause.rule).toBe('fall-detected');
    expect(msg.alert.cause.events[0]).toMatchObject({ id: 'fall-1', sensor: 'hall-fall', room: 'hall' });
    hub.end();
    stream.ws.close();
  });
});
