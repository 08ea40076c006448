import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import type { MqttClient } from 'mqtt';
import { connectHub, seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';

// The live server's timer-driven rules run on its injected clock: a VirtualClock here, so
// twenty minutes pass without waiting, while the fall and the heartbeats go through real MQTT.
describe('timer-driven detectors in the live server (VirtualClock, real MQTT)', () => {
  // A fixed weekday morning (London), so the day's other rules (not up, night window) are settled.
  const clock = new VirtualClock(Date.parse('2026-01-12T10:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let hub: MqttClient | undefined;
  let fx: Fixture;
  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Alliance', 'hub-0007');
  });
  afterAll(async () => {
    await hub?.endAsync();
    await h.close();
  });

  const openAlerts = async (): Promise<{ type: string; cause: { rule: string } }[]> => {
    const token = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    const res = await h.hearth.app.inject({ method: 'GET', url: '/api/alerts', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    return (res.json() as { alerts: { type: string; cause: { rule: string } }[] }).alerts;
  };

  it('a fall with no movement after it becomes a long lie 20 min later; missed heartbeats become hub-offline', async () => {
    hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    await hub.publishAsync(topics.heartbeat(fx.hub.hubId), JSON.stringify({ ts: new Date(clock.now()).toISOString(), seq: 1 }), { qos: 1 });
    const up = { id: 'up-1', ts: new Date(clock.now()).toISOString(), sensor: 'kitchen-pir', type: 'motion', value: true };
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify(up), { qos: 1 });
    await h.hearth.settle();
    clock.advance(30_000);
    const fall = { id: 'fall-1', ts: new Date(clock.now()).toISOString(), sensor: 'hall-fall', type: 'fall', value: true };
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify(fall), { qos: 1 });
    await h.hearth.settle();
    expect((await openAlerts()).map((a) => a.type)).toEqual(['fall']);

    clock.advance(19 * 60_000);
    await h.hearth.settle();
    expect((await openAlerts()).map((a) => a.type).sort()).toEqual(['fall', 'hub-offline']); // no heartbeat for 19 min
    clock.advance(2 * 60_000);
    await h.hearth.settle();
    const alerts = await openAlerts();
    expect(alerts.map((a) => a.type).sort()).toEqual(['fall', 'hub-offline', 'long-lie']);
    expect(alerts.find((a) => a.type === 'long-lie')!.cause.rule).toBe('long-lie-after-fall');
    expect(alerts.find((a) => a.type === 'hub-offline')!.cause.rule).toBe('hub-missed-heartbeats');
  });
});
