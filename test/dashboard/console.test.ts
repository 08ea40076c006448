import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import type { AlertView } from '../../server/src/alerts/alert-view.ts';
import { VirtualClock } from '../../server/src/clock.ts';
import { connectHub, ev, seedOrg, signIn, startHearth, type Fixture } from '../helpers/hearth.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const CI = process.env.CI === 'true';

if (!HAVE_CHROMIUM && !CI) {
  console.warn(`skipping the console browser test: ${CHROMIUM} is missing (install the Debian package "chromium")`);
}

describe.runIf(!HAVE_CHROMIUM && CI)('console browser test under CI', () => {
  it('needs Chromium', () => {
    throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium"`);
  });
});

describe.runIf(HAVE_CHROMIUM)('operator console in a real browser', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let browser: Browser;
  let hub: MqttClient;
  let token: string;
  let base: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // Built before the server starts: the server serves dashboard/dist only if it exists at start-up.
    await build({ configFile: path.join(ROOT, 'dashboard/vite.config.ts'), logLevel: 'warn' });
    h = await startHearth();
    fx = await seedOrg(h.hearth, 'Alliance', 'hub-0101');
    token = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    base = `http://127.0.0.1:${h.hearth.ports.http}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    hub?.end(true);
    await h?.close();
  });

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    // Fail in seconds with the locator named, not at the test's own timeout.
    context.setDefaultTimeout(15_000);
    return context.newPage();
  };

  const signInPage = async (page: Page, username: string, password: string): Promise<void> => {
    await page.goto(base);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  const apiAlert = async (id: string): Promise<AlertView> => {
    const res = await h.hearth.app.inject({ method: 'GET', url: `/api/alerts/${id}`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    return (res.json() as { alert: AlertView }).alert;
  };

  const publish = async (event: Record<string, unknown>): Promise<void> => {
    await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify(ev(event)), { qos: 1 });
    await h.hearth.settle();
  };

  it('says so when the password is wrong, and stays on the sign-in form', async () => {
    const page = await newPage();
    await signInPage(page, fx.users.operator.username, 'not-the-password');
    const error = page.getByRole('alert');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/wrong username or password/i);
    expect(await page.getByLabel('Password').isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await page.screenshot({ path: '/tmp/console-sign-in.png' });
  });

  it('opens a page whose address changed the moment the console appeared (before its effects ran)', async () => {
    // A link followed, or an address typed, right as the console first draws: the DOM is there but
    // Preact's effects (which listen for hash changes) run only after the next frame. The hash is set
    // from a MutationObserver, which runs before that frame, so the change lands in exactly that gap.
    const page = await newPage();
    await page.addInitScript(() => {
      const seen = new MutationObserver(() => {
        const out = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Sign out');
        if (!out) return;
        seen.disconnect();
        window.location.hash = '#/handover';
      });
      document.addEventListener('DOMContentLoaded', () => seen.observe(document.body, { childList: true, subtree: true }));
    });
    await signInPage(page, fx.users.operator.username, fx.users.operator.password);
    await page.getByRole('heading', { level: 1, name: 'Shift handover' }).waitFor({ timeout: 5_000 });
    expect(page.url()).toMatch(/#\/handover$/);
  });

  it('shows a fall live, acknowledges it and resolves it', async () => {
    const page = await newPage();
    // The page's clock is Playwright's, so the "time since" can be moved on without waiting.
    await page.clock.install();
    await signInPage(page, fx.users.operator.username, fx.users.operator.password);
    await page.getByText('No open alerts.').waitFor();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    await publish({ id: 'fall-live-1', sensor: 'hall-fall', type: 'fall', value: true });
    const row = page.locator('tr[data-alert-type="fall"]');
    await row.waitFor({ timeout: 5000 });
    const id = await row.getAttribute('data-alert-id');
    expect(id).toBeTruthy();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Resident of hub-0101');
    expect(text).toContain('Fall detected by hall-fall in the hall');
    expect(text).toContain('Room: hall');
    expect(text).toContain('Urgent');
    expect(text).toContain('Not acknowledged');
    expect(await row.getAttribute('class')).toContain('unacked');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page.title()).toBe('(1) Hearth console');

    // The "time since" clock ticks, and an urgent alert past the 60 s standard is flagged overdue.
    await page.clock.fastForward('01:05');
    await page.waitForFunction((sel) => /^1 min/.test(document.querySelector(sel)?.textContent ?? ''), `tr[data-alert-id="${id}"] .since`);
    expect(await row.locator('.ack').textContent()).toMatch(/Not acknowledged for 1 min/);
    expect(await row.getAttribute('class')).toContain('overdue');

    // A call arrives too: both urgent, the one waiting longest on top (issue 11).
    await publish({ id: 'call-live-1', sensor: 'pendant', type: 'call', value: 'pressed' });
    await page.locator('tr[data-alert-type="call"]').waitFor();
    expect(await page.locator('tr.alert').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-type')))).toEqual(['fall', 'call']);
    // Pressed again: the same alert says it repeated.
    await publish({ id: 'call-live-2', sensor: 'pendant', type: 'call', value: 'pressed' });
    await page.locator('tr[data-alert-type="call"]').getByText('Repeated 1×').waitFor();
    expect(await page.locator('tr.alert').count()).toBe(2);

    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await row.getByText(`Acknowledged by ${fx.users.operator.username} (you)`).waitFor();
    expect(await row.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    const acked = await apiAlert(id!);
    expect(acked.state).toBe('acknowledged');
    expect(acked.acknowledgedBy).toBe(fx.users.operator.id);

    await page.screenshot({ path: '/tmp/console.png', fullPage: true });

    // The alert's page tells the cause and the audit trail (issue 11: a page, #/alerts/:id, with the resident record).
    await row.getByRole('button', { name: 'Details' }).click();
    const detail = page.locator('main.alert-page');
    await detail.locator('p.cause').getByText(`acknowledged by ${fx.users.operator.username} (you)`).waitFor();
    expect(await detail.locator('.history').textContent()).toMatch(/Raised.*Fall detected by hall-fall/);
    await page.screenshot({ path: '/tmp/console-detail.png' });
    await page.getByRole('link', { name: 'Back to the queue' }).click();
    await row.waitFor();

    // Resolving asks for an outcome that fits the type, then for a confirmation (issue 11).
    await row.getByRole('button', { name: 'Resolve' }).click();
    const resolve = page.getByTestId('resolve-dialog');
    await resolve.getByLabel('Outcome').selectOption('assisted');
    await resolve.getByRole('button', { name: 'Resolve…' }).click();
    await resolve.getByRole('button', { name: 'Yes, resolve' }).click();
    await row.waitFor({ state: 'detached' });
    const resolved = await apiAlert(id!);
    expect(resolved.state).toBe('resolved');
    expect(resolved.outcome).toBe('assisted');
    expect(await page.locator('tr.alert').count()).toBe(1); // the call is still open
  });

  it('shows a banner while live updates are down, and catches up on reconnection', async () => {
    await publish({ id: 'call-before-banner', sensor: 'pendant', type: 'call', value: 'pressed' });
    const page = await newPage();
    await signInPage(page, fx.users.operator.username, fx.users.operator.password);
    await page.locator('tr[data-alert-type="call"]').waitFor();
    const banner = page.getByTestId('live-banner');
    expect(await banner.count()).toBe(0);

    // Take the stream away: drop the open sockets and refuse new upgrades (Node destroys an upgrade nobody handles).
    const server = h.hearth.app.server;
    const upgrades = server.listeners('upgrade') as ((...args: unknown[]) => void)[];
    server.removeAllListeners('upgrade');
    try {
      for (const c of h.hearth.app.websocketServer.clients) c.terminate();
      await banner.waitFor();
      expect(await banner.textContent()).toMatch(/Live updates disconnected/);
      await page.screenshot({ path: '/tmp/console-banner.png' });

      // A fall while the console is deaf (and reported late by the hub): nobody is connected to be told.
      await publish({ id: 'fall-while-down', sensor: 'hall-fall', type: 'fall', value: true, ts: new Date(Date.now() - 10 * 60_000).toISOString() });
      expect(await page.locator('tr[data-alert-type="fall"]').count()).toBe(0);
    } finally {
      for (const l of upgrades) server.on('upgrade', l);
    }

    await page.getByRole('button', { name: 'Reconnect now' }).click();
    await banner.waitFor({ state: 'detached' });
    // The fall was never sent over the stream: only the refetch on reconnection can show it.
    const row = page.locator('tr[data-alert-type="fall"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Resident of hub-0101');
    expect(await row.locator('.tag.late').textContent()).toBe('Late');
    await page.screenshot({ path: '/tmp/console-reconnected.png', fullPage: true });
  });

  it('shows the installer the hubs, a sensor seen but not commissioned, and a rejected message', async () => {
    await publish({ id: 'stray-1', sensor: 'garage-pir', type: 'motion', value: true });
    await hub.publishAsync(topics.events(fx.hub.hubId), '{"id": "bad-1", "ts": "yesterday"', { qos: 1 });
    await h.hearth.settle();

    const page = await newPage();
    await signInPage(page, fx.users.installer.username, fx.users.installer.password);
    const hubRow = page.locator(`tr[data-hub-id="${fx.hub.hubId}"]`);
    await hubRow.waitFor();
    // One status, derived from the connection, the last status and heartbeats (issue 13).
    expect(await hubRow.textContent()).toContain('Online');
    expect(await hubRow.textContent()).toContain('HEARTH_ERR_INGEST_JSON: 1');

    await hubRow.getByRole('link', { name: fx.hub.hubId }).click();
    const stray = page.locator('tr[data-sensor-id="garage-pir"]');
    await stray.waitFor();
    expect(await stray.getAttribute('class')).toContain('uncommissioned');
    expect(await stray.textContent()).toContain('Not commissioned');
    expect(await page.locator('tr[data-sensor-id="hall-fall"]').getAttribute('class')).not.toContain('uncommissioned');
    const rejections = page.locator('table.rejections');
    expect(await rejections.textContent()).toContain('HEARTH_ERR_INGEST_JSON');
    // The reason in words, not only the code.
    expect(await rejections.textContent()).toContain('The message was not valid JSON');
    expect(await rejections.textContent()).toContain('"ts": "yesterday"');
    // "Which box is this?": the hub (here the test's own MQTT client, speaking the protocol) answers identify.
    const asked: string[] = [];
    await hub.subscribeAsync(topics.commands(fx.hub.hubId), { qos: 1 });
    hub.on('message', (topic, payload) => {
      if (topic !== topics.commands(fx.hub.hubId)) return;
      const c = JSON.parse(payload.toString()) as { id: string; cmd: string };
      asked.push(c.cmd);
      void hub.publishAsync(topics.replies(fx.hub.hubId), JSON.stringify({ id: c.id, ok: true }), { qos: 1 });
    });
    await page.getByRole('button', { name: 'Identify this hub' }).click();
    // Honest: the gateway prints a line, it has no light or buzzer.
    await page.getByText('The hub answered and is identifying itself for 30 s').waitFor();
    expect(asked).toEqual(['identify']);
    await page.screenshot({ path: '/tmp/console-hub.png', fullPage: true });

    // Signing out ends the session on the server, not only on the page.
    expect((await page.request.get(`${base}api/session`)).status()).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').waitFor();
    expect((await page.request.get(`${base}api/session`)).status()).toBe(401);
  });

  it('dispatches the urgent response team, runs the two-hour clock, and stops it on site', async () => {
    await publish({ id: 'call-before-dispatch', sensor: 'pendant', type: 'call', value: 'pressed' });
    const page = await newPage();
    await page.clock.install();
    await signInPage(page, fx.users.operator.username, fx.users.operator.password);
    const row = page.locator('tr[data-alert-type="call"]');
    await row.waitFor();
    const id = (await row.getAttribute('data-alert-id'))!;

    // Acknowledge first; only then does the console offer dispatch.
    expect(await row.getByRole('button', { name: 'Dispatch' }).count()).toBe(0);
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await row.getByRole('button', { name: 'Dispatch' }).click();
    // The team keeps 08:00-20:00 London time: off duty, the console asks first (issue 11); on duty it just sends.
    const dispatch = page.getByTestId('dispatch-dialog');
    const anyway = dispatch.getByRole('button', { name: /Dispatch the off-duty team anyway|Dispatch the .* team/ });
    await anyway.first().click();
    await dispatch.getByText('Dispatched.').waitFor();
    await dispatch.getByRole('button', { name: 'Done' }).click();
    await row.getByText('Dispatched to the urgent response team').waitFor();
    expect(await row.locator('.response-clock').textContent()).toMatch(/^Two-hour clock: 1 h 59 min left$|^Two-hour clock: 2 h 00 min left$/);
    expect((await apiAlert(id)).state).toBe('dispatched');

    // 91 minutes on (the page's clock only): past the 90-minute warning.
    await page.clock.fastForward('01:31:00');
    await page.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('warning') ?? false, `tr[data-alert-id="${id}"] .response-clock`);
    expect(await row.locator('.response-clock').textContent()).toMatch(/^Two-hour clock: 2\d min \d\d s left$/);
    await page.screenshot({ path: '/tmp/console-dispatch.png' });

    // An operator recording on site for the responder gives a reason (issue 11).
    await row.getByRole('button', { name: 'Responder on site' }).click();
    const onSite = page.getByTestId('on-site-dialog');
    await onSite.getByLabel('Reason').fill('the responder phoned it in');
    await onSite.getByRole('button', { name: 'Record on site' }).click();
    await row.locator('.on-site').waitFor();
    expect(await row.locator('.response-clock').count()).toBe(0);
    expect((await apiAlert(id)).state).toBe('on-site');
  });

  it('shows an unacknowledged fall escalating, in the server\'s virtual time', async () => {
    // A second server on a virtual clock: the 60 s and 120 s escalations happen when the test moves time, not by waiting.
    const clock = new VirtualClock(Date.now());
    const v = await startHearth({ clock });
    const vfx = await seedOrg(v.hearth, 'Escalation', 'hub-0202');
    const vhub = await connectHub(v.hearth.ports.mqtt, vfx.hub.hubId, vfx.hub.secret);
    try {
      const page = await newPage();
      await page.goto(`http://127.0.0.1:${v.hearth.ports.http}/`);
      await page.getByLabel('Username').fill(vfx.users.operator.username);
      await page.getByLabel('Password').fill(vfx.users.operator.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('No open alerts.').waitFor();

      await vhub.publishAsync(topics.events(vfx.hub.hubId), JSON.stringify(ev({ id: 'fall-v-1', sensor: 'hall-fall', type: 'fall', value: true, ts: new Date(clock.now()).toISOString() })), { qos: 1 });
      await v.hearth.settle();
      const row = page.locator('tr[data-alert-type="fall"]');
      await row.waitFor();
      expect(await row.locator('.escalated').count()).toBe(0);

      clock.advance(61_000);
      await v.hearth.settle();
      await row.getByText('Escalated to every operator on shift').waitFor();
      // Escalations are announced to screen readers too (issue 11).
      await page.locator('[aria-live="assertive"]').getByText(/^Escalated to every operator on shift: Fall/).waitFor();
      clock.advance(60_000);
      await v.hearth.settle();
      await row.getByText('Escalated to the supervisor').waitFor();

      await row.getByRole('button', { name: 'Acknowledge' }).click();
      await row.locator('.ack').getByText('Acknowledged by').waitFor();
      expect(await row.locator('.escalated').count()).toBe(0);
    } finally {
      vhub.end(true);
      await v.close();
    }
  });
});
