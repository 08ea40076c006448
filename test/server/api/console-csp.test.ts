import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { buildDashboard, describeBrowser, launchBrowser, newPage, signInPage } from '../../helpers/browser.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { apiAs, hubOf, openAlert } from '../routing/fixture.ts';

describeBrowser('defects 10 and 13 in a real browser: the console under its CSP, not frameable, not forgeable', () => {
  // Near real time: the browser drops a cookie whose Expires (from the injected clock) is in its past.
  const clock = new VirtualClock(Date.now());
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let browser: Browser;
  let base: string;
  let evil: http.Server;
  let evilBase: string;
  let alertId: string;
  beforeAll(async () => {
    await buildDashboard();
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Csp Org', 'hub-csp-1');
    const hub = await hubOf(h.hearth, fx.hub, clock);
    await hub.fall('csp-fall-1');
    hub.client.end(true);
    alertId = (await openAlert(await apiAs(h.hearth, fx.users.operator), fx.residentId)).id;
    base = `http://127.0.0.1:${h.hearth.ports.http}/`;
    // Another site (another origin: localhost, another port) that frames the console and forges an acknowledgement.
    evil = http.createServer((req, res) => {
      const page =
        req.url === '/frame'
          ? `<iframe id="f" src="${base}"></iframe>`
          : `<form id="x" method="POST" enctype="text/plain" action="${base}api/alerts/${alertId}/ack"><input name='{"a":"' value='"}'></form>
             <script>document.getElementById('x').submit();</script>`;
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>evil</title>${page}`);
    });
    await new Promise<void>((r) => evil.listen(0, 'localhost', () => r()));
    evilBase = `http://localhost:${(evil.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await new Promise<void>((r) => evil.close(() => r()));
  });

  it('signs in and shows the alert with no CSP violation', async () => {
    const { context, page } = await newPage(browser, { timeoutMs: 10_000 });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const alerts = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/alerts' && r.status() === 200);
    const frames: string[] = [];
    page.on('websocket', (ws) => {
      if (ws.url().includes('/api/stream')) ws.on('framereceived', (f) => frames.push(String(f.payload)));
    });
    await signInPage(page, base, fx.users.operator.username, fx.users.operator.password);
    await page.getByText('Sign out').waitFor();
    // The console's own script ran, fetched the alerts and opened the live stream (connect-src), under the CSP.
    expect((await (await alerts).json()).alerts.map((a: any) => a.id)).toContain(alertId);
    await expect.poll(() => frames.some((f) => f.includes('"hello"')), { timeout: 10_000 }).toBe(true);
    expect(violations).toEqual([]);
    await context.close();
  });

  it('another site can neither frame the console nor acknowledge an alert (SameSite=Strict and the server-side checks of csrf.test.ts)', async () => {
    const { context, page } = await newPage(browser, { timeoutMs: 10_000 });
    await signInPage(page, base, fx.users.operator.username, fx.users.operator.password);
    await page.getByText('Sign out').waitFor();
    const evilPage = await context.newPage();
    await evilPage.goto(`${evilBase}frame`);
    await evilPage.waitForTimeout(1000);
    // The frame is blocked by frame-ancestors 'none': it holds no console, not even the sign-in form.
    const texts = await Promise.all(evilPage.frames().filter((f) => f !== evilPage.mainFrame()).map((f) => f.evaluate(() => document.body?.innerText ?? '').catch(() => '')));
    expect(texts.length).toBe(1);
    expect(texts[0]).not.toMatch(/Sign out|Username|Hearth/);
    const forge = await context.newPage();
    await forge.goto(`${evilBase}forge`);
    await forge.waitForLoadState('load');
    await forge.waitForTimeout(500);
    const state = await h.hearth.services.db.selectFrom('alerts').select('state').where('id', '=', alertId).executeTakeFirstOrThrow();
    expect(state.state).toBe('raised');
    await context.close();
  });
});
