import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { connectHub, ev, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

const DEEP = '['.repeat(5000) + ']'.repeat(5000);
const DEEPER = '['.repeat(100_000) + ']'.repeat(100_000);

/** Publish QoS 1 and wait for the PUBACK, failing after ms instead of hanging. */
async function acked(client: MqttClient, topic: string, payload: string | Buffer, opts: mqtt.IClientPublishOptions = {}, ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.publishAsync(topic, payload, { qos: 1, ...opts }),
      new Promise((_r, reject) => (timer = setTimeout(() => reject(new Error(`no PUBACK for ${topic} within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function connectWs(port: number, hubId: string, secret: string): Promise<MqttClient> {
  const client = mqtt.connect(`ws://127.0.0.1:${port}/mqtt`, { clientId: hubId, username: hubId, password: secret, reconnectPeriod: 0 });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

describe('hostile hubs cannot crash or fill the broker', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  let b: Fixture;
  beforeAll(async () => {
    h = await startHearth();
    a = await seedOrg(h.hearth, 'Org Hostile', 'hub-hostile');
    b = await seedOrg(h.hearth, 'Org Bystander', 'hub-bystander');
  });
  afterAll(async () => h.close());

  const rejections = (hubId: string, reason: string) =>
    h.hearth.services.db.selectFrom('rejections').select(['topic', 'payload', 'detail']).where('hub_id', '=', hubId).where('reason', '=', reason).execute();
  const stored = async (id: string) => !!(await h.hearth.services.db.selectFrom('events').select('event_id').where('event_id', '=', id).executeTakeFirst());

  for (const transport of ['tcp', 'websocket'] as const) {
    it(`defect 1: nested arrays on every channel, in a batch and as an event value, over ${transport}, are acknowledged, set aside and counted; the hub and others go on`, async () => {
      const hub = transport === 'tcp' ? await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret) : await connectWs(h.hearth.ports.http, a.hub.hubId, a.hub.secret);
      const other = await connectHub(h.hearth.ports.mqtt, b.hub.hubId, b.hub.secret);
      const before = (await rejections(a.hub.hubId, 'HEARTH_ERR_INGEST_DEPTH')).length;
      const id = a.hub.hubId;
      const hostile: [string, string][] = [
        [topics.events(id), DEEP],
        [topics.events(id), DEEPER],
        [topics.events(id), JSON.stringify({ events: [ev({ id: `batch-sibling-${transport}` })] }).replace(']}', `,${DEEP}]}`)],
        [topics.events(id), JSON.stringify(ev({ id: `deep-value-${transport}` })).replace('"value":true', `"value":${DEEP}`)],
        [topics.status(id), DEEP],
        [topics.heartbeat(id), DEEP],
        [topics.replies(id), DEEP],
        [topics.hubPrefix(id) + 'unmapped', DEEP],
        [topics.hubPrefix(id) + 'availability', DEEP],
        [topics.hubPrefix(id) + 'made-up', DEEP],
      ];
      for (const [i, [topic, payload]] of hostile.entries()) {
        await acked(hub, topic, payload);
        // the other hub's traffic goes on between them
        await acked(other, topics.events(b.hub.hubId), JSON.stringify(ev({ id: `bystander-${transport}-${i}` })));
      }
      // the hostile hub's own valid traffic goes on, on the same connection
      await acked(hub, topics.events(id), JSON.stringify(ev({ id: `after-deep-${transport}`, sensor: 'hall-fall', type: 'fall', value: true })));
      expect(hub.connected).toBe(true);
      await h.hearth.settle();
      expect(await stored(`after-deep-${transport}`)).toBe(true);
      for (let i = 0; i < hostile.length; i++) expect(await stored(`bystander-${transport}-${i}`)).toBe(true);
      const depth = await rejections(id, 'HEARTH_ERR_INGEST_DEPTH');
      // every hostile message but the made-up topic (set aside as HEARTH_ERR_INGEST_TOPIC) is a depth rejection
      expect(depth.length - before).toBe(hostile.length - 1);
      for (const r of depth) expect(r.payload.length).toBeLessThanOrEqual(4096 + 40); // raw text, bounded
      expect((await rejections(id, 'HEARTH_ERR_INGEST_TOPIC')).some((r) => r.topic.endsWith('/made-up'))).toBe(true);
      expect(h.hearth.services.ingest.stats(id)[id]!.rejected.HEARTH_ERR_INGEST_DEPTH).toBeGreaterThanOrEqual(hostile.length - 1);
      const alerts = await h.hearth.services.db.selectFrom('alerts').select('id').where('hub_id', '=', id).where('type', '=', 'fall').execute();
      expect(alerts.length).toBe(1);
      hub.end(true);
      other.end(true);
    });
  }

  it('defect 1: a hook that throws sets the message aside and acknowledges it instead of ending the process', async () => {
    const ingest = h.hearth.services.ingest;
    const original = ingest.submitStatus.bind(ingest);
    ingest.submitStatus = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    try {
      const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
      const failures = h.hearth.services.broker.counters.hookFailures;
      await acked(hub, topics.status(a.hub.hubId), JSON.stringify({ state: 'online', ts: new Date().toISOString() }));
      expect(h.hearth.services.broker.counters.hookFailures).toBe(failures + 1);
      const kept = await rejections(a.hub.hubId, 'HEARTH_ERR_INGEST_INTERNAL');
      expect(kept.at(-1)!.payload).toContain('"online"');
      await acked(hub, topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'after-throw' })));
      expect(await stored('after-throw')).toBe(true);
      hub.end(true);
    } finally {
      ingest.submitStatus = original;
    }
  });

  it('defect 3: retained messages on made-up topics (and on events) are not kept by the broker; only the status channel retains', async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    const before = h.hearth.services.broker.counters.retainRefused;
    const junk = 'x'.repeat(20 * 1024);
    for (let i = 0; i < 50; i++) await acked(hub, `${topics.hubPrefix(a.hub.hubId)}made-up-${i}`, junk, { retain: true });
    // a fall sent with the wrong flag still counts: the flag is dropped, the event judged as usual
    await acked(hub, topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'retained-event' })), { retain: true });
    await acked(hub, topics.status(a.hub.hubId), JSON.stringify({ state: 'online', ts: new Date().toISOString() }), { retain: true });
    await h.hearth.settle();
    const retained = await h.hearth.services.broker.retainedTopics();
    expect(retained.filter((t) => t.startsWith(topics.hubPrefix(a.hub.hubId)))).toEqual([topics.status(a.hub.hubId)]);
    expect(h.hearth.services.broker.counters.retainRefused - before).toBe(51);
    expect(await stored('retained-event')).toBe(true);
    // and a retained status over 1 KiB is not kept either
    await acked(hub, topics.status(a.hub.hubId), JSON.stringify({ state: 'online', ts: new Date().toISOString(), firmware: 'y'.repeat(2000) }), { retain: true });
    expect(h.hearth.services.broker.counters.retainRefused - before).toBe(52);
    hub.end(true);
  });

  it('defect 5: constructor, __proto__, toString, hasOwnProperty and valueOf channels are acknowledged and set aside', async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf'];
    for (const name of names) await acked(hub, topics.hubPrefix(a.hub.hubId) + name, JSON.stringify(ev({})), {}, 3000);
    await h.hearth.settle();
    const topicsSetAside = (await rejections(a.hub.hubId, 'HEARTH_ERR_INGEST_TOPIC')).map((r) => r.topic.split('/').at(-1));
    for (const name of names) expect(topicsSetAside).toContain(name);
    expect(hub.connected).toBe(true);
    hub.end(true);
  });
});
