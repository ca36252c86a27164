/**
 * The projector page in Chromium, against the real server with its production CSP, at the two
 * sizes of a meeting room's projector (1920×1080 and 1280×720). A branch meeting accepting three
 * candidates: the page shows the check-in QR code and fingerprints, follows check-ins and casts
 * without reloading (a marker set on `window` survives, and there is one navigation), never
 * shows a count of choices before close, then shows each candidate's bars, threshold and verdict.
 * Each screen: axe-core with zero violations, no scrolling, a screenshot in
 * test-output/screenshots/, no CSP violation or page error.
 */
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectScreen, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { checkInSlip, openAcceptanceMeeting } from '../helpers/meeting.ts';
import { organizerClient, type TestServer } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });
let t: TestServer;
let url: string;
let browser: Browser;
beforeAll(() => {
  ({ t, browser } = harness);
  url = harness.server.url;
});

const SIZES = [
  { name: '1080p', viewport: { width: 1920, height: 1080 } },
  { name: '720p', viewport: { width: 1280, height: 720 } },
];

const acceptanceMeeting = () =>
  openAcceptanceMeeting(t, { title: '计算机学院第一党支部党员大会', candidates: ['张三', '李四', '王五'], voters: 5, numberPrefix: '2024' });

interface Screen {
  name: string;
  page: Page;
  problems: string[];
}

async function openProjector(meetingId: string, size: (typeof SIZES)[number]): Promise<Screen> {
  const context = await browser.newContext({ viewport: size.viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(`${url}/projector?meeting=${meetingId}`);
  await page.getByRole('heading', { level: 1, name: '计算机学院第一党支部党员大会' }).waitFor();
  // Survives only if the page is never reloaded.
  await page.evaluate(() => Object.assign(window, { projectorMarker: 'not reloaded' }));
  return { name: size.name, page, problems };
}

const figure = (page: Page, which: 'checked-in' | 'ballots-cast') => page.locator(`[data-figure="${which}"] .pj-figure-value`).textContent();
const notReloaded = (page: Page) =>
  page.evaluate(() => [(window as unknown as { projectorMarker?: string }).projectorMarker, performance.getEntriesByType('navigation').length]);
/** The page fits the screen: no scrolling either way. */
const fitsScreen = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight);

async function shoot(screen: Screen, stage: string) {
  expect(await inspectScreen(screen.page, `projector-${screen.name}-${stage}`, { fullPage: false })).toEqual([]);
  expect(await fitsScreen(screen.page), `${screen.name} ${stage} needs scrolling`).toBe(true);
}

const cast = (token: string, choices: Record<string, string>) =>
  fetch(`${url}/api/ballots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, choices }) });

describe('the projector page', () => {
  it('follows check-in and voting by itself, shows no count of choices before close, then bars and verdicts', async () => {
    const { org, meetingId, pollId, slips, fingerprints } = await acceptanceMeeting();
    const screens = [];
    for (const size of SIZES) screens.push(await openProjector(meetingId, size));

    for (const { page } of screens) {
      expect(await page.getByRole('img', { name: `签到投票网址的二维码：${url}/vote` }).count()).toBe(1);
      expect(await page.locator('.pj-fingerprint').allTextContents()).toEqual(fingerprints.map((f) => f.match(/.{4}/g)!.join(' ')));
      expect(await figure(page, 'checked-in')).toBe('0');
      expect(await page.locator('.pj-figure-of').first().textContent()).toBe('应到 5 人');
    }
    for (const screen of screens) await shoot(screen, '1-checkin-empty');

    const tokens = [];
    for (const slip of slips.slice(0, 4)) tokens.push((await checkInSlip(t, slip)).token);
    for (const { page } of screens) await expect.poll(() => figure(page, 'checked-in'), { timeout: 8000 }).toBe('4');

    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' });
    for (const { page } of screens) await expect.poll(() => page.locator('.pj-phase').textContent(), { timeout: 8000 }).toBe('投票中');
    const ballots = [
      { c1: 'agree', c2: 'agree', c3: 'agree' },
      { c1: 'agree', c2: 'disagree', c3: 'agree' },
      { c1: 'agree', c2: 'agree', c3: 'agree' },
      { c1: 'agree', c2: 'disagree', c3: 'abstain' },
    ];
    for (const [i, choices] of ballots.slice(0, 3).entries()) expect((await cast(tokens[i]!.token, choices)).status).toBe(201);
    for (const { page } of screens) await expect.poll(() => figure(page, 'ballots-cast'), { timeout: 8000 }).toBe('3');
    for (const { page } of screens) {
      // Turnout only: no bar, no verdict, nothing that counts choices.
      expect(await page.locator('.pj-bar, .pj-verdict-badge, .pj-threshold').count()).toBe(0);
      expect(await page.locator('main').textContent()).not.toMatch(/同意|不同意|弃权|通过/);
    }
    for (const screen of screens) await shoot(screen, '2-voting');

    expect((await cast(tokens[3]!.token, ballots[3]!)).status).toBe(201);
    for (const { page } of screens) await expect.poll(() => figure(page, 'ballots-cast'), { timeout: 8000 }).toBe('4');
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);

    for (const screen of screens) {
      const { page } = screen;
      await page.locator('.pj-question').first().waitFor({ timeout: 8000 });
      const cards = page.locator('.pj-question');
      expect(await cards.count()).toBe(3);
      expect(await cards.locator('.pj-bar-count').allTextContents()).toEqual(['4', '0', '0', '2', '2', '0', '3', '0', '1']);
      // 5 expected voting members: more than half is 3.
      expect(await cards.locator('.pj-threshold-label').allTextContents()).toEqual(['需 3 票', '需 3 票', '需 3 票']);
      expect(await cards.locator('.pj-verdict .pj-verdict-badge').allTextContents()).toEqual(['通过', '未通过', '通过']);
      expect(await cards.nth(0).locator('.pj-sentence').textContent()).toMatch(/^张三：通过：同意 4 票，超过应到会有表决权正式党员 5 人的半数/);
      expect(await page.locator('.pj-qr').count()).toBe(0);
      expect(await notReloaded(page)).toEqual(['not reloaded', 1]);
      await shoot(screen, '3-result');
    }

    // English, switched on the page itself: still no reload.
    const [large] = screens;
    await large!.page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => large!.page.locator('.pj-question .pj-verdict .pj-verdict-badge').first().textContent()).toBe('Passed');
    expect(await large!.page.locator('.pj-question').first().locator('.pj-sentence').textContent()).toMatch(/^张三: Passed/);
    await shoot(large!, '4-result-en');
    expect(await notReloaded(large!.page)).toEqual(['not reloaded', 1]);

    for (const screen of screens) expect(screen.problems).toEqual([]);
    for (const screen of screens) await screen.page.context().close();
  });

  it('says plainly when the meeting does not exist or the address has none', async () => {
    const context = await browser.newContext({ viewport: SIZES[1]!.viewport });
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${url}/projector?meeting=nosuchmeeting000`);
    await page.getByRole('heading', { name: '没有这个会议，请检查地址中的会议编号' }).waitFor();
    await page.goto(`${url}/projector`);
    await page.getByRole('heading', { name: /地址中缺少会议编号/ }).waitFor();
    expect(await inspectScreen(page, 'projector-720p-no-meeting', { fullPage: false })).toEqual([]);
    expect(problems.filter((p) => !/404/.test(p))).toEqual([]);
    await context.close();
  });
});

describe('a meeting with two polls', () => {
  it('shows both polls’ turnout with one QR code and both fingerprints, then a closed poll’s result beside the open one', async () => {
    const org = await organizerClient(t);
    const meetingId = (await org.call('POST', '/api/meetings', { title: '计算机学院第一党支部党员大会' })).body.id as string;
    const acceptance = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '接收预备党员',
      kind: 'member_acceptance',
      candidates: [
        { id: 'c1', name: '张三' },
        { id: 'c2', name: '李四' },
      ],
    });
    const recommendation = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '推荐优秀团员作为入党积极分子',
      kind: 'league_recommendation',
      candidates: [
        { id: 'w', name: '王五' },
        { id: 'z', name: '赵六' },
        { id: 'q', name: '钱七' },
      ],
      maxChoices: 2,
    });
    expect([acceptance.status, recommendation.status]).toEqual([201, 201]);
    const roster = Array.from({ length: 4 }, (_, i) => ({ name: `党员${i + 1}`, number: `2025${i}` }));
    await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster });
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { link: string }[];
    const screens = [];
    for (const size of SIZES) screens.push(await openProjector(meetingId, size));
    for (const { page } of screens) {
      expect(await page.locator('.pj-turnout').count()).toBe(2);
      expect(await page.locator('.pj-qr').count()).toBe(1);
      expect(await page.locator('.pj-fingerprint').count()).toBe(2);
    }

    const tokens = [];
    for (const slip of slips.slice(0, 3)) {
      const { store } = await checkInSlip(t, slip);
      tokens.push(store);
    }
    for (const { page } of screens) await expect.poll(() => page.locator('[data-figure="checked-in"] .pj-figure-value').allTextContents(), { timeout: 8000 }).toEqual(['3', '3']);
    for (const screen of screens) await shoot(screen, 'two-polls-1-checkin');

    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' });
    await org.call('POST', `/api/polls/${acceptance.body.id}/transition`, { to: 'closed' });
    for (const screen of screens) {
      await screen.page.locator('.pj-question').first().waitFor({ timeout: 8000 });
      expect(await screen.page.locator('.pj-turnout').count()).toBe(1);
      expect(await screen.page.locator('.pj-qr').count()).toBe(1);
      expect(await inspectScreen(screen.page, `projector-${screen.name}-two-polls-2-one-closed`, { fullPage: false })).toEqual([]);
      expect(await notReloaded(screen.page)).toEqual(['not reloaded', 1]);
      expect(screen.problems).toEqual([]);
      await screen.page.context().close();
    }
  });
});
