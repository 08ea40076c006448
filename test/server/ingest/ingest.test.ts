import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { connectHub, ev, seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';

describe('ingest over a real MQTT connection', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let token: string;
  beforeAll(async () => {
    h = await startHearth();
    fx = await seedOrg(h.hearth, 'Alliance', 'hub-ingest');
    token = await signIn(h.hearth, fx.users.installer.username, fx.users.installer.password);
  });
  afterAll(async () => h.close());

  const storedIds = async (hubId: string) =>
    (await h.hearth.services.db.selectFrom('events').select('event_id').where('hub_id', '=', hubId).orderBy('ts').execute()).map((r) => r.event_id);

  it('stores and acts on a re-sent event once', async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    const fall = JSON.stringify(ev({ id: 'dup-fall', sensor: 'hall-fall', type: 'fall', value: true }));
    await hub.publishAsync(topics.events(fx.hub.hubId), fall, { qos: 1 });
    await hub.publishAsync(topics.events(fx.hub.hubId), fall, { qos: 1 });
    // and once more inside a batch, next to a new event
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify({ events: [JSON.parse(fall), ev({ id: 'after-dup' })] }), { qos: 1 });
    await h.hearth.settle();
    const ids = await storedIds(fx.hub.hubId);
    expect(ids.filter((i) => i === 'dup-fall')).toHaveLength(1);
    expect(ids).toContain('after-dup');
    const alerts = await h.hearth.services.db.selectFrom('alerts').selectAll().where('hub_id', '=', fx.hub.hubId).execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.repeat_count).toBe(0); // acted on once: not even counted as a repeat
    expect(h.hearth.services.ingest.stats(fx.hub.hubId)[fx.hub.hubId]!.duplicates).toBe(2);
    hub.end();
  });

  it('keeps the valid events of a batch, sets aside the invalid ones and malformed payloads, counts them, and keeps serving', async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    await hub.publishAsync(topics.events(fx.hub.hubId), '{"id": "broken', { qos: 1 });
    await hub.publishAsync(
      topics.events(fx.hub.hubId),
      JSON.stringify({
        events: [
          ev({ id: 'good-1', sensor: 'kitchen-pir', value: true }),
          ev({ id: 'bad-value', sensor: 'kitchen-pir', type: 'motion', value: 'very much' }),
          ev({ id: 'bad-type', sensor: 'x', type: 'teleport', value: 1 }),
          ev({ id: 'good-2', sensor: 'new-sensor', type: 'door', value: 'open' }),
        ],
      }),
      { qos: 1 },
    );
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify({ events: [] }), { qos: 1 });
    // The connection survived: a later valid event still goes through on the same client.
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify(ev({ id: 'still-serving' })), { qos: 1 });
    expect(hub.connected).toBe(true);
    await h.hearth.settle();

    const ids = await storedIds(fx.hub.hubId);
    expect(ids).toEqual(expect.arrayContaining(['good-1', 'good-2', 'still-serving']));
    expect(ids).not.toContain('bad-value');
    expect(ids).not.toContain('bad-type');

    const res = await h.hearth.app.inject({ method: 'GET', url: `/api/hubs/${fx.hub.hubId}/rejections`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.counts).toEqual({ HEARTH_ERR_INGEST_JSON: 1, HEARTH_ERR_INGEST_SCHEMA: 2, HEARTH_ERR_INGEST_BATCH: 1 });
    const schemaRejects = body.rejections.filter((r: any) => r.reason === 'HEARTH_ERR_INGEST_SCHEMA');
    expect(schemaRejects.map((r: any) => JSON.parse(r.payload).id).sort()).toEqual(['bad-type', 'bad-value']);
    expect(schemaRejects.find((r: any) => JSON.parse(r.payload).id === 'bad-value').detail).toMatch(/value/);

    // The sensor not yet commissioned is kept and shown to the installer.
    const sensors = await h.hearth.app.inject({ method: 'GET', url: `/api/hubs/${fx.hub.hubId}/sensors`, headers: { authorization: `Bearer ${token}` } });
    expect(sensors.json().sensors).toContainEqual(expect.objectContaining({ sensorId: 'new-sensor', commissioned: false, type: 'door' }));

    const hubs = await h.hearth.app.inject({ method: 'GET', url: '/api/hubs', headers: { authorization: `Bearer ${token}` } });
    expect(hubs.json().hubs[0]).toMatchObject({ id: fx.hub.hubId, connected: true, rejected: { HEARTH_ERR_INGEST_SCHEMA: 2 } });
    hub.end();
  });

  it('marks an event that arrives hours after it happened as late', async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    const sixHoursAgo = new Date(Date.now() - 6 * 3600_000).toISOString();
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify(ev({ id: 'old-one', ts: sixHoursAgo })), { qos: 1 });
    await h.hearth.settle();
    const row = await h.hearth.services.db.selectFrom('events').selectAll().where('event_id', '=', 'old-one').executeTakeFirstOrThrow();
    expect(row.late).toBe(1);
    expect(row.ts).toBe(Date.parse(sixHoursAgo));
    hub.end();
  });
});
