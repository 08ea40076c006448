import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import type { Hearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { addDays, daysFromTo, localTime } from '../../../server/src/trends/local-time.ts';
import { connectHub, seedOrg, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { ROUTINE_SENSORS, routine, startWith } from '../trends/routine.ts';

const TZ = 'Europe/London';
const FIRST = '2026-03-01';
const DAYS = 61; // through 30 April: spans the clocks going forward on 29 March
const RETENTION_DAYS = 30;
const NOW = Date.parse('2026-05-01T10:00:00Z');
const DAY = 86_400_000;

describe('daily summaries and retention, in virtual time', () => {
  const tmp = tempDir();
  let clock = new VirtualClock(NOW);
  let h: Hearth;
  let fx: Fixture;

  const count = async (from: number, to: number) => h.history.store.count({ hubId: fx.hub.hubId, from, to });
  const summaryRows = async () =>
    Number((await h.services.db.selectFrom('daily_summaries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const trendsOf = async (from: string, to: string) => {
    const r = (await h.history.trends.resident(fx.residentId))!;
    return h.history.trends.trends(r, from, to);
  };

  beforeAll(async () => {
    h = await startWith(tmp.dir, clock, { retentionDays: RETENTION_DAYS });
    fx = await seedOrg(h, 'Alliance', 'hub-0601');
    for (const s of ROUTINE_SENSORS) await h.services.directory.commissionSensor({ hubId: fx.hub.hubId, ...s });
    // The resident has been monitored since 1 March (the fixture creates them "now").
    await h.services.db.updateTable('residents').set({ created_at: localTime(TZ, FIRST, 0) }).where('id', '=', fx.residentId).execute();
    // Two months of the resident's days arrive from the hub's buffer, through the real broker.
    const hub = await connectHub(h.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    const events = routine(TZ, FIRST, DAYS);
    for (let i = 0; i < events.length; i += 500) {
      await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify({ events: events.slice(i, i + 500) }), { qos: 1 });
    }
    await hub.endAsync();
    await h.settle();
  });
  afterAll(async () => {
    await h.stop();
    tmp.remove();
  });

  it('removes raw events beyond the period, keeps summaries, and leaves trend answers over the summarised period unchanged', async () => {
    // 30 April is final only at noon on 1 May, local time: two hours after NOW.
    const to = addDays(FIRST, DAYS - 2);
    expect(await count(localTime(TZ, FIRST, 0), NOW)).toBe(routine(TZ, FIRST, DAYS).length);
    const before = await trendsOf(FIRST, to);
    expect(before.days.every((d) => d.source === 'live')).toBe(true);

    // The routine's figures, read in local time on both sides of the DST change.
    const byDay = new Map(before.days.map((d) => [d.day, d]));
    for (const day of ['2026-03-27', '2026-03-31']) {
      const d = byDay.get(day)!;
      expect(d.figures.rising.value).toBe(7 * 60 + 15);
      expect(d.figures.retiring.value).toBe(22 * 60 + 30);
      expect(d.figures.exits.value).toBe(1);
      expect(d.figures.temperatureMean.value).toBe(19);
      // 07:15, 07:25 and 07:45 local: hour 7 in GMT and in BST alike.
      const hours = before.heatmap.hours[before.heatmap.days.indexOf(day)]!;
      expect([hours[6], hours[7], hours[8]]).toEqual([0, 3, 1]);
    }
    expect(byDay.get('2026-03-31')!.figures.nightBathroomVisits.value).toBe(1);
    expect(byDay.get('2026-03-30')!.figures.nightBathroomVisits.value).toBe(0);
    // A cold day stands out against the usual range of the weeks before.
    expect(byDay.get('2026-04-10')!.figures.temperatureMean).toMatchObject({ value: 17, unusual: true, usual: { median: 19 } });
    expect(byDay.get('2026-04-11')!.figures.temperatureMean.unusual).toBe(false);

    // Retention never runs ahead of the summaries: with none written yet, nothing is deleted.
    await h.history.jobs.runRetention(true);
    expect(await count(localTime(TZ, FIRST, 0), NOW)).toBe(routine(TZ, FIRST, DAYS).length);

    const report = await h.history.jobs.runDue();
    // Every day final by now (noon the next day, local) is summarised: 1 March to 29 April.
    expect(report.summaries).toBe(DAYS - 1);
    expect(await summaryRows()).toBe(DAYS - 1);
    expect(report.retention?.cutoff).toBe(NOW - RETENTION_DAYS * DAY);

    expect(await count(0, NOW - RETENTION_DAYS * DAY)).toBe(0);
    expect(await count(NOW - RETENTION_DAYS * DAY, NOW)).toBeGreaterThan(0);
    const after = await trendsOf(FIRST, to);
    expect(after.days.every((d) => d.source === 'summary')).toBe(true);
    const strip = (t: typeof before) => ({ heatmap: t.heatmap, days: t.days.map(({ source: _s, ...rest }) => rest) });
    expect(strip(after)).toEqual(strip(before));
  });

  it('is idempotent, and a missed run is caught up without counting anything twice', async () => {
    const again = await h.history.jobs.runDue();
    expect(again).toEqual({ summaries: 0, retention: null, reports: expect.any(Number) });
    const reference = await trendsOf(FIRST, '2026-04-29');

    // The server is down for three days and misses every scheduled run; starting again catches up.
    await h.stop();
    clock = new VirtualClock(NOW + 3 * DAY);
    h = await startWith(tmp.dir, clock, { retentionDays: RETENTION_DAYS });
    await h.history.jobs.runDue(); // queued behind the catch-up run that start() began
    expect(await summaryRows()).toBe(DAYS + 2); // 30 April, 1 and 2 May added
    expect(await count(0, clock.now() - RETENTION_DAYS * DAY)).toBe(0);
    expect(await count(clock.now() - RETENTION_DAYS * DAY, clock.now())).toBeGreaterThan(0);
    expect(await trendsOf(FIRST, '2026-04-29')).toEqual(reference);
    const runs = await h.services.db.selectFrom('job_runs').select(['job', 'key', 'period']).where('job', '=', 'daily-summary').execute();
    expect(new Set(runs.map((r) => r.period))).toEqual(new Set(daysFromTo(FIRST, '2026-05-02')));
  });

  it('survives a restart: the completed periods are remembered and nothing is redone', async () => {
    await h.stop();
    h = await startWith(tmp.dir, clock, { retentionDays: RETENTION_DAYS });
    const after = await h.history.jobs.runDue();
    expect(after.summaries).toBe(0);
    expect(after.retention).toBeNull();
    expect(await summaryRows()).toBe(DAYS + 2);
  });

  it('keeps each neighbourhood\'s monthly service report once the month has closed', async () => {
    await h.stop();
    clock = new VirtualClock(Date.parse('2026-06-02T12:00:00Z'));
    h = await startWith(tmp.dir, clock, { retentionDays: RETENTION_DAYS });
    await h.history.jobs.runDue();
    const rows = await h.services.db.selectFrom('service_reports').selectAll().execute();
    expect(rows.map((r) => [r.neighbourhood_id, r.month])).toEqual([[fx.neighbourhoodId, '2026-05']]);
    expect(JSON.parse(rows[0]!.data)).toMatchObject({ month: '2026-05', neighbourhood: { id: fx.neighbourhoodId } });
    expect((await h.history.jobs.runDue()).reports).toBe(0);
  });
});
