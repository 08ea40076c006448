// The baseline's subscriber process: one MQTT.js client subscribed (QoS 1) to every hub's events
// on Mosquitto, counting messages in 100 ms buckets since its own start; on a line on stdin it
// prints the buckets and its epoch as one JSON line, so the parent can count the measured window.
import mqtt from 'mqtt';

const url = process.argv[2]!;
const client = await mqtt.connectAsync(url, { clientId: `load-sub-${process.pid}`, reconnectPeriod: 0, clean: true });
const epoch = Date.now();
const buckets: number[] = [];
// Fall probes: the time each probe message arrived, by its id.
const probes: Record<string, number> = {};
client.on('message', (topic, payload) => {
  const b = Math.floor((Date.now() - epoch) / 100);
  buckets[b] = (buckets[b] ?? 0) + 1;
  if (topic.endsWith('/events') && payload.length < 300 && payload.includes('"probe-')) {
    const m = /"id":"(probe-[^"]+)"/.exec(payload.toString());
    if (m) probes[m[1]!] = performance.timeOrigin + performance.now();
  }
});
await client.subscribeAsync('hearth/v1/hubs/+/events', { qos: 1 });
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.stdin.on('data', () => {
  process.stdout.write(`${JSON.stringify({ epoch, buckets: Array.from(buckets, (v) => v ?? 0), probes })}\n`);
});
