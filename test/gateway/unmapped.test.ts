import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayConfigSchema } from '../../gateway/src/config.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { SystemClock } from '../../server/src/clock.ts';
import { seedOrg, signIn, startHearth, tempDir, type Fixture } from '../helpers/hearth.ts';
import { waitFor } from '../helpers/process.ts';
import { skipWithoutMosquitto, startMosquitto, testLog, until } from './helpers.ts';

// Zigbee2MQTT's bridge/devices entries and state payloads, in the shapes it publishes (zigbee2mqtt.io/devices/<MODEL>.html).
const DEVICES = [
  { friendly_name: 'Kitchen motion', definition: { model: 'RTCGQ11LM', vendor: 'Aqara' } },
  { friendly_name: 'Hall climate', definition: { model: 'WSDCGQ11LM', vendor: 'Aqara' } },
  { friendly_name: 'Lounge presence', definition: { model: 'RTCZCGQ11LM', vendor: 'Aqara', description: 'Presence sensor FP1' } },
  { friendly_name: 'Kettle plug', definition: { model: 'ZNCZ02LM', vendor: 'Aqara', description: 'Smart plug' } },
  { friendly_name: 'SOS button', definition: { model: 'HS1EB/HS1EB-E', vendor: 'HEIMAN', description: 'Emergency button' } },
  { friendly_name: 'Bed pad', definition: { model: 'BED-PAD-X', vendor: 'Generic', description: 'Bed occupancy pad' } },
];

/**
 * Devices the gateway hears but cannot map reach the server with their raw
 * payload, never dropped without a word; the installer's mapping comes back
 * to the gateway; Zigbee availability and the bridge going offline reach the
 * server at once. Real Zigbee2MQTT payloads on a real Mosquitto, a real server.
 */
describe.skipIf(skipWithoutMosquitto())('unmapped devices and availability, gateway to server and back', () => {
  let local: Awaited<ReturnType<typeof startMosquitto>>;
  let z2m: MqttClient;
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let gateway: Gateway;
  let installer: string;
  const gwDir = tempDir('hearth-unmapped-gw-');
  const lines: string[] = [];

  beforeAll(async () => {
    local = await startMosquitto();
    z2m = await mqtt.connectAsync(local.url, { clientId: 'zigbee2mqtt-stand-in' });
    await z2m.publishAsync('zigbee2mqtt/bridge/devices', JSON.stringify(DEVICES), { retain: true, qos: 1 });
    await z2m.publishAsync('zigbee2mqtt/bridge/state', JSON.stringify({ state: 'online' }), { retain: true, qos: 1 });
    h = await startHearth();
    fx = await seedOrg(h.hearth, 'Riverside', 'hub-z2m');
    installer = await signIn(h.hearth, fx.users.installer.username, fx.users.installer.password);
    const config = {
      ...GatewayConfigSchema.parse({
        hubId: fx.hub.hubId,
        secret: fx.hub.secret,
        server: { url: `mqtt://127.0.0.1:${h.hearth.ports.mqtt}` },
        dataDir: gwDir.dir,
        power: 'mains',
        adapters: [{ kind: 'zigbee2mqtt', url: local.url, devices: { 'Kitchen motion': { sensor: 'kitchen-pir' } } }],
      }),
      secret: fx.hub.secret,
    };
    gateway = new Gateway({ config, clock: new SystemClock(), log: testLog, walkTest: true, out: (l) => lines.push(l) });
    await gateway.start();
    await until(() => h.hearth.services.broker.isConnected(fx.hub.hubId), { what: 'gateway connected', realMs: 10_000 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await z2m?.endAsync();
    await local?.stop();
    await h?.close();
    gwDir.remove();
  });

  const api = (method: string, url: string, payload?: object) =>
    h.hearth.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${installer}` }, ...(payload ? { payload } : {}) });
  const pub = (topic: string, payload: unknown) => z2m.publishAsync(`zigbee2mqtt/${topic}`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  const unmapped = async () => (await api('GET', `/api/hubs/${fx.hub.hubId}/unmapped`)).json().devices as { device: string; reason: string; payload: string }[];

  it('reports an SOS button, an FP1, a plug, humidity and a guessed bed pad to the server with their raw payloads', async () => {
    await pub('Kitchen motion', { battery: 87, illuminance: 145, linkquality: 120, occupancy: true, voltage: 3005 }); // fully mapped: not reported
    await pub('SOS button', { action: 'emergency', battery: 100, linkquality: 90 });
    await pub('Lounge presence', { presence: true, presence_event: 'enter', region_id: 1, linkquality: 130 });
    await pub('Kettle plug', { power: 1850.2, energy: 12.4, state: 'ON', voltage: 238, linkquality: 110 });
    await pub('Hall climate', { temperature: 19.5, humidity: 61.2, pressure: 1012, battery: 80, voltage: 2995, linkquality: 99 });
    await pub('Bed pad', { occupancy: true, battery: 70, linkquality: 80 });
    const devices = await waitFor(async () => {
      const d = await unmapped();
      return d.length === 5 ? d : undefined;
    }, 10_000, 'five unmapped devices at the server');
    const by = Object.fromEntries(devices.map((d) => [d.device, d]));
    expect(by['SOS button']).toMatchObject({ reason: 'unknown-device', payload: '{"action":"emergency","battery":100,"linkquality":90}' });
    expect(by['Lounge presence']!.reason).toBe('unknown-device');
    expect(by['Kettle plug']!.payload).toContain('"power":1850.2');
    expect(by['Hall climate']!.reason).toBe('unmapped-property: humidity, pressure');
    expect(by['Bed pad']!.reason).toBe('unknown-device'); // mapped by guess as motion, and said so
    expect(by['Kitchen motion']).toBeUndefined();
    // The guessed bed pad's motion still arrives (nothing dropped), and the walk test says what was reported.
    await waitFor(async () => (await api('GET', `/api/hubs/${fx.hub.hubId}/sensors`)).json().sensors.some((s: any) => s.sensorId === 'bed-pad' && s.type === 'motion'), 5000, 'bed pad motion');
    expect(lines.join('\n')).toMatch(/\? SOS button \[zigbee2mqtt\]: unknown model: action; reported to the server/);
  });

  it("the installer's mapping goes back to the gateway: the SOS button's emergency becomes a call", async () => {
    const res = await api('PUT', `/api/hubs/${fx.hub.hubId}/mappings`, { device: 'SOS button', sensor: 'sos-button', fields: [{ property: 'action', type: 'call', values: { emergency: 'pressed' }, emit: 'always' }] });
    expect(res.statusCode, res.body).toBe(200);
    await waitFor(async () => (await api('GET', `/api/hubs/${fx.hub.hubId}/commissioning`)).json().state.gatewayInSync, 10_000, 'gateway has the mapping');
    await pub('SOS button', { action: 'emergency', battery: 100, linkquality: 91 });
    const operator = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    const alert = await waitFor(async () => {
      const r = await h.hearth.app.inject({ method: 'GET', url: '/api/alerts?state=open', headers: { authorization: `Bearer ${operator}` } });
      return (r.json().alerts as any[]).find((a) => a.type === 'call' && a.hubId === fx.hub.hubId);
    }, 10_000, 'call alert from the SOS button');
    expect(alert.severity).toBe('urgent');
    expect(alert.commissioning).toEqual({ homeBeingCommissioned: false, uncommissionedSensors: ['sos-button'] });
    expect((await unmapped()).map((d) => d.device)).not.toContain('SOS button');
  });

  it('a device going unreachable and the bridge going offline reach the server at once, not days later as silence', async () => {
    await pub('Kitchen motion/availability', { state: 'offline' });
    await pub('bridge/state', { state: 'offline' });
    const items = await waitFor(async () => {
      const r = (await api('GET', '/api/hub-health')).json().items as { kind: string; sensorId: string | null }[];
      return r.some((i) => i.kind === 'bridge-offline') && r.some((i) => i.kind === 'sensor-offline') ? r : undefined;
    }, 10_000, 'availability on the hub health page');
    expect(items.find((i) => i.kind === 'sensor-offline')!.sensorId).toBe('kitchen-pir');
    // The hub page's sensor list says so too.
    const sensors = (await api('GET', `/api/hubs/${fx.hub.hubId}/sensors`)).json().sensors as any[];
    expect(sensors.find((s) => s.sensorId === 'kitchen-pir').reachable).toMatchObject({ online: false });
    await pub('bridge/state', { state: 'online' });
    await waitFor(async () => !((await api('GET', '/api/hub-health')).json().items as { kind: string }[]).some((i) => i.kind === 'bridge-offline'), 10_000, 'bridge back online');
  });
});
