import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHearth, type Hearth } from '../../../server/src/app.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { seedDemoHistory, type DemoHistoryReport } from '../../../server/src/demo/history.ts';
import { seedDemo, type DemoState } from '../../../server/src/demo/seed.ts';
import { axeViolations, screenshotsDir, buildDashboard, describeBrowser, launchBrowser, newPage, signInPage } from '../../helpers/browser.ts';
import { seedOrg, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { ROOT } from '../../helpers/process.ts';

const SHOTS = screenshotsDir();

/**
 * Sign in through the form; other engineers' test runs rebuild the shared
 * dashboard/dist, so a page that loaded while it was being rebuilt is loaded again.
 */
async function signInRetry(page: Page, base: string, username: string, password: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await page.goto(base);
      await page.getByLabel('Username').waitFor({ timeout: 8000 });
      break;
    } catch (err) {
      if (i >= 3) throw err;
    }
  }
  await signInPage(page, base, username, password);
}

/** What a drawn uPlot chart holds: its series labels, points with data per series, and whether it drew. */
async function chartState(page: Page, name: string): Promise<{ labels: string[]; points: number[]; length: number; drawn: number; bands: number }> {
  return page.evaluate((n) => {
    const el = document.querySelector(`[data-chart="${n}"] .trend-chart-canvas`) as (HTMLDivElement & { uplot?: { data: (number | null)[][]; series: { label?: string }[]; bands?: unknown[] } }) | null;
    const u = el?.uplot;
    if (!u) return { labels: [], points: [], length: 0, drawn: 0, bands: 0 };
    return {
      labels: u.series.map((s) => String(s.label ?? '')),
      points: u.data.map((col) => col.filter((v) => v !== null && v !== undefined).length),
      length: u.data[0]!.length,
      drawn: Number(el!.dataset['drawn'] ?? 0),
      bands: u.bands?.length ?? 0,
    };
  }, name);
}

/**
 * The care coordinator in the browser, against the real server with the demo's
 * weeks of simulated history: the caseload flags the declining resident, their
 * page draws 30 days against the usual band, the plan is edited within bounds
 * (and refused outside them), away mode is set, the print summary renders, and
 * another coordinator's or organisation's resident is refused.
 */
describeBrowser('care coordinator console', () => {
  const tmp = tempDir('hearth-coord-');
  let h: Hearth;
  let demo: DemoState;
  let report: DemoHistoryReport;
  let other: Fixture;
  let colleagueResident: string;
  let browser: Browser;
  let base: string;
  const pw = (role: string) => demo.users.find((u) => u.role === role)!.password;

  beforeAll(async () => {
    await buildDashboard();
    const config = { ...loadConfig({}), httpPort: 0, mqttPort: 0, host: '127.0.0.1', dataDir: tmp.dir, demo: 'off' as const };
    h = await createHearth({ config, logger: pino({ level: process.env.HEARTH_TEST_LOG ?? 'silent' }) });
    // As `npm start` on an empty data folder: the demo, then its history, then the server starts.
    demo = await seedDemo(h.services.directory, tmp.dir, 3);
    report = await seedDemoHistory(h, demo);
    await h.start();
    // The jobs' catch-up at start summarises the history's finished days; wait for it.
    await h.history.jobs.runDue();
    const d = h.services.directory;
    const org = (await d.findOrganisation(demo.organisation))!;
    const nb = (await d.findNeighbourhood(org.id, 'Riverside'))!;
    const colleague = await d.addUser({ orgId: org.id, username: 'colleague', password: 'colleague-pass-77', role: 'coordinator', neighbourhoodId: nb.id });
    colleagueResident = (await d.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: 'Colleague Resident', hubId: null, coordinatorId: colleague.id })).id;
    other = await seedOrg(h, 'Elsewhere Care', 'hub-elsewhere');
    base = `http://127.0.0.1:${h.ports.http}/`;
    browser = await launchBrowser();
    fs.mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    tmp.remove();
  });

  const axeBoth = async (page: Page, what: string): Promise<void> => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axeViolations(page), `${what} (${scheme})`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };

  it('opens the caseload, sees the declining resident flagged, and their 30 days drawn against the usual band', async () => {
    expect(report).toMatchObject({ homes: 3, routineChanges: 1 });
    const { context, page } = await newPage(browser, { width: 1024, height: 768, timeoutMs: 15_000 });
    await signInRetry(page, base, 'coordinator', pw('coordinator'));
    await page.getByRole('heading', { name: 'Caseload', exact: true }).waitFor();
    const cards = page.locator('.caseload > li');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(3);
    const first = cards.first();
    expect(await first.locator('.case-name').textContent()).toBe('Edith Clarke');
    expect(await first.locator('.case-status').textContent()).toBe('Something changed');
    expect(await first.getByTestId('routine-change').textContent()).toMatch(/Routine change:.*Routine changed over the last 7 days/);
    expect(Number(await first.locator('svg.sparkline').getAttribute('data-points'))).toBeGreaterThanOrEqual(13);
    for (const other of await cards.all().then((l) => l.slice(1))) expect(await other.locator('.case-status').textContent()).toBe('Fine');
    // Search narrows the list.
    await page.getByLabel('Find a resident').fill('arth');
    await page.waitForFunction(() => document.querySelectorAll('.caseload > li').length === 1);
    expect(await cards.first().locator('.case-name').textContent()).toBe('Arthur Hughes');
    await page.getByLabel('Find a resident').fill('');
    await page.waitForFunction(() => document.querySelectorAll('.caseload > li').length === 3);
    await axeBoth(page, 'caseload');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: path.join(SHOTS, 'coordinator-caseload.png') });

    await first.getByRole('link', { name: 'Edith Clarke' }).click();
    await page.getByRole('heading', { name: 'Edith Clarke' }).waitFor();
    await page.getByTestId('routine-change-alert').first().waitFor();
    await page.waitForFunction(() => Number((document.querySelector('[data-chart="activity"] .trend-chart-canvas') as HTMLElement | null)?.dataset['drawn'] ?? 0) > 0);
    const activity = await chartState(page, 'activity');
    // x, the band's high and low, the line: 30 days, nearly every day with data and a usual range.
    expect(activity.length).toBe(30);
    expect(activity.labels).toEqual(['day', 'Activity events: usual high', 'Activity events: usual low', 'Activity events']);
    expect(activity.points[3]).toBeGreaterThanOrEqual(29);
    expect(activity.points[1]).toBeGreaterThanOrEqual(29);
    expect(activity.bands).toBe(1);
    const rising = await chartState(page, 'rising');
    expect(rising.labels).toContain('Going to bed');
    expect(rising.bands).toBe(2);
    expect(rising.points[3]).toBeGreaterThanOrEqual(28);
    for (const name of ['night-bathroom', 'rooms', 'out', 'chair', 'temperature']) expect((await chartState(page, name)).length, name).toBe(30);
    expect(await page.locator('table.heatmap tbody tr').count()).toBe(31);
    await axeBoth(page, 'resident page');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => document.getElementById('trends')?.scrollIntoView());
    await page.waitForFunction(() => Number((document.querySelector('[data-chart="rising"] .trend-chart-canvas') as HTMLElement | null)?.dataset['drawn'] ?? 0) > 0);
    await page.screenshot({ path: path.join(SHOTS, 'coordinator-resident.png') });
    // 90 days: the history began 8 weeks ago; the days before it are gaps, not zeros.
    await page.getByRole('button', { name: '90 days' }).click();
    await page.waitForFunction(() => (document.querySelector('[data-chart="activity"] .trend-chart-canvas') as { uplot?: { data: unknown[][] } } | null)?.uplot?.data[0]?.length === 90);
    const ninety = await chartState(page, 'activity');
    expect(ninety.points[3]).toBeGreaterThanOrEqual(55);
    expect(ninety.points[3]).toBeLessThanOrEqual(58);
    await context.close();
  });

  it('edits a plan setting within bounds, is refused outside them, sets away mode, and prints the summary', async () => {
    const { context, page } = await newPage(browser, { width: 768, height: 1024, timeoutMs: 15_000 });
    await signInRetry(page, base, 'coordinator', pw('coordinator'));
    await page.locator('.caseload > li').first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Monitoring plan' }).waitFor();
    // Tablet first: nothing wider than the 768 px screen (wide tables scroll inside their own box).
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const row = page.locator('tr[data-setting="longLieMinutes"]');
    await row.getByLabel('Long lie after a fall').fill('30');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('plan-history').getByText(/changed Long lie after a fall from default to 30/).waitFor();
    expect(await page.locator('tr[data-setting="longLieMinutes"] input').inputValue()).toBe('30');
    const row2 = page.locator('tr[data-setting="longLieMinutes"]');
    await row2.getByLabel('Long lie after a fall').fill('500');
    await row2.getByRole('button', { name: 'Save' }).click();
    expect(await page.getByTestId('plan-msg-longLieMinutes').textContent()).toBe('longLieMinutes must be from 1 to 240 minutes (got 500)');
    // The learned values stand beside the plan's.
    expect(await page.getByTestId('learned-usualRising').textContent()).toMatch(/\d\d:\d\d.*median first activity/);

    await page.getByLabel('Reason').fill('Hospital stay');
    const until = await page.locator('#away-until').getAttribute('min');
    await page.locator('#away-until').fill(until!);
    await page.getByRole('button', { name: 'Set away mode' }).click();
    await page.getByTestId('away-state').getByText(/Hospital stay/).waitFor();
    expect(await page.getByTestId('away-state').textContent()).toContain(`until ${until} (inclusive)`);

    await page.getByLabel('New note').fill('Bring the later rising and the night-time visits to the MDT.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.notes li').getByText(/later rising/).waitFor();
    await axeBoth(page, 'resident page after edits (tablet)');

    await page.getByRole('link', { name: 'One-page summary to print' }).click();
    await page.getByRole('heading', { name: /summary for the MDT/ }).waitFor();
    const summary = page.getByTestId('summary');
    await summary.getByText(/Long lie after a fall: 30 \(default 20\)/).waitFor();
    await summary.getByText(/Away until .*: Hospital stay/).waitFor();
    await summary.locator('.summary-table tbody tr').first().getByText(/^\d+$/).first().waitFor();
    await axeBoth(page, 'print summary');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.top').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print or save as PDF' }).isVisible()).toBe(false);
    expect(await summary.isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await context.close();
  });

  it("refuses another coordinator's resident and another organisation's, and fits a phone", async () => {
    const { context, page } = await newPage(browser, { width: 390, height: 844, timeoutMs: 15_000 });
    await signInRetry(page, base, 'coordinator', pw('coordinator'));
    await page.getByRole('heading', { name: 'Caseload', exact: true }).waitFor();
    await page.locator('.caseload > li').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    for (const id of [colleagueResident, other.residentId]) {
      await page.goto(`${base}#/caseload/${id}`);
      await page.getByRole('alert').getByText('There is no such resident on your caseload.').waitFor();
      await page.goto(`${base}#/caseload/${id}/summary`);
      await page.getByRole('alert').getByText('There is no such resident on your caseload.').waitFor();
    }
    await axeBoth(page, 'refused resident page (phone)');
    await context.close();
  });
});
