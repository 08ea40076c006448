import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { connectHub, ev, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

describe('hub authentication and topic rights', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  let b: Fixture;
  beforeAll(async () => {
    h = await startHearth();
    a = await seedOrg(h.hearth, 'Org A', 'hub-aaa');
    b = await seedOrg(h.hearth, 'Org B', 'hub-bbb');
  });
  afterAll(async () => h.close());

  it('refuses a wrong secret, an unknown hub, and a client id that is not the hub id', async () => {
    await expect(connectHub(h.hearth.ports.mqtt, a.hub.hubId, 'not-the-secret')).rejects.toThrow(/Bad username or password|Not authorized|connack|closed/i);
    await expect(connectHub(h.hearth.ports.mqtt, 'hub-nobody', a.hub.secret)).rejects.toThrow();
    await expect(connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret, { clientId: 'hub-bbb' })).rejects.toThrow();
    // b's secret does not open a's hub
    await expect(connectHub(h.hearth.ports.mqtt, a.hub.hubId, b.hub.secret)).rejects.toThrow();
    expect(h.hearth.services.broker.counters.authFailures).toBeGreaterThanOrEqual(4);
  });

  it("refuses a publish on another hub's topic (disconnecting the offender) and stores nothing", async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    const closed = new Promise<void>((resolve) => hub.once('close', () => resolve()));
    hub.publish(topics.events(b.hub.hubId), JSON.stringify(ev({ id: 'forged', sensor: 'hall-fall', type: 'fall', value: true })), { qos: 1 });
    await closed;
    await h.hearth.settle();
    const forged = await h.hearth.services.db.selectFrom('events').select('event_id').where('event_id', '=', 'forged').execute();
    expect(forged).toHaveLength(0);
    const alerts = await h.hearth.services.db.selectFrom('alerts').select('id').where('hub_id', '=', b.hub.hubId).execute();
    expect(alerts).toHaveLength(0);
    expect(h.hearth.services.broker.counters.aclRefusals).toBeGreaterThanOrEqual(1);
    hub.end(true);
  });

  it("refuses a subscription to another hub's commands, but grants its own", async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    // MQTT.js reports a SUBACK failure code (0x80) as an error.
    await expect(hub.subscribeAsync(topics.commands(b.hub.hubId), { qos: 1 })).rejects.toThrow(/Subscribe error/);
    expect(hub.connected).toBe(true);
    const granted = await hub.subscribeAsync(topics.commands(a.hub.hubId), { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    // own commands do arrive
    const got = new Promise<string>((resolve) => hub.once('message', (_t, p) => resolve(p.toString())));
    await h.hearth.services.broker.sendCommand(a.hub.hubId, { id: 'c1', cmd: 'ping' });
    expect(JSON.parse(await got)).toEqual({ id: 'c1', cmd: 'ping' });
    hub.end();
  });

  it('accepts MQTT over WebSocket with the same credentials', async () => {
    const client = mqtt.connect(`ws://127.0.0.1:${h.hearth.ports.http}/mqtt`, { clientId: a.hub.hubId, username: a.hub.hubId, password: a.hub.secret, reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.publishAsync(topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'over-ws' })), { qos: 1 });
    const row = await h.hearth.services.db.selectFrom('events').select('event_id').where('event_id', '=', 'over-ws').executeTakeFirst();
    expect(row?.event_id).toBe('over-ws'); // PUBACK came after the store, so it is there already
    client.end();
  });
});
