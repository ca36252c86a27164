/**
 * Browser tests: the client built with Vite's JS API into a temporary directory, Debian's
 * Chromium driven by playwright-core (Playwright's own browser download is not available
 * here), phone-sized contexts, screenshots under test-output/screenshots/, an accessibility
 * check with axe-core, and a watch for what must never happen on a page (uncaught errors,
 * Content-Security-Policy violations).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { listen, seedUser, startTestApp, type TestServer } from './test-server.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = resolve('test-output/screenshots');
export const PHONE_VIEWPORT = { width: 360, height: 740 };
export const KIOSK_PORTRAIT_VIEWPORT = { width: 1080, height: 1920 };

/** Builds client/ as `npm run build` does, but into a fresh temporary directory; returns it. */
export async function buildClient(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'anon-ballot-client-'));
  // Vitest sets NODE_ENV=test; the client must be built as for production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: resolve('vite.config.ts'),
      root: resolve('client'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // The machine's network is closed: without these, Chromium keeps trying to reach Google.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/** A 360×740 touch phone. */
export function newPhoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: PHONE_VIEWPORT, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
}

/**
 * Collects uncaught page errors and Content-Security-Policy violations. Failed requests the
 * test provokes on purpose (a wrong code answered 404) are not problems and are not collected.
 */
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return problems;
}

/** True when the page is not wider than the viewport (no horizontal scrolling). */
export const fitsWidth = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/**
 * Saves a screenshot as test-output/screenshots/<name>.png and returns the path: the full page,
 * or only what the screen shows (`fullPage: false`: for a bar stuck to the bottom of the screen,
 * which a full-page picture would show in the middle of the page).
 */
export async function saveScreenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage, animations: 'disabled' });
  return path;
}

const AXE_SOURCE = readFileSync(resolve('node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core (every rule but the experimental ones: WCAG 2.x A/AA and best practices) on the
 * page as it is now and returns its violations, one line each. axe is evaluated through the
 * DevTools protocol, which the page's Content-Security-Policy does not govern, so the test runs
 * against the production CSP: no `bypassCSP`, and a script tag (which the CSP would block) is
 * not needed.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(options: object): Promise<AxeResults> } }).axe.run({ resultTypes: ['violations'] }),
  );
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join(' | ')}`,
  );
}

/**
 * Everything wrong with the screen as it is now, one line each: wider than the viewport
 * (horizontal scrolling), or an axe violation. Saves its screenshot on the way.
 */
export async function inspectScreen(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string[]> {
  await saveScreenshot(page, name, options.fullPage);
  const problems = await accessibilityViolations(page);
  if (!(await fitsWidth(page))) problems.unshift('wider than the screen');
  return problems.map((problem) => `${name}: ${problem}`);
}

export interface BrowserHarness {
  clientDir: string;
  t: TestServer;
  server: Awaited<ReturnType<typeof listen>>;
  browser: Browser;
}

/**
 * For a browser test file: builds the client, launches Chromium, starts the real app on a
 * fresh SQLite file listening on 127.0.0.1 (with an organizer account when asked), and tears
 * everything down after the file. The fields are filled in by the time the tests run.
 */
export function setUpBrowserServer(options: { seedOrganizer?: boolean } = {}): BrowserHarness {
  const harness = {} as BrowserHarness;
  beforeAll(async () => {
    [harness.clientDir, harness.browser] = await Promise.all([buildClient(), launchBrowser()]);
    harness.t = startTestApp({}, undefined, { clientDir: harness.clientDir });
    if (options.seedOrganizer) seedUser(harness.t);
    harness.server = await listen(harness.t.app);
  });
  afterAll(async () => {
    await harness.browser?.close();
    await harness.server?.stop();
    harness.t?.close();
    if (harness.clientDir) rmSync(harness.clientDir, { recursive: true, force: true });
  });
  return harness;
}
