import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { axeViolations, screenshotsDir, buildDashboard, describeBrowser, launchBrowser, newPage, signInPage, type PageOptions } from '../../helpers/browser.ts';
import { connectHub, ev, seedOrg, startHearth } from '../../helpers/hearth.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SHOTS = screenshotsDir();
const pw = (who: string) => `${who} walks the long river path at dawn`;

/** Hours that exclude the current UTC time (so that team is off duty now, whatever the time of the run). */
function offDutyHours(): { urgentStart: string; urgentEnd: string } {
  const h = new Date().getUTCHours();
  const hh = (n: number) => `${String(n % 24).padStart(2, '0')}:00`;
  return { urgentStart: hh(h + 2), urgentEnd: hh(h + 3) };
}

describeBrowser('the operator console and the responder phone (issue 11)', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let browser: Browser;
  let base: string;
  let north: MqttClient;
  let south: MqttClient;
  const contexts: BrowserContext[] = [];
  const ids = {} as { orgId: string; northNb: string; southNb: string; edith: string; arthur: string; northHub: string; southHub: string };

  beforeAll(async () => {
    await buildDashboard();
    h = await startHearth();
    base = `http://127.0.0.1:${h.hearth.ports.http}/`;
    const d = h.hearth.services.directory;
    const org = await d.addOrganisation('Riverside Care Alliance');
    ids.orgId = org.id;
    // North's team works round the clock (start = end); South's team is off duty now.
    ids.northNb = (await d.addNeighbourhood({ orgId: org.id, name: 'North', urgentStart: '00:00', urgentEnd: '00:00', timezone: 'UTC' })).id;
    ids.southNb = (await d.addNeighbourhood({ orgId: org.id, name: 'South', ...offDutyHours(), timezone: 'UTC', outOfHoursRoute: 'Night nursing line' })).id;
    await d.addUser({ orgId: org.id, username: 'sam', password: pw('sam'), role: 'operator', displayName: 'Sam Operator', neighbourhoodId: ids.northNb });
    await d.addUser({ orgId: org.id, username: 'rita', password: pw('rita'), role: 'responder', displayName: 'Rita Responder', neighbourhoodId: ids.northNb });
    await d.addUser({ orgId: org.id, username: 'sid', password: pw('sid'), role: 'responder', displayName: 'Sid Responder', neighbourhoodId: ids.southNb });
    const hubs: Record<string, { hubId: string; secret: string }> = {};
    for (const [hubId, nb, name] of [
      ['hub-op-north', ids.northNb, 'Edith Clarke'],
      ['hub-op-south', ids.southNb, 'Arthur Hughes'],
    ] as const) {
      hubs[hubId] = await d.addHub({ orgId: org.id, hubId });
      await d.commissionSensor({ hubId, sensorId: 'hall-fall', type: 'fall', room: 'hall' });
      const r = await d.addResident({ orgId: org.id, neighbourhoodId: nb, name, hubId });
      if (name === 'Edith Clarke') ids.edith = r.id;
      else ids.arthur = r.id;
    }
    ids.northHub = 'hub-op-north';
    ids.southHub = 'hub-op-south';
    const { ResidentRecords } = await import('../../../server/src/care/resident-record.ts');
    const records = new ResidentRecords(h.hearth.services.db, h.hearth.services.clock);
    await records.set(org.id, ids.edith, {
      address: { line1: '14 Willow Lane', town: 'Riverside', postcode: 'RV1 4WL' },
      phone: '01632 960 101',
      keySafe: { code: '4821', location: 'left of the front door' },
      accessNotes: 'Front door sticks: lift and push.',
      gp: { name: 'Dr A. Rahman', practice: 'Riverside Health Centre', phone: '01632 960 500' },
      conditions: ['Atrial fibrillation'],
      medications: [{ name: 'Apixaban 5 mg', warning: 'Anticoagulant: bleeding risk after a fall' }],
      allergies: ['Penicillin'],
      language: 'English',
      hazards: ['Small dog, Biscuit'],
      carePlan: 'Lives alone; carer visits 08:30 and 18:00.',
    }, null);
    await d.setContacts(org.id, ids.edith, [{ name: 'Susan Clarke (daughter)', relation: 'next-of-kin', phone: '07700 900 111' }]);
    // The North team has a pager channel (an unreachable address: delivery fails, and the console says so).
    const { Channels } = await import('../../../server/src/notify/channels.ts');
    await new Channels(h.hearth.services.db, () => Date.now()).add({ orgId: org.id, ownerType: 'team', ownerId: ids.northNb, kind: 'webhook', name: 'North team pager', config: { url: 'https://pager.invalid/north', secret: 'a-long-enough-shared-secret' } });
    north = await connectHub(h.hearth.ports.mqtt, hubs['hub-op-north']!.hubId, hubs['hub-op-north']!.secret);
    south = await connectHub(h.hearth.ports.mqtt, hubs['hub-op-south']!.hubId, hubs['hub-op-south']!.secret);
    browser = await launchBrowser();
    fs.mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    north?.end(true);
    south?.end(true);
    await h?.close();
  });

  const open = async (opts: PageOptions = {}): Promise<Page> => {
    // The machine is shared: a generous per-locator timeout, so a slow moment is not a failure.
    const { context, page } = await newPage(browser, { timeoutMs: 15_000, ...opts });
    contexts.push(context);
    return page;
  };
  const fall = async (hub: MqttClient, hubId: string, id: string) => {
    await hub.publishAsync(topics.events(hubId), JSON.stringify(ev({ id, sensor: 'hall-fall', type: 'fall', value: true })), { qos: 1 });
    await h.hearth.settle();
  };
  const noAxe = async (page: Page, where: string) => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await axeViolations(page), `${where} (${scheme})`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  };
  const alertRow = async (residentId: string, type: string) =>
    h.hearth.services.db.selectFrom('alerts').selectAll().where('resident_id', '=', residentId).where('type', '=', type).orderBy('raised_at', 'desc').executeTakeFirstOrThrow();

  it('puts an urgent fall at the top above an older routine alert, sounds the alarm and announces it', async () => {
    // An older routine alert, raised first.
    await h.hearth.services.alerts.handleSignal({
      action: 'raise', type: 'cold-home', orgId: ids.orgId, hubId: ids.southHub, residentId: ids.arthur, occurredAt: Date.now() - 3600_000, at: Date.now(), late: false,
      cause: { rule: 'cold', summary: 'Living room below 16 °C for 2 hours', events: [] },
    });
    const page = await open();
    await signInPage(page, base, 'sam', pw('sam'));
    await page.getByRole('heading', { name: 'Alert queue' }).waitFor();
    // After sign-in, focus is on the main heading, not lost on the page body.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Alert queue');
    await page.locator('tr[data-alert-type="cold-home"]').waitFor();
    const before = Number((await page.evaluate(() => document.documentElement.dataset.alarmCount)) ?? 0);

    await fall(north, ids.northHub, 'op-fall-1');
    await page.locator('tr[data-alert-type="fall"]').waitFor();
    expect(await page.locator('tr.alert').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-type')))).toEqual(['fall', 'cold-home']);
    await page.waitForFunction((n) => Number(document.documentElement.dataset.alarmCount ?? 0) > n, before);
    expect(await page.evaluate(() => (window as unknown as { __hearthAlarm: { lastAlertId: string } }).__hearthAlarm.lastAlertId)).toBe((await alertRow(ids.edith, 'fall')).id);
    await page.locator('[aria-live="assertive"]').getByText('New urgent alert: Fall, Edith Clarke').waitFor();
    // Buttons name the resident.
    await page.getByRole('button', { name: 'Acknowledge fall for Edith Clarke' }).waitFor();
    // The mute is visible and runs out.
    await page.getByRole('button', { name: 'Mute alarm for 5 minutes' }).click();
    expect(await page.getByTestId('alarm-muted').textContent()).toMatch(/Alarm sound muted for (5:00|4:5\d) more/);
    await page.screenshot({ path: path.join(SHOTS, 'operator-queue.png') });
    await noAxe(page, 'queue');
    await page.getByRole('button', { name: 'Unmute' }).click();
    // Filters: by neighbourhood (named), type and state.
    await page.getByLabel('Neighbourhood').selectOption({ label: 'South' });
    expect(await page.locator('tr.alert').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-type')))).toEqual(['cold-home']);
    await page.getByLabel('Neighbourhood').selectOption({ label: 'All' });
    await page.getByLabel('Type').selectOption({ label: 'Fall' });
    expect(await page.locator('tr.alert').count()).toBe(1);
    await page.getByLabel('Type').selectOption({ label: 'All types' });
    // The skip link focuses the content without changing the page.
    const hash = await page.evaluate(() => location.hash);
    await page.locator('a.skip').focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => [location.hash, document.activeElement?.id])).toEqual([hash, 'content']);
  });

  it('lets the operator read the record, add a note, dispatch the on-duty team and see who was told', async () => {
    const page = await open();
    await signInPage(page, base, 'sam', pw('sam'));
    const row = page.locator('tr[data-alert-type="fall"]');
    await row.getByRole('button', { name: 'Details of fall for Edith Clarke' }).click();
    const record = page.getByTestId('resident-record');
    await record.waitFor();
    const text = (await record.textContent()) ?? '';
    for (const want of ['14 Willow Lane', '4821', 'Front door sticks', 'Bleeding risk after a fall'.toLowerCase(), 'Penicillin', 'Small dog', 'Susan Clarke', 'Dr A. Rahman']) expect(text.toLowerCase()).toContain(want.toLowerCase());
    expect(await record.getByRole('link', { name: 'Call Susan Clarke (daughter) on 07700 900 111' }).getAttribute('href')).toBe('tel:07700900111');
    await page.getByRole('heading', { name: /Call script: Fall/ }).waitFor();
    await page.locator('.routing-outcome[data-change="raised"]').getByText('North team pager', { exact: false }).waitFor();

    await page.getByRole('button', { name: 'Acknowledge fall for Edith Clarke' }).click();
    await page.getByLabel('Add a note').fill('Rang Edith: she answered, cannot get up');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.timeline li.entry-note').getByText('Rang Edith: she answered, cannot get up').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'operator-alert.png'), fullPage: true });
    await noAxe(page, 'alert page');

    await page.getByRole('button', { name: 'Dispatch for fall for Edith Clarke' }).click();
    const dialog = page.getByTestId('dispatch-dialog');
    await dialog.getByText('urgent response team is on duty').waitFor();
    await noAxe(page, 'dispatch dialog (on duty)');
    await dialog.getByRole('button', { name: 'Dispatch the North team' }).click();
    await dialog.getByText('Dispatched.').waitFor();
    // Who was told: the team's pager, by webhook, with its state (never "sent" when nothing was).
    expect(await dialog.locator('.routing-outcome').textContent()).toMatch(/Dispatch: 1 told.*team North team pager by webhook/);
    await dialog.getByRole('button', { name: 'Done' }).click();
    const a = await alertRow(ids.edith, 'fall');
    expect(a.state).toBe('dispatched');
    expect(JSON.parse(a.dispatch_target!)).toEqual({ kind: 'team', neighbourhoodId: ids.northNb });
  });

  it('asks first when dispatching a team that is off duty', async () => {
    await fall(south, ids.southHub, 'op-fall-south-1');
    const page = await open({ colorScheme: 'dark' });
    await signInPage(page, base, 'sam', pw('sam'));
    const row = page.locator(`tr[data-alert-type="fall"][data-alert-id="${(await alertRow(ids.arthur, 'fall')).id}"]`);
    await row.getByRole('button', { name: 'Acknowledge fall for Arthur Hughes' }).click();
    await row.getByRole('button', { name: 'Dispatch for fall for Arthur Hughes' }).click();
    const dialog = page.getByTestId('dispatch-dialog');
    await dialog.getByText('The South urgent response team is off duty').waitFor();
    expect(await dialog.textContent()).toContain('On duty now: Night nursing line');
    await noAxe(page, 'dispatch dialog (off duty)');
    expect((await alertRow(ids.arthur, 'fall')).state).toBe('acknowledged');
    await dialog.getByRole('button', { name: 'Dispatch Night nursing line' }).click();
    await dialog.getByText('Dispatched.').waitFor();
    expect(await dialog.textContent()).toMatch(/nobody told: no channel configured/i);
    const a = await alertRow(ids.arthur, 'fall');
    expect(JSON.parse(a.dispatch_target!)).toEqual({ kind: 'out-of-hours', route: 'Night nursing line' });
  });

  it('shows a responder at 390 x 844 only their job, with the address, key safe and tap-to-call, and lets them mark on site', async () => {
    const page = await open({ width: 390, height: 844 });
    await signInPage(page, base, 'rita', pw('rita'));
    await page.getByRole('heading', { name: 'My jobs' }).waitFor();
    const job = page.locator('article.job');
    await job.first().waitFor();
    expect(await job.count()).toBe(1); // not South's fall, not the routine alert
    expect(await job.textContent()).toContain('Fall: Edith Clarke');
    await job.getByText('4821').waitFor();
    expect(await job.getByRole('link', { name: 'Map and directions' }).getAttribute('href')).toBe(`https://www.openstreetmap.org/search?query=${encodeURIComponent('14 Willow Lane, Riverside, RV1 4WL')}`);
    expect(await job.getByRole('link', { name: /Call Edith Clarke on/ }).getAttribute('href')).toBe('tel:01632960101');
    // Laid out for the phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await noAxe(page, 'responder phone');
    await job.getByRole('button', { name: 'On my way to Edith Clarke' }).click();
    await job.getByText('on the way since').waitFor();
    await job.getByRole('button', { name: 'On site with Edith Clarke' }).click();
    await job.getByText('You are on site').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'responder-phone.png'), fullPage: true });
    const a = await alertRow(ids.edith, 'fall');
    expect(a).toMatchObject({ state: 'on-site', on_site_proxy: 0 });
    expect(a.on_site_by).toBe((await h.hearth.services.db.selectFrom('users').select('id').where('username', '=', 'rita').executeTakeFirstOrThrow()).id);
    // The other team's responder sees neither job.
    const sid = await open({ width: 390, height: 844 });
    await signInPage(sid, base, 'sid', pw('sid'));
    await sid.getByText('No jobs for you or your team.').waitFor();
  });

  it('works the queue with the keyboard only, and keeps focus where the operator was', async () => {
    await fall(north, ids.northHub, 'op-fall-kbd-1'); // a repeat of Edith's open fall
    const page = await open();
    await signInPage(page, base, 'sam', pw('sam'));
    const cold = page.locator('tr[data-alert-type="cold-home"]');
    await cold.waitFor();
    // j moves to the first row, again to the next; a acknowledges the selected alert.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/^Details of cold home for Arthur Hughes$/i);
    await page.keyboard.press('a');
    await cold.getByText('Acknowledged by Sam Operator (you)').waitFor();
    // Enter opens it; the page's heading has focus; back to the queue returns focus to the row's button.
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Cold home: Arthur Hughes/ }).waitFor();
    await page.keyboard.press('Shift+Tab'); // to "Back to the queue" (the link before the heading)
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Back to the queue');
    await page.keyboard.press('Enter');
    await cold.waitFor();
    await page.waitForFunction(() => /cold home for Arthur Hughes/i.test(document.activeElement?.getAttribute('aria-label') ?? ''));
    // r opens the resolve dialog: outcomes fit the type; a confirmation before it closes.
    await page.keyboard.press('r');
    const dialog = page.getByTestId('resolve-dialog');
    await dialog.waitFor();
    const options = await dialog.getByLabel('Outcome').locator('option').allTextContents();
    expect(options).not.toContain('Engineer visit booked');
    await dialog.getByLabel('Outcome').focus();
    await dialog.getByLabel('Outcome').selectOption('no-harm');
    await dialog.getByRole('button', { name: 'Resolve…' }).focus();
    await page.keyboard.press('Enter');
    await dialog.getByText('as Spoke to the resident: no harm?', { exact: false }).waitFor();
    await noAxe(page, 'resolve confirmation');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Yes, resolve');
    await page.keyboard.press('Enter');
    await cold.waitFor({ state: 'detached' });
    expect((await alertRow(ids.arthur, 'cold-home')).outcome).toBe('no-harm');
  });

  it('finds closed alerts in the history, by resident, with paging', async () => {
    const page = await open();
    await signInPage(page, base, 'sam', pw('sam'));
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Alert history' }).waitFor();
    await page.getByLabel('Resident', { exact: true }).fill('Arthur');
    await page.getByRole('button', { name: 'Search' }).click();
    const table = page.locator('table.history-table');
    await table.getByText('Cold home').waitFor();
    expect(await table.textContent()).toContain('Arthur Hughes');
    expect(await page.locator('.pager').textContent()).toMatch(/Page 1 of 1 \(1 alerts\)/);
    await page.screenshot({ path: path.join(SHOTS, 'operator-history.png') });
    await noAxe(page, 'history');
    await table.getByRole('link', { name: 'Arthur Hughes' }).click();
    await page.getByRole('heading', { name: 'Arthur Hughes', level: 1 }).waitFor();
    await noAxe(page, 'resident page');
    await page.getByRole('link', { name: 'Handover' }).click();
    await page.getByRole('heading', { name: 'Shift handover' }).waitFor();
    await page.getByText('Rang Edith: she answered, cannot get up', { exact: false }).waitFor();
    await noAxe(page, 'handover');
  });

  it("shows a user of another organisation none of it", async () => {
    const other = await seedOrg(h.hearth, 'Elsewhere Trust', 'hub-op-other');
    const page = await open();
    await signInPage(page, base, other.users.operator.username, other.users.operator.password);
    await page.getByText('No open alerts.').waitFor();
    const fallId = (await alertRow(ids.edith, 'fall')).id;
    expect((await page.request.get(`${base}api/alerts/${fallId}`)).status()).toBe(404);
    expect((await page.request.get(`${base}api/residents/${ids.edith}/record`)).status()).toBe(404);
    expect(((await (await page.request.get(`${base}api/alerts/history`)).json()) as { total: number }).total).toBe(0);
    await page.goto(`${base}#/alerts/${fallId}`);
    await page.getByRole('alert').getByText(/no such alert/i).waitFor();
    expect(await page.locator('body').textContent()).not.toContain('Edith');
  });
});
