/**
 * The console's browser tests: the harness of browser.ts (the client built with Vite, Debian's
 * Chromium, the real app on a fresh SQLite file), and the steps every console test repeats:
 * sign in at a desk screen, screenshot and check a screen. Voters' devices are played with
 * test/helpers/meeting.ts (the very code the voter page runs).
 *
 * One difference from `setUpBrowserServer`, for as long as the voter page is being moved to
 * protocol v2 on its own branch (client-voter): the client is built with missing exports
 * shimmed, so that the voter page's imports of names that left shared/ in v2 do not stop the
 * console from building. The console imports nothing missing (tsc checks it). Once the voter
 * page is merged, `buildClient()` of browser.ts builds without it and this harness can go.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import { inspectScreen, launchBrowser, watchForProblems, type BrowserHarness } from './browser.ts';
import { listen, ORGANIZER_PASSWORD, seedUser, startTestApp } from './test-server.ts';

export const DESK = { width: 1280, height: 800 };
/** A phone held upright, or a narrow window: nothing may be wider than this. */
export const NARROW = { width: 390, height: 844 };

async function buildConsoleClient(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'anon-ballot-console-'));
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: resolve('vite.config.ts'),
      root: resolve('client'),
      mode: 'production',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, rolldownOptions: { shimMissingExports: true } },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

/** As `setUpBrowserServer` of browser.ts (see the header for the one difference). */
export function setUpConsoleBrowser(options: { seedOrganizer?: boolean } = {}): BrowserHarness {
  const harness = {} as BrowserHarness;
  beforeAll(async () => {
    [harness.clientDir, harness.browser] = await Promise.all([buildConsoleClient(), launchBrowser()]);
    harness.t = startTestApp({}, undefined, { clientDir: harness.clientDir });
    if (options.seedOrganizer) seedUser(harness.t);
    harness.server = await listen(harness.t.app);
  }, 120_000);
  afterAll(async () => {
    await harness.browser?.close();
    await harness.server?.stop();
    harness.t?.close();
    if (harness.clientDir) rmSync(harness.clientDir, { recursive: true, force: true });
  });
  return harness;
}

/** Screenshot, then axe-core: zero violations, nothing wider than the screen. */
export async function shoot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  expect(await inspectScreen(page, name, options)).toEqual([]);
}

/** A desk-sized browser signed in to the console as `username`, on `path` (say, `/console?meeting=…`). */
export async function signInToConsole(browser: Browser, baseUrl: string, username: string, path = '/console') {
  const context: BrowserContext = await browser.newContext({ viewport: DESK });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByText(`已登录：${username}`).waitFor();
  return { context, page, problems };
}
