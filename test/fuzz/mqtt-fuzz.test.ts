import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { DEFAULT_PACKET_LIMITS } from '../../server/src/broker/packet-limits.ts';
import { mixSeed, mulberry32, type Rng } from '../../simulators/src/prng.ts';
import { connectHub, ev, seedOrg, startHearth, type Fixture } from '../helpers/hearth.ts';
import { badUtf8, deepNest, DEPTHS, fuzzRng, memoryInUse, oddTopic, prototypeEvent, randomBytes, wrongEvent } from './generators.ts';

/** How many hostile MQTT messages (publishes and raw connections) a run sends. */
const HOSTILE_MESSAGES = Number(process.env.HEARTH_FUZZ_MQTT ?? 7000);
/** Valid hubs, and the publishes each sends meanwhile (singles and batches; one fall each, sent twice). */
const VALID_HUBS = 3;
const VALID_PUBLISHES = 150;
/** Hostile hubs (several are disconnected and held off for flooding on the way) and concurrent hostile workers. */
const HOSTILE_HUBS = 24;
const WORKERS = 4;
/** The stated bound: after the run the server's heap and buffers are within this of where they started. */
const MEMORY_BOUND = 64 * 1024 * 1024;

type Outcome = 'acked' | 'sent' | 'closed' | 'unanswered';

/** Publish and wait for the acknowledgement (QoS 1 and 2), or the connection closing, or give up after 5 s. */
function send(c: MqttClient, topic: string, payload: string | Buffer, qos: 0 | 1 | 2, retain: boolean): Promise<Outcome> {
  if (!c.connected) return Promise.resolve('closed');
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(t);
      c.removeListener('close', onClose);
      resolve(o);
    };
    const onClose = (): void => finish('closed');
    const t = setTimeout(() => finish(c.connected ? 'unanswered' : 'closed'), 5000);
    c.once('close', onClose);
    c.publish(topic, payload, { qos, retain }, (err) => finish(err ? (c.connected ? 'acked' : 'closed') : qos === 0 ? 'sent' : 'acked'));
  });
}

/** One hostile publish: what it is, drawn from a weight table. */
const PUBLISH_KINDS = {
  randomBytes: 14,
  deep: 14,
  badUtf8: 8,
  prototype: 10,
  wrongEvent: 14,
  badBatch: 6,
  oddTopic: 12,
  emptyOrWhitespace: 3,
  otherChannel: 10,
  huge: 0.4,
  outsidePrefix: 0.6,
} as const;

function hostilePublish(rng: Rng, hubId: string, n: number): { kind: keyof typeof PUBLISH_KINDS; topic: string; payload: string | Buffer } {
  const kind = rng.weighted(PUBLISH_KINDS);
  const channel = rng.pick(['events', 'status', 'heartbeat', 'replies', 'unmapped', 'availability'] as const);
  const topic = `hearth/v1/hubs/${hubId}/${channel}`;
  switch (kind) {
    case 'randomBytes':
      return { kind, topic, payload: randomBytes(rng, rng.int(1, 3000)) };
    case 'deep':
      return { kind, topic, payload: deepNest(rng, rng.pick(DEPTHS)) };
    case 'badUtf8':
      return { kind, topic, payload: badUtf8(rng) };
    case 'prototype':
      return { kind, topic: rng.chance(0.7) ? topics.events(hubId) : topic, payload: prototypeEvent(rng, `fz-${n}`) };
    case 'wrongEvent':
      return { kind, topic: topics.events(hubId), payload: JSON.stringify(wrongEvent(rng, `fz-${n}`)) };
    case 'badBatch': {
      const size = rng.pick([0, 501, 3]);
      const events = Array.from({ length: size }, (_, i) => wrongEvent(rng, `fzb-${n}-${i}`));
      return { kind, topic: topics.events(hubId), payload: JSON.stringify(rng.chance(0.2) ? { events: 'nope' } : { events }) };
    }
    case 'oddTopic':
      return { kind, topic: oddTopic(rng, hubId), payload: rng.chance(0.5) ? randomBytes(rng, rng.int(0, 500)) : deepNest(rng, 40) };
    case 'emptyOrWhitespace':
      return { kind, topic, payload: rng.pick(['', ' ', '\n\t', 'null', '0', '""', '{}', '[]']) };
    case 'otherChannel':
      return { kind, topic, payload: JSON.stringify({ state: rng.pick(['online', 'offline', 'nope']), ts: rng.pick(['', '2026-01-01T00:00:00Z']), seq: rng.pick([-1, 1.5, 'x', 2 ** 60]), id: 'x'.repeat(rng.int(0, 100)), ok: rng.pick([true, 'yes']) }) };
    case 'huge':
      return { kind, topic, payload: Buffer.alloc(DEFAULT_PACKET_LIMITS.perPacket + rng.int(1, 100_000), 0x5b) };
    case 'outsidePrefix':
      return { kind, topic: rng.pick(['hearth/v1/hubs/hub-fuzz-valid-0/events', `hearth/v1/hubs/${hubId}/commands`, '$SYS/x', 'elsewhere']), payload: '{}' };
  }
}

/** A hub's MQTT client over TCP, or over WebSocket /mqtt. */
function connectOver(transport: 'tcp' | 'ws', ports: { mqtt: number; http: number }, hubId: string, secret: string): Promise<MqttClient> {
  if (transport === 'tcp') return connectHub(ports.mqtt, hubId, secret, { protocolVersion: 4 });
  const c = mqtt.connect(`ws://127.0.0.1:${ports.http}/mqtt`, { clientId: hubId, username: hubId, password: secret, reconnectPeriod: 0, protocolVersion: 4 });
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', (err) => (c.end(true), reject(err)));
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** Raw connections: bytes before CONNECT, truncated and oversized packets, impossible QoS, MQTT 5. */
function rawAttack(rng: Rng): Buffer {
  const connect = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'hub-x', clean: true, keepalive: 30, username: 'hub-x', password: Buffer.from('nope') });
  return rng.pick([
    () => randomBytes(rng, rng.int(1, 4000)),
    () => connect.subarray(0, rng.int(1, connect.length - 1)),
    () => Buffer.concat([Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), randomBytes(rng, 2000)]),
    () => Buffer.concat([Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])]),
    () => Buffer.concat([connect, Buffer.from([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01])]), // QoS 3 publish
    () => Buffer.concat([Buffer.from([0x30, 0x80, 0x80, 0x10]), randomBytes(rng, 1000)]), // publish before connect, 262 KB announced
    () => Buffer.concat([connect, connect]),
    () => mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'hub-fuzz-bad-0', clean: true, keepalive: 30, properties: { maximumPacketSize: 1, topicAliasMaximum: 65535 } }),
  ])();
}

function rawTcp(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.once('connect', () => {
      s.write(bytes);
      setTimeout(() => s.destroy(), 20);
    });
    s.once('close', () => resolve());
  });
}

function rawWs(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
    ws.on('error', () => undefined);
    ws.once('open', () => {
      ws.send(bytes);
      setTimeout(() => ws.terminate(), 20);
    });
    ws.once('close', () => resolve());
  });
}

describe('MQTT fuzz: hostile hubs and connections beside valid hubs', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  const valid: Fixture[] = [];
  const hostile: { hubId: string; secret: string }[] = [];
  beforeAll(async () => {
    h = await startHearth();
    for (let i = 0; i < VALID_HUBS; i++) valid.push(await seedOrg(h.hearth, `Fuzz valid ${i}`, `hub-fuzz-valid-${i}`));
    const org = await h.hearth.services.directory.addOrganisation('Fuzz hostile');
    for (let i = 0; i < HOSTILE_HUBS; i++) hostile.push(await h.hearth.services.directory.addHub({ orgId: org.id, hubId: `hub-fuzz-bad-${i}` }));
  });
  afterAll(async () => h.close());

  it('survives every hostile message with zero crashes; every valid event is stored and every fall alerted once; memory returns within bound', { timeout: 120_000 }, async () => {
    const { seed, rng } = fuzzRng('mqtt');
    const started = Date.now();
    const mem0 = memoryInUse();
    const port = h.hearth.ports.mqtt;
    const f = { hostile: 0, byKind: {} as Record<string, number>, raw: 0, ws: 0, acked: 0, closedByServer: 0, heldOff: 0, unanswered: 0, validPublishes: 0 };
    const expected = new Map<string, Set<string>>();

    const runValid = async (fx: Fixture, vrng: Rng): Promise<void> => {
      const ids = new Set<string>();
      expected.set(fx.hub.hubId, ids);
      // the last valid hub speaks over WebSocket /mqtt, the others over TCP
      const c = await connectOver(fx === valid.at(-1) ? 'ws' : 'tcp', h.hearth.ports, fx.hub.hubId, fx.hub.secret);
      const fallAt = vrng.int(10, VALID_PUBLISHES - 20);
      const fall = ev({ id: `fall-${fx.hub.hubId}`, sensor: 'hall-fall', type: 'fall', value: true });
      for (let i = 0; i < VALID_PUBLISHES; i++) {
        let payload: unknown;
        if (i === fallAt || i === fallAt + 10) payload = fall; // the second is a re-send: stored once, alerted once
        else if (vrng.chance(0.5)) payload = ev({ id: `v-${fx.hub.hubId}-${i}`, value: vrng.chance(0.5) });
        else payload = { events: Array.from({ length: vrng.int(1, 50) }, (_, j) => ev({ id: `v-${fx.hub.hubId}-${i}-${j}`, sensor: vrng.pick(['kitchen-pir', 'lounge-pir', 'new-sensor']) })) };
        const events = (payload as { events?: { id: string }[] }).events ?? [payload as { id: string }];
        for (const e of events) ids.add(e.id);
        const o = await send(c, topics.events(fx.hub.hubId), JSON.stringify(payload), 1, false);
        if (o !== 'acked') throw new Error(`valid hub ${fx.hub.hubId} publish ${i}: ${o}`);
        f.validPublishes++;
        if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5)); // spread over the hostile run
      }
      c.end(true);
    };

    let next = 0;
    const worker = async (w: number): Promise<void> => {
      let client: MqttClient | undefined;
      let hub = hostile[w]!;
      while (f.hostile < HOSTILE_MESSAGES) {
        const n = f.hostile++;
        const roll = rng();
        if (roll < 0.05) {
          f.raw++;
          await rawTcp(port, rawAttack(rng));
          continue;
        }
        if (roll < 0.06) {
          f.ws++;
          await rawWs(h.hearth.ports.http, rawAttack(rng));
          continue;
        }
        if (!client?.connected) {
          client?.end(true);
          client = undefined;
          for (let tries = 0; tries < HOSTILE_HUBS && !client; tries++) {
            try {
              // one hostile worker in four speaks over WebSocket /mqtt
              client = await connectOver(w % 4 === 3 ? 'ws' : 'tcp', h.hearth.ports, hub.hubId, hub.secret);
            } catch {
              f.heldOff++;
              hub = hostile[next++ % HOSTILE_HUBS]!;
            }
          }
          if (!client) continue;
        }
        const p = hostilePublish(rng, hub.hubId, n);
        f.byKind[p.kind] = (f.byKind[p.kind] ?? 0) + 1;
        const o = await send(client, p.topic, p.payload, rng.pick([0, 1, 1, 1, 2] as const), rng.chance(0.1));
        if (o === 'acked') f.acked++;
        else if (o === 'closed') f.closedByServer++;
        else if (o === 'unanswered') {
          f.unanswered++;
          console.log(`[fuzz mqtt] no answer: kind ${p.kind}, topic ${p.topic.slice(0, 120)}, payload ${String(p.payload).slice(0, 120)}`);
        }
      }
      client?.end(true);
    };

    await Promise.all([...valid.map((fx, i) => runValid(fx, mulberry32(mixSeed(seed, 'valid', i)))), ...Array.from({ length: WORKERS }, (_, w) => worker(w))]);
    await h.hearth.settle();
    const db = h.hearth.services.db;

    // every valid event stored, every fall alerted exactly once
    let validStored = 0;
    for (const fx of valid) {
      const rows = await db.selectFrom('events').select('event_id').where('hub_id', '=', fx.hub.hubId).execute();
      const got = new Set(rows.map((r) => r.event_id));
      const want = expected.get(fx.hub.hubId)!;
      const missing = [...want].filter((id) => !got.has(id));
      expect(missing, `valid events of ${fx.hub.hubId} missing`).toEqual([]);
      validStored += got.size;
      const falls = await db.selectFrom('alerts').select(['id', 'repeat_count']).where('hub_id', '=', fx.hub.hubId).where('type', '=', 'fall').execute();
      expect(falls).toHaveLength(1);
      expect(falls[0]!.repeat_count).toBe(0);
    }
    // still serving after all that
    const after = await connectHub(port, valid[0]!.hub.hubId, valid[0]!.hub.secret);
    expect(await send(after, topics.events(valid[0]!.hub.hubId), JSON.stringify(ev({ id: 'after-fuzz' })), 1, false)).toBe('acked');
    after.end(true);

    const stats = h.hearth.services.ingest.stats();
    const rejectedCounted = Object.values(stats).reduce((n, c) => n + Object.values(c.rejected).reduce((a, b) => a + (b ?? 0), 0), 0);
    const throttled = Object.values(stats).reduce((n, c) => n + c.throttled, 0);
    const rejectedStored = Number((await db.selectFrom('rejections').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const alerts = Number((await db.selectFrom('alerts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const mem1 = memoryInUse();
    const b = h.hearth.services.broker.counters;
    const mb = (x: number) => (x / 1024 / 1024).toFixed(1);
    console.log(
      `[fuzz mqtt] seed ${seed}: ${f.hostile} hostile messages (${f.hostile - f.raw - f.ws} publishes, ${f.raw} raw TCP, ${f.ws} raw WebSocket) in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `by kind ${JSON.stringify(f.byKind)}; acknowledged ${f.acked}, connection closed by the server ${f.closedByServer}, reconnects refused (held off) ${f.heldOff}, unanswered ${f.unanswered}; ` +
        `rejections counted ${rejectedCounted} (stored ${rejectedStored}, throttled ${throttled}); broker ${JSON.stringify(b)}; ` +
        `valid: ${f.validPublishes} publishes, ${validStored} events stored, all present; alerts ${alerts} (one fall per valid hub); ` +
        `memory (heap + buffers after GC) before ${mb(mem0)} MB, after ${mb(mem1)} MB, bound +${mb(MEMORY_BOUND)} MB`,
    );
    expect(f.unanswered).toBe(0);
    expect(b.hookFailures).toBe(0);
    expect(mem1 - mem0).toBeLessThan(MEMORY_BOUND);
    expect(f.hostile + f.validPublishes).toBeGreaterThanOrEqual(HOSTILE_MESSAGES);
  });
});
