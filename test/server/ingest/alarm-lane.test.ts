import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { FEED_CHECKPOINT } from '../../../server/src/ingest/core-feed.ts';
import { connectHub, ev, openStream, seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the alarm lane: alarms overtake routine work, never a sensor’s own earlier events', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  let b: Fixture;
  let c: Fixture;
  beforeAll(async () => {
    h = await startHearth();
    a = await seedOrg(h.hearth, 'Alliance', 'hub-lane-a');
    b = await seedOrg(h.hearth, 'Backlog', 'hub-lane-b');
    c = await seedOrg(h.hearth, 'Second', 'hub-lane-c');
  });
  afterAll(async () => h.close());

  const seqOf = async (hubId: string) =>
    new Map((await h.hearth.services.db.selectFrom('events').select(['event_id', 'seq']).where('hub_id', '=', hubId).execute()).map((r) => [r.event_id, r.seq]));

  /**
   * Hold the database's write lock (as a long transaction elsewhere would: the writer thread waits its
   * turn), so the moment under way waits and the moments after it queue up behind it.
   */
  const holdDatabase = () => {
    const { db } = h.hearth.services;
    const taken = sql`BEGIN IMMEDIATE`.execute(db);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = taken.then(() => gate).then(() => sql`COMMIT`.execute(db));
    return { release, held };
  };

  it('writes an alarm ahead of routine moments queued before it, and its sensor’s own earlier event before it', async () => {
    const { ingest } = h.hearth.services;
    const routine = (hubId: string, id: string, sensor = 'kitchen-pir') => ingest.submitEvents(hubId, topics.events(hubId), JSON.stringify(ev({ id, sensor })));
    const hold = holdDatabase();
    const done: Promise<void>[] = [];
    // Moment 1 is taken and waits for the database; moments 2 to 4 queue behind it.
    for (let m = 1; m <= 4; m++) {
      done.push(ingest.submitEvents(b.hub.hubId, topics.events(b.hub.hubId), JSON.stringify({ events: Array.from({ length: 50 }, (_, i) => ev({ id: `b-${m}-${i}` })) })));
      if (m === 3) done.push(ingest.submitEvents(a.hub.hubId, topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'a-pendant-battery', sensor: 'pendant', type: 'battery', value: 80 }))));
      await nextTurn();
    }
    // The same turn as moment 5: a fall (overtakes), and a call whose sensor has a routine event still queued (does not).
    done.push(routine(b.hub.hubId, 'b-5-0'));
    done.push(ingest.submitEvents(a.hub.hubId, topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'a-fall', sensor: 'hall-fall', type: 'fall', value: true }))));
    done.push(ingest.submitEvents(a.hub.hubId, topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'a-call', sensor: 'pendant', type: 'call', value: 'pressed' }))));
    hold.release();
    await hold.held;
    await Promise.all(done);
    await h.hearth.settle();

    const sa = await seqOf(a.hub.hubId);
    const sb = await seqOf(b.hub.hubId);
    expect(sb.size).toBe(4 * 50 + 1);
    const fall = sa.get('a-fall')!;
    // Written right after the moment already under way, before the moments queued behind it.
    expect(fall).toBeGreaterThan(sb.get('b-1-49')!);
    expect(fall).toBeLessThan(sb.get('b-2-0')!);
    // The pendant's battery report came first, so its call is stored after it.
    expect(sa.get('a-call')!).toBeGreaterThan(sa.get('a-pendant-battery')!);
    // Everything reached the detectors: the checkpoint is at the last event, and both alarms raised their alerts.
    const cp = await h.hearth.services.db.selectFrom('checkpoints').select('value').where('name', '=', FEED_CHECKPOINT).executeTakeFirstOrThrow();
    expect(cp.value).toBe(Math.max(...sa.values(), ...sb.values()));
    const types = (await h.hearth.services.db.selectFrom('alerts').select('type').where('hub_id', '=', a.hub.hubId).execute()).map((r) => r.type).sort();
    expect(types).toEqual(['call', 'fall']);
  });

  it('lets a routine moment through after a run of alarm moments, so a flood of alarms cannot starve it', async () => {
    const { ingest } = h.hearth.services;
    const hold = holdDatabase();
    const done: Promise<void>[] = [];
    done.push(ingest.submitEvents(b.hub.hubId, topics.events(b.hub.hubId), JSON.stringify(ev({ id: 'flood-r1' }))));
    await nextTurn();
    done.push(ingest.submitEvents(b.hub.hubId, topics.events(b.hub.hubId), JSON.stringify(ev({ id: 'flood-r2' }))));
    await nextTurn();
    for (let i = 0; i < 12; i++) {
      done.push(ingest.submitEvents(a.hub.hubId, topics.events(a.hub.hubId), JSON.stringify(ev({ id: `flood-fall-${i}`, sensor: 'hall-fall', type: 'fall', value: true }))));
      await null; // each alarm its own moment
    }
    hold.release();
    await hold.held;
    await Promise.all(done);
    await h.hearth.settle();
    const sa = await seqOf(a.hub.hubId);
    const sb = await seqOf(b.hub.hubId);
    // The moment under way first, then eight alarm moments, then the routine moment that waited, then the rest.
    expect(sb.get('flood-r2')!).toBeGreaterThan(sa.get('flood-fall-7')!);
    expect(sb.get('flood-r2')!).toBeLessThan(sa.get('flood-fall-8')!);
    expect(sa.get('flood-fall-0')!).toBeGreaterThan(sb.get('flood-r1')!);
  });

  it('over MQTT: a fall published behind a large backlog is stored and streamed, and a sensor’s events keep their order', async () => {
    const token = await signIn(h.hearth, c.users.operator.username, c.users.operator.password);
    const stream = await openStream(h.hearth.ports.http, token);
    const hubC = await connectHub(h.hearth.ports.mqtt, c.hub.hubId, c.hub.secret);
    const hubB = await connectHub(h.hearth.ports.mqtt, b.hub.hubId, b.hub.secret);
    const acks: Promise<unknown>[] = [];
    for (let m = 0; m < 20; m++) {
      acks.push(hubB.publishAsync(topics.events(b.hub.hubId), JSON.stringify({ events: Array.from({ length: 250 }, (_, i) => ev({ id: `mq-b-${m}-${i}` })) }), { qos: 1 }));
    }
    // Hub C: the pendant's routine reports and its calls, interleaved with a fall, on one connection.
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = `mq-pendant-${i}`;
      order.push(id);
      const event = i % 2 ? ev({ id, sensor: 'pendant', type: 'call', value: i === 5 ? 'cancelled' : 'pressed' }) : ev({ id, sensor: 'pendant', type: 'battery', value: 90 - i });
      acks.push(hubC.publishAsync(topics.events(c.hub.hubId), JSON.stringify(event), { qos: 1 }));
      if (i === 2) acks.push(hubC.publishAsync(topics.events(c.hub.hubId), JSON.stringify(ev({ id: 'mq-fall', sensor: 'hall-fall', type: 'fall', value: true })), { qos: 1 }));
    }
    await Promise.all(acks);
    await stream.next((m) => m.type === 'alert' && m.alert.type === 'fall' && m.alert.cause.events.some((e: { id: string }) => e.id === 'mq-fall'));
    await h.hearth.settle();

    const sc = await seqOf(c.hub.hubId);
    const sb = await seqOf(b.hub.hubId);
    expect(sc.has('mq-fall')).toBe(true);
    expect([...sb.keys()].filter((k) => k.startsWith('mq-b-'))).toHaveLength(20 * 250);
    expect([...order].sort((x, y) => sc.get(x)! - sc.get(y)!)).toEqual(order);
    const cp = await h.hearth.services.db.selectFrom('checkpoints').select('value').where('name', '=', FEED_CHECKPOINT).executeTakeFirstOrThrow();
    expect(cp.value).toBe(Math.max(...sc.values(), ...sb.values()));
    hubC.end();
    hubB.end();
    stream.ws.close();
  });
});
