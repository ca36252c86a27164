/**
 * The voter page on a shared kiosk (`/vote?kiosk=1`, protocol v2), in a real browser against
 * the real server and its production Content-Security-Policy. Voters check in at the kiosk
 * before voting opens and come back to vote: between people the screen is cleared (the
 * checked-in screen's countdown, "next voter", a minute without input), but a checked-in
 * voter's pending check-in and uncast tokens stay on the kiosk under their slot. When voting
 * opens each types their code again and goes straight to the ballot; once they have voted,
 * nothing of theirs is left (storage, page, Back button), and the next person starts at "enter
 * your code", in Chinese. The page runs on Playwright's clock, which the test moves forward
 * instead of waiting. Every kiosk screen is checked with axe-core and saved.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { KIOSK_PORTRAIT_VIEWPORT, setUpBrowserServer, type BrowserHarness } from '../helpers/browser.ts';
import { agreeQuestion, createMeeting, openVoting } from '../helpers/meeting.ts';
import { checkIn, enterCode, openPhone, shoot } from '../helpers/voter-page.ts';

let h: BrowserHarness;
const harness = setUpBrowserServer({ seedOrganizer: true });
beforeAll(() => {
  h = harness;
});

const questions = [agreeQuestion('c1', '张三'), agreeQuestion('c2', '李四')];
const turnout = (pollId: string) => createVoterApi(h.server.url).turnout(pollId);
const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

async function openKiosk() {
  const phone = await openPhone(h.browser);
  await phone.context.clock.install();
  await phone.page.goto(`${h.server.url}/vote?kiosk=1`);
  await expectCodeScreen(phone.page);
  return phone;
}

/** The kiosk at rest: "enter your code" in Chinese, the cursor in the empty code field. */
async function expectCodeScreen(page: Page) {
  await heading(page, '输入投票码');
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('voting-code');
  expect(await page.getByLabel('投票码').inputValue()).toBe('');
  expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
}

/** The app's keys in the tab's storage, each voter's slot shown as `<slot>`. */
const appStorage = (page: Page) =>
  page.evaluate(() => {
    const ours = (storage: Storage) =>
      Object.keys(storage)
        .filter((key) => key.startsWith('anon-ballot'))
        .map((key) => key.replace(/^(anon-ballot:[a-z]+):[0-9a-f]{16}(:.+)?$/, (_, kind: string, poll?: string) => `${kind}:<slot>${poll ? ':<poll>' : ''}`))
        .sort();
    return { local: ours(localStorage), session: ours(sessionStorage) };
  });

/** How many voters' slots hold something of a kind (`pending`, `tokens`, `receipts`). */
const slotsHolding = (page: Page, kind: 'pending' | 'tokens' | 'receipts') =>
  page.evaluate((prefix) => Object.keys(localStorage).filter((key) => key.startsWith(prefix)).length, `anon-ballot:${kind}:`);

/** Answers both candidates and submits; returns the receipts shown. */
async function vote(page: Page, choices: [string, string]) {
  await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: choices[0], exact: true }).check();
  await page.getByRole('group', { name: '李四' }).getByRole('radio', { name: choices[1], exact: true }).check();
  await page.getByRole('button', { name: '下一步：核对选票' }).click();
  await page.getByRole('button', { name: '提交选票' }).click();
  await heading(page, '投票完成');
  return page.locator('.receipt-code').allTextContents();
}

describe('the voter page on a kiosk', () => {
  it('keeps checked-in voters across the next person and an idle minute, lets them come back to vote with their code alone, and wipes each once they have voted', async () => {
    const { org, pollId, slips, roomCode } = await createMeeting(h.t, { voters: 3, open: 'checkin', questions });
    const { context, page, problems } = await openKiosk();
    expect(await page.getByRole('link').count()).toBe(0); // no way off the voter's page
    await page.getByText('这是公用投票机', { exact: false }).waitFor();
    await shoot(page, 'zh-kiosk-01-code');
    const portrait = await h.browser.newContext({ viewport: KIOSK_PORTRAIT_VIEWPORT });
    const tall = await portrait.newPage();
    await tall.goto(`${h.server.url}/vote?kiosk=1`);
    await expectCodeScreen(tall);
    await shoot(tall, 'zh-kiosk-01-code-1080x1920');
    await portrait.close();

    // ---- voter 1 opens the link from their slip, in English, and checks in ----
    await page.getByRole('button', { name: 'English' }).click();
    await page.goto(`${h.server.url}/vote?kiosk=1${new URL(slips[0]!.link).hash}`);
    await heading(page, 'Check in');
    expect(page.url()).toBe(`${h.server.url}/vote?kiosk=1`); // the code left the address bar
    await checkIn(page, roomCode, { typed: false, language: 'en' });
    await heading(page, 'Checked in — waiting for voting to open');
    await page.getByText('come back to this kiosk and enter your voting code again', { exact: false }).waitFor();
    expect(await page.getByRole('timer').textContent()).toMatch(/^The screen clears for the next person in (15|14) s/);
    await shoot(page, 'en-kiosk-02-checked-in');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByText('投票开始后，请回到这台投票机，再输入一次投票码', { exact: false }).waitFor();
    await shoot(page, 'zh-kiosk-02-checked-in');

    // The countdown runs out: the screen is cleared for the next person, the check-in is kept.
    await page.clock.fastForward(15_500);
    await expectCodeScreen(page);
    expect(await appStorage(page)).toEqual({ local: ['anon-ballot:pending:<slot>'], session: ['anon-ballot.kiosk'] });
    expect(await page.content()).not.toContain('Voter 1');

    // ---- voter 2 types their code, checks in, and hands over at once ----
    await enterCode(page, slips[1]!.code);
    await checkIn(page, roomCode, { typed: true });
    await heading(page, '已签到，等待投票开始');
    await page.getByRole('button', { name: '下一位投票人' }).click();
    await expectCodeScreen(page);
    expect(await slotsHolding(page, 'pending')).toBe(2);

    // ---- someone starts typing and walks away: a minute later the screen clears, the check-ins stay ----
    await page.getByLabel('投票码').fill(slips[2]!.code);
    await page.clock.fastForward(41_000);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('长时间没有操作，本屏即将清空。已完成的签到会保留。');
    expect(await page.getByRole('timer').textContent()).toMatch(/^(19|18) 秒后清空$/);
    await shoot(page, 'zh-kiosk-03-idle-warning', { fullPage: false });
    await page.getByRole('button', { name: '我还在' }).click();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.clock.fastForward(61_000);
    await expectCodeScreen(page);
    expect(await slotsHolding(page, 'pending')).toBe(2);
    expect(await turnout(pollId)).toMatchObject({ checkedIn: 2 });

    // ---- voting opens; voter 1 comes back: the code alone leads to the ballot ----
    await openVoting(org, pollId, 2);
    await enterCode(page, slips[0]!.code);
    await page.getByRole('group', { name: '张三' }).waitFor();
    expect(await page.getByRole('textbox', { name: '会场码' }).count()).toBe(0); // no room code asked again
    await shoot(page, 'zh-kiosk-04-ballot');
    const receipts = await vote(page, ['同意', '不同意']);
    expect(receipts).toHaveLength(2);
    await page.getByText('请抄下或拍下回执', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: '复制回执' }).count()).toBe(0); // the clipboard is shared
    expect(await page.getByRole('timer').textContent()).toMatch(/^(10|9) 秒后清空本屏/);
    await shoot(page, 'zh-kiosk-05-done');
    expect(await slotsHolding(page, 'receipts')).toBe(1);
    await page.clock.fastForward(10_500);
    await expectCodeScreen(page);
    // Voter 1 is gone; voter 2's check-in, signed but not yet collected, is still there.
    expect(await appStorage(page)).toEqual({ local: ['anon-ballot:pending:<slot>'], session: ['anon-ballot.kiosk'] });
    for (const receipt of receipts) expect(await page.content()).not.toContain(receipt);
    // Back, to the entry the link replaced, shows no trace either.
    await page.evaluate(() => new Promise((done) => (addEventListener('popstate', done, { once: true }), history.back())));
    await expectCodeScreen(page);
    for (const receipt of receipts) expect(await page.content()).not.toContain(receipt);

    // ---- voter 2 comes back, starts the ballot and walks away: their ballot waits for them ----
    await enterCode(page, slips[1]!.code);
    await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '弃权', exact: true }).check();
    await page.clock.fastForward(61_000);
    await expectCodeScreen(page);
    expect(await page.getByText('张三').count()).toBe(0);
    expect(await slotsHolding(page, 'tokens')).toBe(1);
    await enterCode(page, slips[1]!.code);
    expect(await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '弃权', exact: true }).isChecked()).toBe(false); // the choice was never stored
    const secondReceipts = await vote(page, ['弃权', '同意']);
    // Leaving the page from the done screen clears it at once.
    await page.goto(`${h.server.url}/`);
    await page.goBack(); // from the back-forward cache, or loaded anew: either way, nothing of theirs
    await expectCodeScreen(page);
    expect(await appStorage(page)).toEqual({ local: [], session: ['anon-ballot.kiosk'] });
    for (const receipt of secondReceipts) expect(await page.content()).not.toContain(receipt);

    expect(await turnout(pollId)).toMatchObject({ checkedIn: 2, submitted: 2 });
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
