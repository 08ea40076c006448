import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import type { Hearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { InfluxStore } from '../../../server/src/store/influx-store.ts';
import { SqliteStore } from '../../../server/src/store/sqlite-store.ts';
import { TrendService } from '../../../server/src/trends/trend-service.ts';
import { connectHub, ev, seedOrg, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { influxAvailable, startInflux, type InfluxServer } from '../../helpers/influx.ts';
import { startWith } from '../trends/routine.ts';

const T0 = Date.parse('2026-06-01T09:00:00Z');

describe.runIf(influxAvailable())('HEARTH_STORE=influx: acknowledged events reach InfluxDB, through an outage and a restart', () => {
  const tmp = tempDir();
  let clock = new VirtualClock(T0);
  let influx: InfluxServer;
  let h: Hearth;
  let fx: Fixture;
  let reader: InfluxStore;

  const config = () => ({ store: 'influx' as const, influxUrl: influx.url, influxDb: 'hearth_fwd' });
  const inInflux = async () => (await reader.range({ hubId: fx.hub.hubId, from: T0 - 3600_000, to: T0 + 3600_000 })).map((e) => e.id);
  const publish = async (ids: string[]) => {
    const hub = await connectHub(h.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    for (let i = 0; i < ids.length; i += 100) {
      const events = ids.slice(i, i + 100).map((id, k) => ev({ id, ts: new Date(T0 + i + k).toISOString() }));
      // QoS 1: the PUBACK means the server has the events on disk.
      await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify({ events }), { qos: 1 });
    }
    await hub.endAsync();
    await h.settle();
  };

  beforeAll(async () => {
    influx = await startInflux();
    reader = new InfluxStore({ url: influx.url, database: 'hearth_fwd' });
    h = await startWith(tmp.dir, clock, config());
    fx = await seedOrg(h, 'Alliance', 'hub-0602');
  });
  afterAll(async () => {
    await h?.stop();
    await influx?.close();
    tmp.remove();
  });

  it('forwards stored events in batches', async () => {
    await publish(['a-1', 'a-2', 'a-3']);
    expect(await inInflux()).toEqual(['a-1', 'a-2', 'a-3']);
    expect(await h.history.forwarder!.pending()).toBe(0);
  });

  it('keeps acknowledging hubs while InfluxDB is down, queues on disk, and delivers everything after InfluxDB and the server restart', async () => {
    await influx.stop();
    const ids = Array.from({ length: 750 }, (_, i) => `b-${String(i).padStart(3, '0')}`);
    await publish(ids); // every publish was acknowledged
    const fwd = h.history.forwarder!;
    expect(await fwd.pending()).toBe(750);
    expect(fwd.status()).toMatchObject({ retryingInMs: expect.any(Number) });
    expect(fwd.status().lastError).toMatch(/unreachable/);

    // The server restarts the next day while InfluxDB is still down: the queue is on disk, not in memory.
    await h.stop();
    clock = new VirtualClock(Date.parse('2026-06-02T13:00:00Z'));
    h = await startWith(tmp.dir, clock, config());
    await h.settle();
    expect(await h.history.forwarder!.pending()).toBe(750);
    // 1 June is final by now, but its events are not all in InfluxDB yet: it is not summarised from half the data.
    expect((await h.history.jobs.runDue()).summaries).toBe(0);

    await influx.start();
    // InfluxDB is back but the backlog has not been sent yet (the retry is still waiting): no summary from part of the day.
    expect((await h.history.jobs.runDue()).summaries).toBe(0);
    expect(await h.history.forwarder!.pending()).toBe(750);
    clock.advance(60_000); // past the retry back-off
    await h.settle();
    expect(await h.history.forwarder!.pending()).toBe(0);
    expect((await h.history.jobs.runDue()).summaries).toBe(1);
    expect((await inInflux()).sort()).toEqual(['a-1', 'a-2', 'a-3', ...ids].sort());
    // Forwarding again (a backfill, a retry after a lost answer) does not duplicate anything.
    await h.history.store.append(await h.history.store.range({ hubId: fx.hub.hubId, from: T0 - 3600_000, to: T0 + 3600_000 }));
    expect(await reader.count({ hubId: fx.hub.hubId, from: T0 - 3600_000, to: T0 + 3600_000 })).toBe(753);
  });

  it('answers trends from InfluxDB exactly as from SQLite', async () => {
    const s = h.services;
    const fromSqlite = new TrendService(s.db, new SqliteStore(s.db), h.history.presence, s.directory, clock);
    const r = (await h.history.trends.resident(fx.residentId))!;
    const viaInflux = await h.history.trends.trends(r, '2026-06-01', '2026-06-01');
    expect(viaInflux.heatmap.hours[0]![10]).toBe(753); // 09:00Z is 10:00 in London (BST)
    expect(viaInflux).toEqual(await fromSqlite.trends(r, '2026-06-01', '2026-06-01'));
  });
});
