/**
 * The steps every console browser test repeats, on the harness of browser.ts
 * (`setUpBrowserServer`): sign in at a desk screen, screenshot and check a screen at the desk and
 * on a narrow one. Voters' devices are played with test/helpers/meeting.ts (the very code the
 * voter page runs).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { inspectScreen, watchForProblems } from './browser.ts';
import { ORGANIZER_PASSWORD } from './test-server.ts';

export const DESK = { width: 1280, height: 800 };
/** A phone held upright, or a narrow window: nothing may be wider than this. */
export const NARROW = { width: 390, height: 844 };

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
