import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { createHearth, type Hearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { DEFAULT_REJECTION_LIMITS } from '../../../server/src/ingest/rejection-limiter.ts';
import { connectHub, ev, seedOrg, tempDir, type Fixture } from '../../helpers/hearth.ts';

describe('per-hub rejection limits', () => {
  const clock = new VirtualClock(Date.parse('2026-03-02T10:00:00Z'));
  const lines: { msg: string; hubId?: string; suppressed?: number }[] = [];
  const tmp = tempDir();
  let h: Hearth;
  let bad: Fixture;
  let good: Fixture;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
        cb();
      },
    });
    const config = { ...loadConfig({}), httpPort: 0, mqttPort: 0, host: '127.0.0.1', dataDir: tmp.dir, demo: 'off' as const };
    h = await createHearth({ config, clock, logger: pino({ level: 'warn' }, sink) });
    await h.start();
    bad = await seedOrg(h, 'Org Flood', 'hub-flood');
    good = await seedOrg(h, 'Org Calm', 'hub-calm');
  });
  afterAll(async () => {
    await h.stop();
    tmp.remove();
  });

  const storedRejections = async (hubId: string) =>
    Number((await h.services.db.selectFrom('rejections').select((eb) => eb.fn.countAll().as('n')).where('hub_id', '=', hubId).executeTakeFirstOrThrow()).n);

  it('defect 4: a hub flooding rejected messages is throttled, then disconnected and held off, with sampled logging; other hubs are untouched', async () => {
    const L = DEFAULT_REJECTION_LIMITS;
    const flooder = await connectHub(h.ports.mqtt, bad.hub.hubId, bad.hub.secret);
    const calm = await connectHub(h.ports.mqtt, good.hub.hubId, good.hub.secret);
    const closed = new Promise<void>((resolve) => flooder.once('close', () => resolve()));
    const junk = JSON.stringify({ not: 'an event', pad: 'z'.repeat(3000) });
    let sent = 0;
    let calmSent = 0;
    // The clock stands still: the budget does not refill, so everything past the burst is over the limit.
    while (flooder.connected && sent < L.burst + L.disconnectAfter + 50) {
      const batch = [];
      for (let i = 0; i < 50; i++) batch.push(flooder.publishAsync(topics.events(bad.hub.hubId), junk, { qos: 1 }).catch(() => undefined));
      sent += 50;
      await Promise.race([Promise.all(batch), closed]);
      if (!flooder.connected) break;
      await calm.publishAsync(topics.events(good.hub.hubId), JSON.stringify(ev({ id: `calm-${calmSent++}`, ts: new Date(clock.now()).toISOString() })), { qos: 1 });
    }
    await closed;
    await h.settle();
    // stored: no more than the burst allows (the byte budget may stop it sooner)
    const kept = await storedRejections(bad.hub.hubId);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(L.burst);
    const counters = h.services.ingest.stats(bad.hub.hubId)[bad.hub.hubId]!;
    expect(counters.throttled).toBeGreaterThanOrEqual(L.disconnectAfter);
    expect(counters.rejected.HEARTH_ERR_INGEST_SCHEMA).toBe(kept + counters.throttled);
    expect(h.services.broker.counters.floodDisconnects).toBe(1);
    // sampled: a handful of log lines for hundreds of rejections
    const rejectedLines = lines.filter((l) => l.msg === 'message rejected' && l.hubId === bad.hub.hubId);
    expect(rejectedLines.length).toBeGreaterThanOrEqual(1);
    expect(rejectedLines.length).toBeLessThanOrEqual(3);

    // held off: reconnecting at once is refused (CONNACK 3, server unavailable)...
    await expect(connectHub(h.ports.mqtt, bad.hub.hubId, bad.hub.secret)).rejects.toThrow(/unavailable|connack|closed/i);
    // ...and the other hub went on the whole time and still does
    expect(calm.connected).toBe(true);
    const calmStored = await h.services.db.selectFrom('events').select('event_id').where('hub_id', '=', good.hub.hubId).execute();
    expect(calmStored).toHaveLength(calmSent);
    expect(await storedRejections(good.hub.hubId)).toBe(0);

    // after the hold-off the hub may connect again; its valid traffic is stored
    clock.advance(L.holdOffMs + 1000);
    const back = await connectHub(h.ports.mqtt, bad.hub.hubId, bad.hub.secret);
    await back.publishAsync(topics.events(bad.hub.hubId), JSON.stringify(ev({ id: 'after-hold-off', ts: new Date(clock.now()).toISOString() })), { qos: 1 });
    expect(await h.services.db.selectFrom('events').select('event_id').where('event_id', '=', 'after-hold-off').executeTakeFirst()).toBeTruthy();
    // and its budget has refilled with time: a rejection is stored again
    const before = await storedRejections(bad.hub.hubId);
    clock.advance(60_000);
    await back.publishAsync(topics.events(bad.hub.hubId), '{"broken', { qos: 1 });
    await h.settle();
    expect(await storedRejections(bad.hub.hubId)).toBe(before + 1);
    back.end(true);
    calm.end(true);
  });

  it('defect 4: rejections have a retention (default 30 days), applied by the daily retention job', async () => {
    const db = h.services.db;
    const now = clock.now();
    await db
      .insertInto('rejections')
      .values([
        { hub_id: good.hub.hubId, received_at: now - 31 * 86_400_000, topic: 't', reason: 'HEARTH_ERR_INGEST_JSON', detail: 'old', payload: 'x' },
        { hub_id: good.hub.hubId, received_at: now - 29 * 86_400_000, topic: 't', reason: 'HEARTH_ERR_INGEST_JSON', detail: 'recent', payload: 'x' },
      ])
      .execute();
    const report = await h.history.jobs.runRetention(true);
    expect(report?.rejections).toBeGreaterThanOrEqual(1);
    const left = await db.selectFrom('rejections').select('detail').where('hub_id', '=', good.hub.hubId).execute();
    expect(left.map((r) => r.detail)).toEqual(['recent']);
  });
});
