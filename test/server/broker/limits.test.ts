import net from 'node:net';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { pino } from 'pino';
import mqttPacket from 'mqtt-packet';
import { HubBroker, MAX_QOS2_INFLIGHT } from '../../../server/src/broker/broker.ts';
import { DEFAULT_PACKET_LIMITS } from '../../../server/src/broker/packet-limits.ts';
import { memoryInUse } from '../../fuzz/generators.ts';
import { connectHub, ev, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

/** MQTT's variable-length "remaining length". */
function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** Write junk after a header until the peer closes; how many bytes went out before it did. */
async function flood(write: (chunk: Buffer) => Promise<boolean>, closed: Promise<void>, maxBytes: number): Promise<{ sent: number; closed: boolean }> {
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  while (!isClosed && sent < maxBytes) {
    if (!(await write(chunk))) break;
    sent += chunk.length;
  }
  await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
  return { sent, closed: isClosed };
}

/** Heap and buffers after a full collection. */
const mem = memoryInUse;

describe('MQTT packet size limits', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  beforeAll(async () => {
    h = await startHearth();
    a = await seedOrg(h.hearth, 'Org Limits', 'hub-limits');
  });
  afterAll(async () => h.close());

  it('defect 2: a CONNECT announcing 250 MB is refused and the connection closed before its body is buffered (TCP)', async () => {
    const before = h.hearth.services.broker.counters.oversized;
    const m0 = mem();
    const socket = net.connect(h.hearth.ports.mqtt, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.concat([Buffer.from([0x10]), varint(250_000_000)]));
    const r = await flood(
      (chunk) => new Promise((resolve) => (socket.destroyed ? resolve(false) : socket.write(chunk, (err) => resolve(!err)))),
      closed,
      40 * 1024 * 1024,
    );
    expect(r.closed).toBe(true);
    expect(r.sent).toBeLessThan(40 * 1024 * 1024);
    expect(h.hearth.services.broker.counters.oversized).toBe(before + 1);
    // the server did not grow by what was announced, nor by what was sent
    expect(mem() - m0).toBeLessThan(32 * 1024 * 1024);
  });

  it('defect 2: a CONNECT just over 4 KiB is refused; the limit before CONNECT is small', async () => {
    const before = h.hearth.services.broker.counters.oversized;
    const socket = net.connect(h.hearth.ports.mqtt, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const size = DEFAULT_PACKET_LIMITS.beforeConnect + 1;
    socket.write(Buffer.concat([Buffer.from([0x10]), varint(size), Buffer.alloc(size, 0x42)]));
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
    expect(socket.destroyed).toBe(true);
    expect(h.hearth.services.broker.counters.oversized).toBe(before + 1);
  });

  it('defect 2: unauthenticated connections are capped in number too, so memory before CONNECT is bounded in all', async () => {
    const s = h.hearth.services;
    const onMisbehaving = s.ingest.onMisbehaving;
    const broker = new HubBroker(s.directory, s.ingest, s.bus, s.clock, pino({ level: 'silent' }), { maxPending: 3 });
    const port = await broker.start(0, '127.0.0.1');
    try {
      const open = async (): Promise<net.Socket> => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        return socket;
      };
      const idle = [await open(), await open(), await open()];
      const fourth = await open();
      await new Promise<void>((resolve) => (fourth.destroyed ? resolve() : fourth.once('close', () => resolve())));
      expect(broker.counters.pendingRefused).toBe(1);
      // one of the idle ones goes: a new connection is taken again, and a hub can sign in
      idle.pop()!.destroy();
      await new Promise((r) => setTimeout(r, 50));
      const hub = await connectHub(port, a.hub.hubId, a.hub.secret);
      expect(hub.connected).toBe(true);
      hub.end(true);
      for (const sock of idle) sock.destroy();
    } finally {
      await broker.stop();
      s.ingest.onMisbehaving = onMisbehaving;
    }
  });

  it('defect 2: an oversized CONNECT over WebSocket /mqtt is refused and the connection closed', async () => {
    const before = h.hearth.services.broker.counters.oversized;
    const ws = new WebSocket(`ws://127.0.0.1:${h.hearth.ports.http}/mqtt`, 'mqtt');
    ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.send(Buffer.concat([Buffer.from([0x10]), varint(250_000_000)]));
    const r = await flood(
      (chunk) => new Promise((resolve) => (ws.readyState !== WebSocket.OPEN ? resolve(false) : ws.send(chunk, (err) => resolve(!err)))),
      closed,
      20 * 1024 * 1024,
    );
    expect(r.closed).toBe(true);
    expect(r.sent).toBeLessThan(20 * 1024 * 1024);
    expect(h.hearth.services.broker.counters.oversized).toBe(before + 1);
  });

  it('defect 2: an authenticated PUBLISH over the per-hub limit closes the connection and is not stored; a 100-event batch still fits', async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    const batch = JSON.stringify({ events: Array.from({ length: 100 }, (_, i) => ev({ id: `fits-${i}`, sensor: `sensor-with-a-longish-name-${i}` })) });
    await hub.publishAsync(topics.events(a.hub.hubId), batch, { qos: 1 });
    const fits = await h.hearth.services.db.selectFrom('events').select('event_id').where('event_id', 'like', 'fits-%').execute();
    expect(fits).toHaveLength(100);

    const before = h.hearth.services.broker.counters.oversized;
    const closed = new Promise<void>((resolve) => hub.once('close', () => resolve()));
    const huge = JSON.stringify(ev({ id: 'too-big', sensor: 'x'.repeat(DEFAULT_PACKET_LIMITS.perPacket + 10) }));
    hub.publish(topics.events(a.hub.hubId), huge, { qos: 1 });
    await closed;
    expect(h.hearth.services.broker.counters.oversized).toBe(before + 1);
    await h.hearth.settle();
    expect(await h.hearth.services.db.selectFrom('events').select('event_id').where('event_id', '=', 'too-big').executeTakeFirst()).toBeUndefined();
    hub.end(true);

    // the hub may connect again and carry on
    const again = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    await again.publishAsync(topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'after-too-big' })), { qos: 1 });
    again.end(true);
  });

  it('defect 2: QoS 2 publishes left without PUBREL are capped per connection (each could be 257 KiB held by the broker)', async () => {
    const socket = net.connect(h.hearth.ports.mqtt, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const pubrecs: number[] = [];
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p) => {
      if (p.cmd === 'pubrec') pubrecs.push(p.messageId!);
    });
    socket.on('data', (d) => parser.parse(d));
    socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: a.hub.hubId, clean: true, keepalive: 30, username: a.hub.hubId, password: Buffer.from(a.hub.secret) }));
    await new Promise((r) => setTimeout(r, 200));
    const payload = JSON.stringify({ pad: 'p'.repeat(200_000) });
    for (let id = 1; id <= MAX_QOS2_INFLIGHT + 5 && !socket.destroyed; id++) {
      socket.write(mqttPacket.generate({ cmd: 'publish', topic: `${topics.hubPrefix(a.hub.hubId)}qos2`, payload, qos: 2, messageId: id, retain: false, dup: false }));
      await new Promise((r) => setTimeout(r, 30));
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
    expect(socket.destroyed).toBe(true);
    expect(pubrecs.length).toBe(MAX_QOS2_INFLIGHT);
  });

  it('defect 2: an authenticated 100 MB PUBLISH is refused without buffering it', async () => {
    const client = mqtt.connect(`mqtt://127.0.0.1:${h.hearth.ports.mqtt}`, { clientId: a.hub.hubId, username: a.hub.hubId, password: a.hub.secret, reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    // write the header of a 100 MB publish by hand on the client's socket, then junk
    const stream = (client as unknown as { stream: net.Socket }).stream;
    const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
    const m0 = mem();
    stream.write(Buffer.concat([Buffer.from([0x32]), varint(100_000_000)]));
    const r = await flood((chunk) => new Promise((resolve) => (stream.destroyed ? resolve(false) : stream.write(chunk, (err) => resolve(!err)))), closed, 40 * 1024 * 1024);
    expect(r.closed).toBe(true);
    expect(mem() - m0).toBeLessThan(32 * 1024 * 1024);
    client.end(true);
  });
});
