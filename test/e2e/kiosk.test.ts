/**
 * The voter page on a shared kiosk (`/vote?kiosk=1`), in a real browser against the real server
 * and its production Content-Security-Policy. After each voter (the done screen's countdown,
 * the "next voter" button, or a minute without input) nothing of theirs is left in storage, in
 * the page or behind the Back button, and the next voter starts at "enter your code", in
 * Chinese. The page runs on Playwright's clock, which the test moves forward instead of
 * waiting. Every kiosk screen is checked with axe-core and saved to test-output/screenshots/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { setUpBrowserServer, inspectScreen, KIOSK_PORTRAIT_VIEWPORT, newPhoneContext, watchForProblems } from '../helpers/browser.ts';
import { agreeQuestion, createMeeting } from '../helpers/meeting.ts';
import { listen, type TestServer } from '../helpers/test-server.ts';

let clientDir: string;
let t: TestServer;
let server: Awaited<ReturnType<typeof listen>>;
let browser: Browser;

const harness = setUpBrowserServer();
beforeAll(() => {
  ({ clientDir, t, server, browser } = harness);
});

const questions = [agreeQuestion('c1', '张三'), agreeQuestion('c2', '李四')];
const turnout = (pollId: string) => createVoterApi(server.url).turnout(pollId);

async function openKiosk() {
  const context = await newPhoneContext(browser);
  context.setDefaultTimeout(10_000);
  await context.clock.install();
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(`${server.url}/vote?kiosk=1`);
  await expectCodeScreen(page);
  return { context, page, problems };
}

async function shoot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  expect(await inspectScreen(page, name, options)).toEqual([]);
}

/** The kiosk at rest: "enter your code" in Chinese, the cursor in the empty code field. */
async function expectCodeScreen(page: Page) {
  await page.getByRole('heading', { level: 1, name: '输入投票码' }).waitFor();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('voting-code');
  expect(await page.getByLabel('投票码').inputValue()).toBe('');
  expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
}

/** The app's keys in the tab's storage (all start with `anon-ballot`). */
const appStorage = (page: Page) =>
  page.evaluate(() => {
    const ours = (storage: Storage) => Object.keys(storage).filter((key) => key.startsWith('anon-ballot')).sort();
    return { local: ours(localStorage), session: ours(sessionStorage) };
  });

/** Only the kiosk setting stays: no token, pending check-in, receipt, session or language. */
async function expectNothingLeft(page: Page, receipt?: string) {
  expect(await appStorage(page)).toEqual({ local: [], session: ['anon-ballot.kiosk'] });
  expect(page.url()).toBe(`${server.url}/vote?kiosk=1`);
  if (receipt) expect(await page.content()).not.toContain(receipt);
}

describe('the voter page on a kiosk', () => {
  it('wipes a voter when the done screen has counted down, and one who leaves the page from it; Back shows nothing of theirs', async () => {
    const { pollId, slips } = await createMeeting(t, { open: 'voting', questions });
    const { context, page, problems } = await openKiosk();
    expect(await page.getByRole('link').count()).toBe(0); // no way off the voter's page
    await page.getByText('这是公用投票机', { exact: false }).waitFor();
    await shoot(page, 'zh-kiosk-01-code');

    const portrait = await browser.newContext({ viewport: KIOSK_PORTRAIT_VIEWPORT });
    const tall = await portrait.newPage();
    await tall.goto(`${server.url}/vote?kiosk=1`);
    await expectCodeScreen(tall);
    await shoot(tall, 'zh-kiosk-01-code-1080x1920');
    await portrait.close();

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Enter your voting code' }).waitFor();
    await shoot(page, 'en-kiosk-01-code');

    // ---- a voter opens the link from their slip (the code in the fragment) and votes, in English ----
    await page.goto(`${server.url}/vote?kiosk=1${new URL(slips[0]!.link).hash}`);
    await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: 'Agree', exact: true }).check();
    expect(page.url()).toBe(`${server.url}/vote?kiosk=1`); // the code left the address bar
    await page.getByRole('group', { name: '李四' }).getByRole('radio', { name: 'Disagree', exact: true }).check();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await page.getByRole('button', { name: 'Cast ballot' }).click();
    await page.getByRole('heading', { name: 'Vote complete' }).waitFor();
    await page.getByText('Write it down or take a photo of it', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Copy receipt' }).count()).toBe(0); // the clipboard is shared
    expect(await page.getByRole('timer').textContent()).toMatch(/^The screen clears for the next voter in (10|9) s/);
    await page.getByRole('button', { name: 'Next voter' }).waitFor();
    await shoot(page, 'en-kiosk-02-done');
    await page.getByRole('button', { name: '中文' }).click();
    expect(await page.getByRole('timer').textContent()).toMatch(/^(10|9) 秒后清空本屏/);
    await shoot(page, 'zh-kiosk-02-done');
    const receipt = (await page.locator('.receipt-code').textContent())!;
    expect(receipt).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    const before = await appStorage(page); // so that the wipe below has something to wipe
    expect(before.local.filter((key) => key.includes(':receipt:'))).toHaveLength(1);
    expect(before.local).toContain('anon-ballot.locale');
    expect(before.session).toContain('anon-ballot.session');
    expect(await turnout(pollId)).toMatchObject({ checkedIn: 1, ballotsCast: 1 });

    // ---- the countdown runs out ----
    await page.clock.fastForward(10_500);
    await expectCodeScreen(page);
    await expectNothingLeft(page, receipt);

    // Back, to the entry the link replaced, shows no trace either.
    await page.evaluate(() => new Promise((done) => (addEventListener('popstate', done, { once: true }), history.back())));
    await expectCodeScreen(page);
    await expectNothingLeft(page, receipt);

    // ---- the next voter types their code, votes, and leaves the page from the done screen ----
    await page.getByLabel('投票码').fill(slips[1]!.code);
    await page.getByRole('button', { name: '签到' }).click();
    await page.getByRole('button', { name: '指纹一致，继续签到' }).click();
    await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '同意', exact: true }).check();
    await page.getByRole('group', { name: '李四' }).getByRole('radio', { name: '同意', exact: true }).check();
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await page.getByRole('button', { name: '投出选票' }).click();
    await page.getByRole('heading', { name: '投票完成' }).waitFor();
    const secondReceipt = (await page.locator('.receipt-code').textContent())!;
    await page.goto(`${server.url}/`);
    await page.goBack(); // from the back-forward cache, or loaded anew: either way, nothing of theirs
    await expectCodeScreen(page);
    await expectNothingLeft(page, secondReceipt);
    expect(await turnout(pollId)).toMatchObject({ checkedIn: 2, ballotsCast: 2 });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('clears an idle screen after a minute (warning first, "I’m still here" keeps it), "next voter" at once, and keeps no answer that arrives after the wipe', async () => {
    const { org, meetingId, pollId, slips } = await createMeeting(t, { open: 'checkin', questions });
    const { context, page, problems } = await openKiosk();

    // ---- a voter types their code before the vote opens, and waits ----
    await page.getByLabel('投票码').fill(slips[0]!.code);
    await page.getByRole('button', { name: '签到' }).click();
    await page.getByRole('button', { name: '指纹一致，继续签到' }).click();
    await page.getByRole('heading', { name: '已签到' }).waitFor();
    await page.getByText('请在本机前等候投票开始', { exact: false }).waitFor();
    await shoot(page, 'zh-kiosk-03-waiting');
    await page.clock.fastForward(41_000);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('长时间没有操作，本屏即将清空。');
    expect(await page.getByRole('timer').textContent()).toMatch(/^(19|18) 秒后清空$/);
    await shoot(page, 'zh-kiosk-04-idle-warning', { fullPage: false });
    await page.getByRole('button', { name: '我还在' }).click();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('heading', { name: '已签到' }).waitFor();

    // ---- the vote opens; the voter starts the ballot and walks away ----
    expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' })).status).toBe(200);
    await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '同意', exact: true }).check();
    expect((await appStorage(page)).local.filter((key) => key.includes(':token:'))).toHaveLength(1);
    await page.clock.fastForward(61_000);
    await expectCodeScreen(page);
    await expectNothingLeft(page);
    expect(await page.getByText('张三').count()).toBe(0);

    // ---- the next voter votes and hands over with "next voter" ----
    await page.getByLabel('投票码').fill(slips[1]!.code);
    await page.getByRole('button', { name: '签到' }).click();
    await page.getByRole('button', { name: '指纹一致，继续签到' }).click();
    await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '弃权', exact: true }).check();
    await page.getByRole('group', { name: '李四' }).getByRole('radio', { name: '同意', exact: true }).check();
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await page.getByRole('button', { name: '投出选票' }).click();
    await page.getByRole('heading', { name: '投票完成' }).waitFor();
    const receipt = (await page.locator('.receipt-code').textContent())!;
    await page.getByRole('button', { name: '下一位投票人' }).click();
    await expectCodeScreen(page);
    await expectNothingLeft(page, receipt);

    // ---- a voter walks away while their check-in hangs; its answer, arriving after the wipe, is not kept ----
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const answered: Promise<void>[] = [];
    await page.route('**/api/checkin', (route) => void answered.push(held.then(() => route.continue())));
    await page.getByLabel('投票码').fill(slips[2]!.code);
    await page.getByRole('button', { name: '签到' }).click();
    await page.getByRole('button', { name: '指纹一致，继续签到' }).click();
    await expect.poll(() => answered.length).toBe(1);
    await page.clock.fastForward(61_000);
    await expectCodeScreen(page);
    const answer = page.waitForResponse('**/api/checkin');
    release();
    await (await answer).finished();
    // Let the page finish with the answer (unblind, verify, store): a few milliseconds. Were the
    // token kept, it would be there by then; a slower machine could only make this test pass
    // wrongly, never fail wrongly.
    await page.evaluate(() => new Promise((done) => setTimeout(done, 200)));
    await expectNothingLeft(page);

    // The walked-away voters' tokens went with the wipes: three checked in, one ballot.
    expect(await turnout(pollId)).toMatchObject({ checkedIn: 3, ballotsCast: 1 });
    expect(problems).toEqual([]);
    await context.close();
  });
});
