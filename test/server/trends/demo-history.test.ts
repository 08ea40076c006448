import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createHearth, type Hearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { seedDemoHistory, type DemoHistoryReport } from '../../../server/src/demo/history.ts';
import { seedDemo, type DemoState } from '../../../server/src/demo/seed.ts';
import { FEED_CHECKPOINT } from '../../../server/src/ingest/core-feed.ts';
import { signIn, tempDir } from '../../helpers/hearth.ts';

const NOW = Date.parse('2026-11-20T10:30:00Z');

describe("the demo's weeks of history", () => {
  const tmp = tempDir('hearth-demo-history-');
  const clock = new VirtualClock(NOW);
  let h: Hearth;
  let demo: DemoState;
  let report: DemoHistoryReport;

  beforeAll(async () => {
    const config = { ...loadConfig({}), httpPort: 0, mqttPort: 0, host: '127.0.0.1', dataDir: tmp.dir, demo: 'off' as const };
    h = await createHearth({ config, clock, logger: pino({ level: process.env.HEARTH_TEST_LOG ?? 'silent' }) });
    demo = await seedDemo(h.services.directory, tmp.dir, 3);
    report = await seedDemoHistory(h, demo);
    await h.start();
    // Under a virtual clock the jobs do not schedule themselves: run their catch-up as the live server does at start.
    await h.history.jobs.runDue();
  }, 120_000);
  afterAll(async () => {
    await h.stop();
    tmp.remove();
  });

  it('flags the slowly declining resident, and no one else, through the real routine-change rule', async () => {
    expect(report).toMatchObject({ homes: 3, days: 56, routineChanges: 1 });
    expect(report.events).toBeGreaterThan(50_000);
    const alerts = await h.services.db.selectFrom('alerts').select(['type', 'hub_id', 'state', 'occurred_at', 'cause']).execute();
    expect(alerts.map((a) => [a.type, a.hub_id, a.state])).toEqual([['routine-change', 'demo-hub-001', 'raised']]);
    // The change began weeks into the history, after the decline started (day 21 of 56).
    expect(alerts[0]!.occurred_at).toBeGreaterThan(NOW - 35 * 86_400_000);
    expect(JSON.parse(alerts[0]!.cause).summary).toMatch(/^Routine changed over the last 7 days/);
  });

  it('hands the detectors their learned state and the feed its checkpoint, so nothing is fed twice', async () => {
    const rows = await h.services.db.selectFrom('detector_state').select(['hub_id', 'seq']).orderBy('hub_id').execute();
    expect(rows.map((r) => r.hub_id)).toEqual(['demo-hub-001', 'demo-hub-002', 'demo-hub-003']);
    const max = await h.services.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
    const cp = await h.services.db.selectFrom('checkpoints').select('value').where('name', '=', FEED_CHECKPOINT).executeTakeFirst();
    expect(cp?.value).toBe(Number(max?.m));
    expect(Math.max(...rows.map((r) => r.seq))).toBe(Number(max?.m));
  });

  it("gives the coordinator 30 days of trends from the first start, and learned values beside the plan's", async () => {
    const coordinator = demo.users.find((u) => u.role === 'coordinator')!;
    const token = await signIn(h, coordinator.username, coordinator.password);
    const caseload = (await h.app.inject({ method: 'GET', url: '/api/caseload', headers: { authorization: `Bearer ${token}` } })).json();
    expect(caseload.residents.map((r: { name: string; status: string }) => [r.name, r.status])).toEqual([
      ['Edith Clarke', 'changed'],
      ['Arthur Hughes', 'fine'],
      ['Margaret Patel', 'fine'],
    ]);
    const id = caseload.residents[0].id as string;
    const trends = (await h.app.inject({ method: 'GET', url: `/api/residents/${id}/trends`, headers: { authorization: `Bearer ${token}` } })).json();
    expect(trends.days).toHaveLength(30);
    expect(trends.days.filter((d: { source: string }) => d.source === 'summary').length).toBeGreaterThanOrEqual(28);
    expect(trends.days.every((d: { figures: { activity: { value: number | null; usual: unknown } } }) => d.figures.activity.value !== null && d.figures.activity.usual !== null)).toBe(true);
    const page = (await h.app.inject({ method: 'GET', url: `/api/residents/${id}/page`, headers: { authorization: `Bearer ${token}` } })).json();
    const learned = Object.fromEntries(page.plan.map((s: { key: string; learned: unknown }) => [s.key, s.learned]));
    expect(learned.usualRising).toMatchObject({ value: expect.stringMatching(/^\d\d:\d\d$/) });
    // From the routine detector's own state, restored at start.
    expect(learned.bathroomDwellMinutes).toMatchObject({ value: expect.any(Number), note: expect.stringContaining('learned over the last 14 days') });
    expect(learned.inactivityCeilingMinutes).toMatchObject({ value: expect.any(Number) });
  });
});
