import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AvailabilityNotice, SensorReading } from '../../../gateway/src/adapters/adapter.ts';
import { matchTopic } from '../../../gateway/src/adapters/mapping.ts';
import { MqttJsonAdapter, MqttJsonConfigSchema } from '../../../gateway/src/adapters/mqtt-json.ts';
import { skipWithoutMosquitto, startMosquitto, testLog, until } from '../helpers.ts';

describe('topic filters', () => {
  it('match + and # and capture the wildcard segments', () => {
    expect(matchTopic('home/+/state', 'home/kitchen/state')).toEqual(['kitchen']);
    expect(matchTopic('home/#', 'home/a/b')).toEqual(['a/b']);
    expect(matchTopic('home/+/state', 'home/kitchen/state/x')).toBeNull();
    expect(matchTopic('home/+', 'other/kitchen')).toBeNull();
  });
});

describe.skipIf(skipWithoutMosquitto())('generic MQTT/JSON adapter against a real Mosquitto', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  let bridge: MqttClient;
  beforeAll(async () => {
    broker = await startMosquitto();
    bridge = await mqtt.connectAsync(broker.url, { clientId: 'other-bridge' });
  });
  afterAll(async () => {
    await bridge?.endAsync();
    await broker?.stop();
  });

  it('maps topics and payloads by configured rules, plain payloads included', async () => {
    const config = MqttJsonConfigSchema.parse({
      kind: 'mqtt-json',
      url: broker.url,
      mappings: [
        { topic: 'tele/+/SENSOR', sensor: '{1}-pir', fields: [{ property: 'PIR.Motion', type: 'motion', values: { ON: true, OFF: false } }] },
        { topic: 'home/pullcord/+', sensor: 'pull-cord-{1}', fields: [{ property: '$', type: 'call', emit: 'always', values: { pulled: 'pressed', reset: 'cancelled' } }] },
        { topic: 'home/thermo', sensor: 'lounge-temp', fields: [{ property: 'temp_c', type: 'temperature' }], battery: 'bat' },
      ],
      availability: [{ topic: 'tele/+/LWT', sensor: '{1}-pir', online: 'Online' }],
    });
    const readings: SensorReading[] = [];
    const notices: AvailabilityNotice[] = [];
    const adapter = new MqttJsonAdapter(config, testLog);
    await adapter.start({ reading: (r) => readings.push(r), availability: (n) => notices.push(n) });
    await bridge.publishAsync('tele/hall/SENSOR', JSON.stringify({ Time: '2026-11-26T10:00:00', PIR: { Motion: 'ON' } }), { qos: 1 });
    await bridge.publishAsync('home/pullcord/bathroom', 'pulled', { qos: 1 });
    await bridge.publishAsync('home/pullcord/bathroom', 'pulled', { qos: 1 }); // each pull counts
    await bridge.publishAsync('home/thermo', JSON.stringify({ temp_c: 15.5, bat: 64 }), { qos: 1 });
    await bridge.publishAsync('home/thermo', JSON.stringify({ temp_c: 'n/a' }), { qos: 1 }); // passed on; the outbox refuses it
    await bridge.publishAsync('tele/hall/LWT', 'Offline', { qos: 1 });
    await until(() => readings.length >= 5 && notices.length >= 1, { what: 'readings' });
    expect(readings.map(({ sensor, type, value, battery }) => ({ sensor, type, value, battery }))).toEqual([
      { sensor: 'hall-pir', type: 'motion', value: true, battery: undefined },
      { sensor: 'pull-cord-bathroom', type: 'call', value: 'pressed', battery: undefined },
      { sensor: 'pull-cord-bathroom', type: 'call', value: 'pressed', battery: undefined },
      { sensor: 'lounge-temp', type: 'temperature', value: 15.5, battery: 64 },
      { sensor: 'lounge-temp', type: 'temperature', value: 'n/a', battery: undefined },
    ]);
    expect(notices).toEqual([{ sensor: 'hall-pir', online: false, source: 'tele/hall/LWT' }]);
    await adapter.stop();
  });
});
