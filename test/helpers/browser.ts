import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { describe, it, onTestFailed } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
/** Whether the browser tests can run here. */
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const CI = process.env.CI === 'true';

/**
 * Declare a browser suite: it runs where Chromium is installed; elsewhere it
 * skips with the Debian package's name, except under CI=true, where the
 * missing browser is a failure.
 */
export function describeBrowser(name: string, body: () => void): void {
  if (!HAVE_CHROMIUM && !CI) console.warn(`skipping "${name}": ${CHROMIUM} is missing (install the Debian package "chromium")`);
  describe.runIf(!HAVE_CHROMIUM && CI)(`${name} (under CI)`, () => {
    it('needs Chromium', () => {
      throw new Error(`${CHROMIUM} is missing: install the Debian package "chromium"`);
    });
  });
  describe.runIf(HAVE_CHROMIUM)(name, body);
}

let built: Promise<void> | undefined;
/**
 * Build the console once per test file, before the server starts (the server
 * serves dashboard/dist only if it exists at start-up).
 */
export function buildDashboard(): Promise<void> {
  built ??= build({ configFile: path.join(ROOT, 'dashboard/vite.config.ts'), logLevel: 'warn' }).then(() => undefined);
  return built;
}

/** Launch headless Chromium with the flags this closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Options for a new page. */
export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  /** Fail a locator in this many ms, with its name, rather than at the test's own timeout. */
  timeoutMs?: number;
}

/** A fresh context (own cookies) and page; close the context when done. */
export async function newPage(browser: Browser, opts: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    colorScheme: opts.colorScheme ?? 'light',
  });
  context.setDefaultTimeout(opts.timeoutMs ?? 5000);
  const page = await context.newPage();
  reportOnFailure(page);
  return { context, page };
}

/**
 * When the running test fails, print where the page was and what it showed, so a failure seen only
 * in CI says which page it was stuck on. Outside a test (a beforeAll) there is nothing to report to.
 */
function reportOnFailure(page: Page): void {
  try {
    onTestFailed(async () => {
      const text = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '(page closed)');
      console.error(`page at failure: ${page.url()}\n${text.slice(0, 600)}`);
    });
  } catch {
    // Not inside a test.
  }
}

/** An axe-core finding, trimmed to what a failure message needs. */
export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * Run axe-core (WCAG 2.0-2.2 A and AA rules) on the page as it is now and
 * return the serious and critical violations; an empty list is a pass.
 */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  // Evaluated through the DevTools protocol, not as an inline <script>: the console's Content-Security-Policy refuses those.
  if (!loaded) await page.evaluate(axe.source);
  const result = await page.evaluate(async () => {
    const a = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const r = await a.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target.join(' '))) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Sign in through the page's own form. */
export async function signInPage(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(base);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Where browser tests write their screenshots: docs/screenshots when
 * HEARTH_SCREENSHOTS=1 (to refresh the pictures in the docs), otherwise a
 * temporary folder, so an ordinary test run leaves the work tree as it was.
 */
export function screenshotsDir(): string {
  if (process.env.HEARTH_SCREENSHOTS === '1') return path.join(ROOT, 'docs/screenshots');
  const dir = path.join(os.tmpdir(), 'hearth-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
