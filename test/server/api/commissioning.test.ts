import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { connectHub, ev, seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { waitFor } from '../../helpers/process.ts';

/** A hub that answers every command ok and keeps the commands it got. */
async function answeringHub(port: number, hubId: string, secret: string): Promise<{ client: MqttClient; commands: any[] }> {
  const client = await connectHub(port, hubId, secret);
  const commands: any[] = [];
  client.on('message', (_t, payload) => {
    const cmd = JSON.parse(payload.toString());
    commands.push(cmd);
    client.publish(topics.replies(hubId), JSON.stringify({ id: cmd.id, ok: true }), { qos: 1 });
  });
  await client.subscribeAsync(topics.commands(hubId), { qos: 1 });
  return { client, commands };
}

describe('commissioning API: register, place sensors, walk test, checklist, go live', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let other: Fixture;
  let installer: string;
  let operator: string;
  let otherInstaller: string;
  let secret: string;
  let hub: Awaited<ReturnType<typeof answeringHub>>;
  const HUB = 'hub-new-0001';

  beforeAll(async () => {
    h = await startHearth();
    fx = await seedOrg(h.hearth, 'Riverside', 'hub-river');
    other = await seedOrg(h.hearth, 'Elsewhere', 'hub-else');
    installer = await signIn(h.hearth, fx.users.installer.username, fx.users.installer.password);
    operator = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    otherInstaller = await signIn(h.hearth, other.users.installer.username, other.users.installer.password);
  });
  afterAll(async () => {
    hub?.client.end(true);
    await h.close();
  });

  const call = (method: string, url: string, token: string, payload?: object) =>
    h.hearth.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  const publish = async (events: object[]) => {
    await hub.client.publishAsync(topics.events(HUB), JSON.stringify({ events }), { qos: 1 });
    await h.hearth.settle();
  };

  it('registers a hub: the secret once, with a gateway config that names the broker; operators may not, names are unique', async () => {
    expect((await call('POST', '/api/hubs', operator, { hubId: HUB })).statusCode).toBe(403);
    const res = await call('POST', '/api/hubs', installer, { hubId: HUB, name: 'Flat 4' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    secret = body.secret;
    expect(secret.length).toBeGreaterThan(20);
    expect(body.gatewayConfig).toMatchObject({ hubId: HUB, secret, server: { url: `mqtt://localhost:${h.hearth.ports.mqtt}` }, power: 'mains' });
    expect((await call('POST', '/api/hubs', installer, { hubId: HUB })).json().code).toBe('HEARTH_ERR_CONFLICT');
    const list = (await call('GET', '/api/hubs', installer)).json().hubs.find((x: any) => x.id === HUB);
    expect(list).toMatchObject({ phase: 'commissioning', state: 'never-seen', residents: [] });
  });

  it('an uncommissioned pendant still raises the urgent call, marked as from a home being commissioned and an uncommissioned sensor', async () => {
    hub = await answeringHub(h.hearth.ports.mqtt, HUB, secret);
    await hub.client.publishAsync(topics.status(HUB), JSON.stringify({ state: 'online', ts: new Date().toISOString(), power: 'mains' }), { qos: 1, retain: true });
    await publish([ev({ sensor: 'pendant-1', type: 'call', value: 'pressed' })]);
    const alerts = (await call('GET', '/api/alerts?state=open', operator)).json().alerts.filter((a: any) => a.hubId === HUB);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'call', severity: 'urgent', commissioning: { homeBeingCommissioned: true, uncommissionedSensors: ['pendant-1'] } });
    // The same alarm in a live home, from an uncommissioned sensor: raised, marked for the sensor only.
    const live = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    await live.publishAsync(topics.events(fx.hub.hubId), JSON.stringify(ev({ sensor: 'spare-pendant', type: 'call', value: 'pressed' })), { qos: 1 });
    await h.hearth.settle();
    live.end(true);
    const a2 = (await call('GET', '/api/alerts?state=open', operator)).json().alerts.find((a: any) => a.hubId === fx.hub.hubId);
    expect(a2).toMatchObject({ type: 'call', commissioning: { homeBeingCommissioned: false, uncommissionedSensors: ['spare-pendant'] } });
  });

  it('places sensors and sends the gateway its commissioning (config command), acknowledged', async () => {
    for (const [sensorId, type, room, role] of [
      ['pendant-1', 'call', 'worn', 'pendant'],
      ['hall-fall', 'fall', 'hall', null],
      ['front-door', 'door', 'hall', 'exterior-door'],
    ] as const) {
      const res = await call('PUT', `/api/hubs/${HUB}/sensors/${sensorId}`, installer, { type, room, role });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect((await call('PUT', `/api/hubs/${HUB}/sensors/x`, operator, { type: 'door', room: 'hall' })).statusCode).toBe(403);
    const bad = await call('PUT', `/api/hubs/${HUB}/sensors/x`, installer, { type: 'teleporter', room: 'hall' });
    expect(bad.json().code).toBe('HEARTH_ERR_VALIDATION');
    const last = await waitFor(() => {
      const cfgs = hub.commands.filter((c) => c.cmd === 'config');
      const c = cfgs[cfgs.length - 1];
      return c?.sensors?.length === 3 ? c : undefined;
    }, 10_000, 'config command with three sensors');
    expect(last.sensors).toContainEqual({ sensor: 'front-door', type: 'door', room: 'hall', role: 'exterior-door' });
    await waitFor(async () => (await call('GET', `/api/hubs/${HUB}/commissioning`, installer)).json().state.gatewayInSync, 10_000, 'gateway in sync');
  });

  it('walk test ticks off each sensor as it is heard; go-live is refused, saying what is missing', async () => {
    expect((await call('POST', `/api/hubs/${HUB}/walk-test`, installer)).statusCode).toBe(200);
    await publish([ev({ sensor: 'front-door', type: 'door', value: 'open' })]);
    const walk = (await call('GET', `/api/hubs/${HUB}/walk-test`, installer)).json();
    const tested = Object.fromEntries(walk.sensors.map((s: any) => [s.sensorId, s.testedAt !== null]));
    expect(tested).toEqual({ 'front-door': true, 'hall-fall': false, 'pendant-1': false });
    expect(walk.events[0]).toMatchObject({ sensor: 'front-door', type: 'door', value: 'open' });
    const refused = await call('POST', `/api/hubs/${HUB}/go-live`, installer);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toMatch(/every sensor tested \(Not yet heard: hall-fall, pendant-1\.\)/);
    expect(refused.json().message).toMatch(/resident linked/);
  });

  it('completes the checklist (alarms end to end, resident, consent, mains and battery) and puts the home live', async () => {
    await publish([ev({ sensor: 'pendant-1', type: 'call', value: 'pressed' }), ev({ sensor: 'hall-fall', type: 'fall', value: true }), ev({ sensor: 'hub-power', type: 'power', value: 'battery' })]);
    await publish([ev({ sensor: 'hub-power', type: 'power', value: 'mains' })]);
    let items = (await call('GET', `/api/hubs/${HUB}/commissioning`, installer)).json().checklist;
    expect(items.find((i: any) => i.id === 'pendant-tested')).toMatchObject({ done: false, detail: expect.stringMatching(/waiting for an operator to acknowledge/) });
    for (const a of (await call('GET', '/api/alerts?state=open', operator)).json().alerts.filter((x: any) => x.hubId === HUB)) {
      expect((await call('POST', `/api/alerts/${a.id}/ack`, operator)).statusCode).toBe(200);
    }
    const d = h.hearth.services.directory;
    const r = await d.addResident({ orgId: fx.orgId, neighbourhoodId: fx.neighbourhoodId, name: 'Ada Lovelace', hubId: HUB });
    await d.setConsent(fx.orgId, r.id, { monitoring: true, shareWithContacts: false }, fx.users.coordinator.id);
    items = (await call('GET', `/api/hubs/${HUB}/commissioning`, installer)).json().checklist;
    expect(items.filter((i: any) => !i.done)).toEqual([]);
    const res = await call('POST', `/api/hubs/${HUB}/go-live`, installer);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().state).toMatchObject({ phase: 'live', liveBy: fx.users.installer.id });
    // Live now: a new alarm from a commissioned sensor carries no mark.
    expect((await call('PUT', `/api/hubs/${HUB}/sensors/kitchen-smoke`, installer, { type: 'smoke', room: 'kitchen', role: 'kitchen' })).statusCode).toBe(200);
    await publish([ev({ sensor: 'kitchen-smoke', type: 'smoke', value: true })]);
    const smoke = (await call('GET', '/api/alerts?state=open', operator)).json().alerts.find((a: any) => a.hubId === HUB && a.type === 'smoke');
    expect(smoke).toMatchObject({ severity: 'urgent', commissioning: null });
    const hubs = (await call('GET', '/api/hubs', installer)).json().hubs;
    expect(hubs.find((x: any) => x.id === HUB)).toMatchObject({ phase: 'live', state: 'online', residents: [{ name: 'Ada Lovelace' }] });
  });

  it('unmapped devices and availability are kept and shown; a bad report is set aside with its reason', async () => {
    const ts = new Date().toISOString();
    await hub.client.publishAsync(topics.unmapped(HUB), JSON.stringify({ ts, device: 'SOS button', adapter: 'zigbee2mqtt', reason: 'unknown-device', properties: ['action'], payload: { action: 'emergency', battery: 90 } }), { qos: 1 });
    await hub.client.publishAsync(topics.availability(HUB), JSON.stringify({ ts, sensor: null, online: false, source: 'zigbee2mqtt/bridge/state' }), { qos: 1 });
    await hub.client.publishAsync(topics.availability(HUB), '{"ts":"yesterday"}', { qos: 1 });
    const un = (await call('GET', `/api/hubs/${HUB}/unmapped`, installer)).json();
    expect(un.devices).toMatchObject([{ device: 'SOS button', reason: 'unknown-device', payload: '{"action":"emergency","battery":90}' }]);
    const health = (await call('GET', '/api/hub-health', installer)).json().items.filter((i: any) => i.hubId === HUB);
    expect(health.map((i: any) => i.kind).sort()).toEqual(['bridge-offline', 'unmapped-device']);
    expect(health[0].whatToDo).toMatch(/Zigbee/);
    const rej = (await call('GET', `/api/hubs/${HUB}/rejections`, installer)).json();
    expect(rej.rejections[0]).toMatchObject({ reason: 'HEARTH_ERR_INGEST_SCHEMA', topic: topics.availability(HUB) });
    // Map it: the gateway gets the mapping, the device leaves the unmapped list.
    const before = hub.commands.length;
    const m = await call('PUT', `/api/hubs/${HUB}/mappings`, installer, { device: 'SOS button', sensor: 'sos-button', fields: [{ property: 'action', type: 'call', values: { emergency: 'pressed' }, emit: 'always' }] });
    expect(m.statusCode, m.body).toBe(200);
    const cfg = await waitFor(() => hub.commands.slice(before).find((c) => c.cmd === 'config'), 10_000, 'config with mappings');
    expect(cfg.mappings).toEqual([{ device: 'SOS button', sensor: 'sos-button', fields: [{ property: 'action', type: 'call', values: { emergency: 'pressed' }, emit: 'always' }] }]);
    expect((await call('GET', `/api/hubs/${HUB}/unmapped`, installer)).json().devices).toEqual([]);
  });

  it('hub health lists tamper, low batteries and silent sensors, each with what to do, most pressing first', async () => {
    await publish([ev({ sensor: 'front-door', type: 'tamper', value: true }), ev({ sensor: 'hall-fall', type: 'battery', value: 12 })]);
    // The motion sensor was last heard 30 hours ago (its kind is silent after 24 h).
    await h.hearth.services.db.updateTable('sensors').set({ last_seen_at: Date.now() - 30 * 3600_000 }).where('hub_id', '=', fx.hub.hubId).where('sensor_id', '=', 'kitchen-pir').execute();
    const items = (await call('GET', '/api/hub-health', installer)).json().items as any[];
    const of = (kind: string) => items.find((i) => i.kind === kind);
    expect(of('tamper')).toMatchObject({ hubId: HUB, sensorId: 'front-door', whatToDo: expect.stringMatching(/refit/) });
    expect(of('low-battery')).toMatchObject({ hubId: HUB, sensorId: 'hall-fall', problem: 'Battery at 12%.' });
    expect(of('sensor-silent')).toMatchObject({ hubId: fx.hub.hubId, sensorId: 'kitchen-pir', residents: [`Resident of ${fx.hub.hubId}`] });
    const ranks = items.map((i) => i.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    // Cleared tamper leaves the list.
    await publish([ev({ sensor: 'front-door', type: 'tamper', value: false })]);
    expect(((await call('GET', '/api/hub-health', installer)).json().items as any[]).some((i) => i.kind === 'tamper')).toBe(false);
  });

  it('one status: a hub that disconnected is offline, whatever its retained status said', async () => {
    hub.client.end(true); // no goodbye: the retained status still says online until the will lands
    await waitFor(() => !h.hearth.services.broker.isConnected(HUB), 5000, 'disconnect');
    const row = (await call('GET', '/api/hubs', installer)).json().hubs.find((x: any) => x.id === HUB);
    expect(row.state).toBe('offline');
    expect(row.connected).toBe(false);
  });

  it('other organisations see none of it', async () => {
    expect((await call('GET', '/api/hubs', otherInstaller)).json().hubs.map((x: any) => x.id)).toEqual(['hub-else']);
    for (const [method, url, body] of [
      ['GET', `/api/hubs/${HUB}/commissioning`],
      ['GET', `/api/hubs/${HUB}/walk-test`],
      ['POST', `/api/hubs/${HUB}/walk-test`],
      ['POST', `/api/hubs/${HUB}/go-live`],
      ['GET', `/api/hubs/${HUB}/unmapped`],
      ['PUT', `/api/hubs/${HUB}/sensors/front-door`, { type: 'door', room: 'x' }],
      ['PUT', `/api/hubs/${HUB}/mappings`, { device: 'd', sensor: 's', fields: [{ property: 'p', type: 'door' }] }],
    ] as const) {
      expect((await call(method, url, otherInstaller, body)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await call('GET', '/api/hub-health', otherInstaller)).json().items.some((i: any) => i.hubId === HUB)).toBe(false);
  });
});
