// Ingest throughput: events acknowledged (PUBACK = stored in SQLite) per second through the
// Hearth broker, as a ratio against raw aedes QoS 1 pub/sub (no auth, no storage) in the same run.
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { topics } from '../../protocol/index.ts';
import { connectHub, seedOrg, startHearth } from '../helpers/hearth.ts';
import type { BenchResult } from './main.ts';

const N = Number(process.env.BENCH_INGEST_EVENTS ?? 20_000);

function payloads(hubPrefix: string, n: number): string[] {
  const base = Date.parse('2026-11-26T08:00:00Z');
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ id: `${hubPrefix}-${i}`, ts: new Date(base + i * 1000).toISOString(), sensor: 'kitchen-pir', type: 'motion', value: i % 2 === 0 }),
  );
}

async function publishAll(client: mqtt.MqttClient, topic: string, messages: string[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(messages.map((m) => client.publishAsync(topic, m, { qos: 1 })));
  return performance.now() - t0;
}

async function rawAedes(messages: string[]): Promise<number> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle as (s: net.Socket) => void);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'bench-sub' });
  let received = 0;
  const all = new Promise<void>((r) => sub.on('message', () => ++received === messages.length && r()));
  await sub.subscribeAsync('bench/#', { qos: 1 });
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'bench-pub' });
  const t0 = performance.now();
  await publishAll(pub, 'bench/events', messages);
  await all;
  const ms = performance.now() - t0;
  await pub.endAsync();
  await sub.endAsync();
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => broker.close(() => r()));
  return ms;
}

/** Run the ingest benchmark. */
export async function run(): Promise<BenchResult> {
  const baseMessages = payloads('raw', N);
  const baselineMs = await rawAedes(baseMessages);

  const h = await startHearth();
  const fx = await seedOrg(h.hearth, 'Bench', 'hub-bench');
  const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
  const singleMs = await publishAll(hub, topics.events(fx.hub.hubId), payloads('single', N));
  const batches: string[] = [];
  const batchEvents = payloads('batch', N).map((p) => JSON.parse(p) as unknown);
  for (let i = 0; i < batchEvents.length; i += 100) batches.push(JSON.stringify({ events: batchEvents.slice(i, i + 100) }));
  const batchMs = await publishAll(hub, topics.events(fx.hub.hubId), batches);
  await h.hearth.settle();
  const stored = await h.hearth.services.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  await hub.endAsync();
  await h.close();

  const rate = (ms: number) => Math.round((N / ms) * 1000);
  return {
    title: `Ingest: ${N.toLocaleString('en-GB')} QoS 1 events, PUBACK after the SQLite commit (synchronous=FULL)`,
    figures: {
      'baseline raw aedes pub/sub, msg/s': rate(baselineMs),
      'hearth, one event per message, events/s': rate(singleMs),
      'hearth, 100-event batches, events/s': rate(batchMs),
      'ratio single / baseline': Number((baselineMs / singleMs).toFixed(3)),
      'ratio batched / baseline': Number((baselineMs / batchMs).toFixed(3)),
      'events stored (check)': `${Number(stored.n)} of ${2 * N}`,
    },
  };
}
