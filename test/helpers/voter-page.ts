/**
 * What the voter page's browser tests (voter, kiosk, evaluation) share, on top of browser.ts:
 * a phone that records the voter requests it sends, screenshots checked in one or both
 * languages, the touch-target check, and the v2 check-in steps played through the page.
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { expect } from 'vitest';
import { inspectScreen, newPhoneContext, watchForProblems } from './browser.ts';

/** The other phone size the page must fit (an iPhone 12–14 in CSS pixels). */
export const LARGER_PHONE_VIEWPORT = { width: 390, height: 844 };

export const grouped = (hex: string) => hex.match(/.{4}/g)!.join(' ');

export interface Phone {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Every POST /api/checkin (the blinded requests; not the lookup, not the status). */
  checkins: Request[];
  /** Every POST /api/checkin/status: the small request a waiting page repeats. */
  statusRequests: Request[];
  /** Every GET of the whole public meeting view. */
  meetingRequests: Request[];
  /** Every POST /api/ballots, with all the headers that went on the wire. */
  casts: { request: Request; headers: Promise<Record<string, string>> }[];
  documentHeaders: Record<string, string>[];
}

/** A touch phone, 360×740 unless told otherwise, recording the voter's requests. */
export async function openPhone(browser: Browser, options: { viewport?: { width: number; height: number } } = {}): Promise<Phone> {
  const context = options.viewport
    ? await browser.newContext({ viewport: options.viewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    : await newPhoneContext(browser);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const phone: Phone = { context, page, problems: watchForProblems(page), checkins: [], statusRequests: [], meetingRequests: [], casts: [], documentHeaders: [] };
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === 'POST' && path === '/api/checkin') phone.checkins.push(request);
    if (request.method() === 'POST' && path === '/api/checkin/status') phone.statusRequests.push(request);
    if (request.method() === 'GET' && path.startsWith('/api/public/meetings/')) phone.meetingRequests.push(request);
    if (request.method() === 'POST' && path === '/api/ballots') phone.casts.push({ request, headers: request.allHeaders() });
    if (request.resourceType() === 'document') void request.allHeaders().then((h) => phone.documentHeaders.push(h));
  });
  return phone;
}

/** Screenshot; the screen must fit its width with no horizontal scrolling and pass axe-core. */
export async function shoot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  expect(await inspectScreen(page, name, options)).toEqual([]);
}

/** The screen as it is, in Chinese and then in English (screenshot, width, axe), back to Chinese. */
export async function shootBoth(page: Page, name: string) {
  await shoot(page, `zh-${name}`);
  await page.getByRole('button', { name: 'English' }).click();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
  await shoot(page, `en-${name}`);
  await page.getByRole('button', { name: '中文' }).click();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
}

/** Buttons, fields and choice boxes at least 44×44 CSS pixels. */
export const smallTouchTargets = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, label.choice, input[type="text"], input[type="number"], a.button')]
      .map((el) => ({ text: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ text, box }) => `${text}: ${Math.round(box.width)}×${Math.round(box.height)}`),
  );

/** The app's keys in localStorage, sorted. */
export const storedKeys = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('anon-ballot')).sort());

/** Everything the page keeps in the tab's storage, as one string. */
export const storedText = (page: Page) => page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));

/** The receipts this device holds, as voter-flow.ts stored them. */
export const storedReceipts = (page: Page) =>
  page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith('anon-ballot:receipts:'))
      .flatMap((k) => JSON.parse(localStorage.getItem(k)!) as { pollId: string; questionId: string; group: string; receipt: string; signature: string }[]),
  );

/** Types the code, goes on to the check-in screen (the code's owner named there). */
export async function enterCode(page: Page, code: string, language: 'zh' | 'en' = 'zh') {
  await page.getByLabel(language === 'zh' ? '投票码' : 'Voting code').fill(code);
  await page.getByRole('button', { name: language === 'zh' ? '下一步' : 'Next', exact: true }).click();
}

/** The room code field of the check-in screen. */
export const roomCodeField = (page: Page, language: 'zh' | 'en' = 'zh') =>
  page.getByRole('textbox', { name: language === 'zh' ? '会场码' : 'Room code', exact: true });

/** On the check-in screen: the room code, then the button (for a typed code it says the fingerprints match). */
export async function checkIn(page: Page, roomCode: string, options: { typed: boolean; language?: 'zh' | 'en' }) {
  const zh = (options.language ?? 'zh') === 'zh';
  await roomCodeField(page, options.language).fill(roomCode);
  const button = options.typed ? (zh ? '指纹一致，签到' : 'They match — check in') : zh ? '签到' : 'Check in';
  await page.getByRole('button', { name: button, exact: true }).click();
}

/** A six-digit code that is not the room code. */
export const wrongRoomCode = (roomCode: string) => (roomCode === '123456' ? '654321' : '123456');

/** The poll's ballots in a v2 bundle: answer by receipt. */
export function answersByReceipt(bundle: { ballots: { receipt: string; answer: unknown }[] }) {
  return new Map(bundle.ballots.map((b) => [b.receipt, b.answer]));
}
