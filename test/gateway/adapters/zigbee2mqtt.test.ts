import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvailabilityNotice, SensorReading } from '../../../gateway/src/adapters/adapter.ts';
import { Zigbee2MqttAdapter, Zigbee2MqttConfigSchema } from '../../../gateway/src/adapters/zigbee2mqtt.ts';
import { ZIGBEE2MQTT_FALLBACK, ZIGBEE2MQTT_MODELS } from '../../../gateway/src/adapters/zigbee2mqtt-models.ts';
import { GatewayConfigSchema } from '../../../gateway/src/config.ts';
import { CRITICAL_TYPES } from '../../../gateway/src/outbox.ts';
import { Gateway } from '../../../gateway/src/gateway.ts';
import { SystemClock } from '../../../server/src/clock.ts';
import { seedOrg, startHearth, tempDir } from '../../helpers/hearth.ts';
import { freePort, skipWithoutMosquitto, startMosquitto, testLog, until } from '../helpers.ts';

// Payloads in the shapes Zigbee2MQTT publishes (sources in docs/gateway.md).
const DEVICES = [
  { ieee_address: '0x00158d0001a1b2c3', type: 'EndDevice', network_address: 4211, supported: true, friendly_name: 'Kitchen motion', definition: { model: 'RTCGQ11LM', vendor: 'Aqara', description: 'Motion sensor' }, interview_completed: true },
  { ieee_address: '0x00158d0001d4e5f6', type: 'EndDevice', network_address: 5120, supported: true, friendly_name: 'Front door', definition: { model: 'MCCGQ11LM', vendor: 'Aqara', description: 'Door and window sensor' }, interview_completed: true },
  { ieee_address: '0xa4c1380f1e2d3c4b', type: 'Router', network_address: 3301, supported: true, friendly_name: 'Bathroom radar', definition: { model: 'MIR-HE200-TY', vendor: 'Tuya', description: 'Human presence sensor with fall function' }, interview_completed: true },
  { ieee_address: '0x0000000000000000', type: 'Coordinator', network_address: 0, supported: true, friendly_name: 'Coordinator', definition: null, interview_completed: true },
];

describe.skipIf(skipWithoutMosquitto())('Zigbee2MQTT adapter against a real Mosquitto', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let z2m: MqttClient; // plays Zigbee2MQTT on the home's local broker
  beforeAll(async () => {
    broker = await startMosquitto();
    z2m = await mqtt.connectAsync(broker.url, { clientId: 'zigbee2mqtt-stand-in' });
    await z2m.publishAsync('zigbee2mqtt/bridge/devices', JSON.stringify(DEVICES), { retain: true, qos: 1 });
    await z2m.publishAsync('zigbee2mqtt/bridge/state', JSON.stringify({ state: 'online' }), { retain: true, qos: 1 });
  });
  afterAll(async () => {
    await z2m?.endAsync();
    await broker?.stop();
  });

  async function adapterWith(devices: Record<string, { sensor: string; model?: string }>) {
    const readings: SensorReading[] = [];
    const notices: AvailabilityNotice[] = [];
    const adapter = new Zigbee2MqttAdapter(Zigbee2MqttConfigSchema.parse({ kind: 'zigbee2mqtt', url: broker.url, devices }), testLog);
    await adapter.start({ reading: (r) => readings.push(r), availability: (n) => notices.push(n) });
    return { adapter, readings, notices };
  }

  it('maps motion, door contact, fall radar and availability messages to Hearth readings', async () => {
    const { adapter, readings, notices } = await adapterWith({ 'Kitchen motion': { sensor: 'kitchen-pir' }, 'Front door': { sensor: 'front-door' }, 'Bathroom radar': { sensor: 'bathroom-radar' } });
    await until(() => notices.some((n) => n.sensor === null), { what: 'retained bridge state' });
    expect(notices[0]).toMatchObject({ sensor: null, online: true });

    const pub = (topic: string, payload: unknown) => z2m.publishAsync(`zigbee2mqtt/${topic}`, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
    await pub('Kitchen motion', { battery: 87, device_temperature: 23, illuminance: 145, illuminance_lux: 145, linkquality: 120, occupancy: true, power_outage_count: 4, voltage: 3005 });
    await pub('Kitchen motion', { battery: 87, device_temperature: 23, illuminance: 140, illuminance_lux: 140, linkquality: 117, occupancy: false, power_outage_count: 4, voltage: 3005 });
    await pub('Front door', { battery: 91, contact: false, device_temperature: 19, linkquality: 96, power_outage_count: 2, voltage: 3015 });
    await pub('Front door', { battery: 91, contact: false, device_temperature: 19, linkquality: 99, power_outage_count: 2, voltage: 3015 }); // unchanged: no event
    await pub('Front door', { battery: 91, contact: true, device_temperature: 19, linkquality: 99, power_outage_count: 2, voltage: 3015 });
    await pub('Bathroom radar', { presence: true, fall_down_status: 'none', static_dwell_alarm: 'none', target_distance: 1.2, illuminance_lux: 80, motion_speed: 2, linkquality: 150 });
    await pub('Bathroom radar', { presence: true, fall_down_status: 'maybe_fall', static_dwell_alarm: 'none', target_distance: 0.4, illuminance_lux: 80, motion_speed: 0, linkquality: 150 });
    await pub('Bathroom radar', { presence: true, fall_down_status: 'fall', static_dwell_alarm: 'none', target_distance: 0.3, illuminance_lux: 80, motion_speed: 0, linkquality: 150 });
    await pub('Front door/availability', { state: 'offline' });
    await pub('Kitchen motion/availability', 'offline'); // legacy plain payload
    await pub('Kitchen motion/set', { occupancy_timeout: 90 }); // a request, not state
    await pub('bridge/state', 'offline');
    await until(() => notices.length >= 4 && readings.length >= 8, { what: 'all messages' });

    expect(readings.map(({ sensor, type, value, battery }) => ({ sensor, type, value, battery }))).toEqual([
      { sensor: 'kitchen-pir', type: 'motion', value: true, battery: 87 },
      { sensor: 'kitchen-pir', type: 'battery', value: 87, battery: undefined },
      { sensor: 'kitchen-pir', type: 'motion', value: false, battery: 87 },
      { sensor: 'front-door', type: 'door', value: 'open', battery: 91 },
      { sensor: 'front-door', type: 'battery', value: 91, battery: undefined },
      { sensor: 'front-door', type: 'door', value: 'closed', battery: 91 },
      { sensor: 'bathroom-radar-presence', type: 'motion', value: true, battery: undefined },
      { sensor: 'bathroom-radar', type: 'fall', value: 0.5, battery: undefined },
      { sensor: 'bathroom-radar', type: 'fall', value: true, battery: undefined },
    ]);
    expect(notices.slice(1).map(({ sensor, online }) => ({ sensor, online }))).toEqual([
      { sensor: 'front-door', online: false },
      { sensor: 'kitchen-pir', online: false },
      { sensor: null, online: false },
    ]);
    await adapter.stop();
  });

  it('gives an unconfigured device a sensor id from its friendly name and the model it learnt from bridge/devices', async () => {
    const { adapter, readings } = await adapterWith({});
    // Retained bridge/devices reaches the adapter on subscription, before this publish.
    await z2m.publishAsync('zigbee2mqtt/Bathroom radar', JSON.stringify({ presence: false, fall_down_status: 'fall', linkquality: 150 }), { qos: 1 });
    await until(() => readings.length >= 2, { what: 'radar readings' });
    // The learnt model (MIR-HE200-TY) names the fall sensor after the device; the fallback rules would add "-fall".
    // A friendly name with "/" (Zigbee2MQTT's folders) and no model: fallback rules.
    await z2m.publishAsync('zigbee2mqtt/upstairs/landing motion', JSON.stringify({ occupancy: true, linkquality: 60 }), { qos: 1 });
    await until(() => readings.length >= 3, { what: 'landing reading' });
    expect(readings.map(({ sensor, type, value }) => ({ sensor, type, value }))).toEqual([
      { sensor: 'bathroom-radar', type: 'fall', value: true },
      { sensor: 'bathroom-radar-presence', type: 'motion', value: false },
      { sensor: 'upstairs-landing-motion', type: 'motion', value: true },
    ]);
    await adapter.stop();
  });

  it('starts while the local broker is still down, and subscribes when it comes up', async () => {
    const port = await freePort();
    const readings: SensorReading[] = [];
    const adapter = new Zigbee2MqttAdapter(Zigbee2MqttConfigSchema.parse({ kind: 'zigbee2mqtt', url: `mqtt://127.0.0.1:${port}`, startupWaitSeconds: 0.2 }), testLog);
    await adapter.start({ reading: (r) => readings.push(r), availability: () => {} });
    const late = await startMosquitto({ port });
    try {
      const bridge = await mqtt.connectAsync(late.url, { clientId: 'late-z2m' });
      // Retained, as Zigbee2MQTT's state is when `retain` is set for the device: there once the adapter subscribes.
      await bridge.publishAsync('zigbee2mqtt/Hall motion', JSON.stringify({ occupancy: true }), { qos: 1, retain: true });
      await until(() => readings.length === 1, { realMs: 10_000, what: 'reading after the broker came up' });
      expect(readings[0]).toMatchObject({ sensor: 'hall-motion', type: 'motion', value: true });
      await bridge.endAsync();
    } finally {
      await adapter.stop();
      await late.stop();
    }
  });

  it('defect 14: every mapped alarm kind of every model is reported again when it repeats (fall, none, fall)', async () => {
    // Every alarm or kept kind (sensor-kind table priority) in every model row and the fallback rules.
    const cases = [...Object.entries(ZIGBEE2MQTT_MODELS), ['', ZIGBEE2MQTT_FALLBACK] as const].flatMap(([model, row], m) =>
      row.fields
        .filter((rule) => CRITICAL_TYPES.has(rule.type))
        .map((rule, r) => {
          const alarm = rule.values ? Object.keys(rule.values).find((k) => rule.values![k] === true || rule.values![k] === 'pressed')! : true;
          const value = rule.values ? rule.values[String(alarm)] : true;
          const clear = rule.values ? 'none' : false; // "none" is in no table: the unlisted value of defect 14
          return { name: `alarm device ${m}-${r}`, model, rule, alarm, value, clear };
        }),
    );
    expect(new Set(cases.map((c) => c.rule.type))).toEqual(new Set(['fall', 'call', 'smoke', 'water', 'tamper']));
    const devices = Object.fromEntries(cases.map((c) => [c.name, { sensor: c.name.replace(/ /g, '-'), ...(c.model ? { model: c.model } : {}) }]));
    const { adapter, readings } = await adapterWith({ ...devices, Sentinel: { sensor: 'sentinel' } });
    const pub = (topic: string, payload: unknown) => z2m.publishAsync(`zigbee2mqtt/${topic}`, JSON.stringify(payload), { qos: 1 });
    for (const c of cases) {
      // alarm, cleared (or an unlisted value), alarm again, state unknown (null), alarm again: three alarms.
      for (const raw of [c.alarm, c.clear, c.alarm, null, c.alarm]) await pub(c.name, { [c.rule.property]: raw, linkquality: 90 });
    }
    await pub('Sentinel', { occupancy: true });
    await until(() => readings.some((r) => r.sensor === 'sentinel'), { what: 'sentinel after every alarm' });
    const got = cases.map((c) => {
      const sensor = devices[c.name]!.sensor + (c.rule.suffix ? `-${c.rule.suffix}` : '');
      return { device: c.name, type: c.rule.type, alarms: readings.filter((x) => x.sensor === sensor && x.type === c.rule.type && x.value === c.value).length };
    });
    expect(got).toEqual(cases.map((c) => ({ device: c.name, type: c.rule.type, alarms: 3 })));
    await adapter.stop();
  });

  it('carries a Zigbee2MQTT fall all the way to the server store', async () => {
    const server = await startHearth();
    const gwDir = tempDir('hearth-z2m-gw-');
    try {
      const fx = await seedOrg(server.hearth, 'Zigbee Trust', 'hub-zigbee');
      const config = {
        ...GatewayConfigSchema.parse({
          hubId: fx.hub.hubId,
          secret: fx.hub.secret,
          server: { url: `mqtt://127.0.0.1:${server.hearth.ports.mqtt}` },
          dataDir: gwDir.dir,
          adapters: [{ kind: 'zigbee2mqtt', url: broker.url, devices: { 'Bathroom radar': { sensor: 'hall-fall' } } }],
        }),
        secret: fx.hub.secret,
      };
      const lines: string[] = [];
      const gateway = new Gateway({ config, clock: new SystemClock(), log: testLog, walkTest: true, out: (l) => lines.push(l) });
      await gateway.start();
      await until(() => gateway.link.isOnline(), { what: 'gateway online' });
      await z2m.publishAsync('zigbee2mqtt/Bathroom radar', JSON.stringify({ presence: true, fall_down_status: 'fall', linkquality: 150 }), { qos: 1 });
      const db = server.hearth.services.db;
      let rows: { sensor: string; type: string; value: string; late: number }[] = [];
      await until(async () => {
        rows = await db.selectFrom('events').select(['sensor', 'type', 'value', 'late']).where('hub_id', '=', fx.hub.hubId).where('type', '=', 'fall').execute();
        return rows.length === 1;
      }, { what: 'fall stored' });
      expect(rows[0]).toEqual({ sensor: 'hall-fall', type: 'fall', value: 'true', late: 0 });
      // The walk test showed it to the installer as it happened.
      expect(lines.some((l) => /hall-fall\s+fall\s+true/.test(l))).toBe(true);
      await gateway.stop();
    } finally {
      await server.close();
      gwDir.remove();
    }
  });
});
