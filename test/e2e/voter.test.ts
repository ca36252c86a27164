/**
 * The voter's page in a real browser, against the real server serving the built client with
 * its production Content-Security-Policy. Two phones at a meeting with two polls (two
 * candidates to accept; a recommendation of at most two): one opens the voting link from its
 * slip and stays in Chinese, the other switches to English and types its code by hand. Both
 * check in (the typed code only after its key fingerprints were shown and confirmed, with
 * nothing sent to /api/checkin before), wait, see the vote open by itself, fill in both ballot
 * papers, review, cast and get their receipts. Then a phone whose check-in answer is lost on the way retries and keeps its
 * vote. Every screen, in both languages, is checked with axe-core (zero violations), must fit
 * 360 px, and is saved as a screenshot to test-output/screenshots/.
 */
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { setUpBrowserServer, inspectScreen, launchBrowser, newPhoneContext, watchForProblems } from '../helpers/browser.ts';
import { createMeeting } from '../helpers/meeting.ts';
import { listen, organizerClient, type TestServer } from '../helpers/test-server.ts';

const agree = (id: string, title: string) => ({ id, type: 'single', title, options: ['agree', 'disagree', 'abstain'] });
const grouped = (hex: string) => hex.match(/.{4}/g)!.join(' ');

let clientDir: string;
let t: TestServer;
let server: Awaited<ReturnType<typeof listen>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

const harness = setUpBrowserServer({ seedOrganizer: true });
beforeAll(() => {
  ({ clientDir, t, server, browser } = harness);
});

async function setUpMeeting() {
  const org = await organizerClient(t);
  const meeting = await org.call('POST', '/api/meetings', { title: '第一党支部党员大会' });
  const id = meeting.body.id as string;
  const acceptance = await org.call('POST', `/api/meetings/${id}/polls`, {
    title: '接收预备党员',
    questions: [agree('c1', '张三'), agree('c2', '李四')],
  });
  const recommendation = await org.call('POST', `/api/meetings/${id}/polls`, {
    title: '推荐优秀团员',
    questions: [
      {
        id: 'recommend',
        type: 'approval',
        title: '推荐人选',
        options: ['wang-wu', 'zhao-liu', 'qian-qi', 'sun-ba'],
        optionLabels: { 'wang-wu': '王五', 'zhao-liu': '赵六', 'qian-qi': '钱七', 'sun-ba': '孙八' },
        maxChoices: 2,
      },
    ],
  });
  const voters = ['党员甲', '党员乙', '党员丙'].map((name, i) => ({ name, number: `2024000${i}` }));
  expect((await org.call('POST', `/api/meetings/${id}/voters`, { voters })).status).toBe(201);
  expect((await org.call('POST', `/api/meetings/${id}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = await org.call('POST', `/api/meetings/${id}/slips`, {});
  expect(slips.status).toBe(200);
  return {
    org,
    meetingId: id,
    pollIds: [acceptance.body.id as string, recommendation.body.id as string],
    fingerprints: slips.body.fingerprints as string[],
    slips: slips.body.slips as { code: string; link: string }[],
  };
}

interface Phone {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Every POST /api/ballots, with all the headers that went on the wire. */
  casts: { request: Request; headers: Promise<Record<string, string>> }[];
  /** Every POST /api/checkin (the blinded requests; not the lookup). */
  checkins: Request[];
  documentHeaders: Record<string, string>[];
}

async function openPhone(): Promise<Phone> {
  const context = await newPhoneContext(browser);
  context.setDefaultTimeout(10_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  // A session cookie for this origin: the page's own loads carry it, the cast must not.
  await context.addCookies([{ name: 'ab_session', value: 'must-not-travel-with-a-ballot', url: server.url }]);
  const page = await context.newPage();
  const phone: Phone = { context, page, problems: watchForProblems(page), casts: [], checkins: [], documentHeaders: [] };
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/checkin') phone.checkins.push(request);
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/ballots')
      phone.casts.push({ request, headers: request.allHeaders() });
    if (request.resourceType() === 'document') void request.allHeaders().then((h) => phone.documentHeaders.push(h));
  });
  return phone;
}

/** Screenshot; the screen must fit 360 px with no horizontal scrolling and pass axe-core. */
async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, name)).toEqual([]);
}

/** Touch targets (buttons, choice boxes, the code field) are at least 44×44 CSS pixels. */
async function smallTouchTargets(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, label.choice, input[type="text"], a.button')]
      .map((el) => ({ text: el.textContent?.trim() ?? el.tagName, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ text, box }) => `${text}: ${Math.round(box.width)}×${Math.round(box.height)}`),
  );
}

const turnout = (pollId: string) => createVoterApi(server.url).turnout(pollId);
const storedKeys = (page: Page) => page.evaluate(() => Object.keys(localStorage));

describe('the voter page on a phone', () => {
  it('checks in, waits, votes when voting opens, casts anonymously once, and shows the receipt, in Chinese and in English', async () => {
    const { org, meetingId, pollIds, fingerprints, slips } = await setUpMeeting();
    const api = createVoterApi(server.url);
    const zh = await openPhone();
    const en = await openPhone();

    // ---- landing page and code form, both languages ----
    await zh.page.goto(`${server.url}/`);
    await expect.poll(() => zh.page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await shoot(zh.page, 'zh-01-landing');
    await zh.page.getByRole('link', { name: '我有投票码，去投票' }).click();
    await zh.page.getByLabel('投票码').fill('AAAA-BBBB-CCCC-DDDD');
    await shoot(zh.page, 'zh-02-code');
    await zh.page.getByRole('button', { name: '签到' }).click();
    await expect.poll(() => zh.page.getByRole('alert').textContent()).toContain('这个投票码无效');
    await shoot(zh.page, 'zh-03-code-unknown');

    await en.page.goto(`${server.url}/`);
    await en.page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => en.page.locator('html').getAttribute('lang')).toBe('en');
    await shoot(en.page, 'en-01-landing');
    await en.page.goto(`${server.url}/vote`);
    // The choice of language survived the page load.
    await expect.poll(() => en.page.getByRole('heading', { level: 1 }).textContent()).toBe('Enter your voting code');
    await en.page.getByLabel('Voting code').fill('AAAA-BBBB-CCC');
    await shoot(en.page, 'en-02-code');
    await en.page.getByRole('button', { name: 'Check in' }).click();
    await expect.poll(() => en.page.getByRole('alert').textContent()).toContain('A voting code has 16 letters and digits');
    expect(await en.page.getByLabel('Voting code').inputValue()).toBe('AAAA-BBBB-CCC'); // kept, to be corrected
    await shoot(en.page, 'en-03-code-malformed');

    // ---- check-in: the link on one phone, the typed code on the other ----
    const link = new URL(slips[0]!.link);
    await zh.page.goto('about:blank'); // from /vote, the link would only change the fragment, not load the page
    await zh.page.goto(`${server.url}/vote${link.hash}`);
    await zh.page.getByRole('heading', { name: '已签到' }).waitFor();
    expect(zh.page.url()).toBe(`${server.url}/vote`); // the code left the address bar
    await expect.poll(() => zh.page.getByRole('status').first().textContent()).toBe('已签到');
    expect(await zh.page.locator('.fingerprint').count()).toBe(0); // the link checked the key itself
    await zh.page.getByText('投票尚未开始').waitFor();
    for (const name of ['第一党支部党员大会', '张三', '李四', '推荐人选', '王五、赵六、钱七、孙八'])
      await zh.page.getByText(name).first().waitFor();
    await shoot(zh.page, 'zh-04-checked-in');
    expect((await storedKeys(zh.page)).filter((k) => k.includes(':token:'))).toHaveLength(2);
    // A reload (phone locked, tab restored) comes back checked in, without the code.
    await zh.page.reload();
    await zh.page.getByRole('heading', { name: '已签到' }).waitFor();
    await zh.page.getByText('签到人：党员甲').waitFor();

    await en.page.getByLabel('Voting code').fill(slips[1]!.code.toLowerCase());
    await en.page.getByRole('button', { name: 'Check in' }).click();
    // A typed code carries no fingerprint: the page shows the served ones for comparison with
    // the projector, and blinds nothing until the voter says they match.
    await en.page.getByRole('heading', { name: 'Compare the key fingerprints' }).waitFor();
    await en.page.getByText('This code belongs to 党员乙').waitFor();
    expect(await en.page.locator('.fingerprint').allTextContents()).toEqual(fingerprints.map(grouped));
    expect(await en.page.locator('.fingerprint-poll').allTextContents()).toEqual(['接收预备党员', '推荐优秀团员']);
    await shoot(en.page, 'en-04a-confirm-keys');
    expect(en.checkins).toHaveLength(0);
    await en.page.getByRole('button', { name: 'They match — check in' }).click();
    await en.page.getByRole('heading', { name: 'Checked in' }).waitFor();
    expect(en.checkins).toHaveLength(1);
    expect(await en.page.locator('.fingerprint').allTextContents()).toEqual(fingerprints.map(grouped));
    await en.page.getByText('Compare with the fingerprint on the projector', { exact: false }).waitFor();
    await shoot(en.page, 'en-04-checked-in');

    expect(await api.turnout(pollIds[0]!)).toMatchObject({ phase: 'checkin', checkedIn: 2, ballotsCast: 0 });

    // ---- the organizer opens the vote; both pages move on by themselves ----
    for (const phone of [zh, en]) await phone.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' })).status).toBe(200);
    await zh.page.getByRole('group', { name: '张三' }).waitFor({ timeout: 10_000 });
    await en.page.getByRole('group', { name: '张三' }).waitFor({ timeout: 10_000 });
    for (const phone of [zh, en])
      expect(await phone.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect.poll(() => zh.page.getByRole('status').first().textContent()).toBe('投票已开始，请填写选票。');

    // ---- Chinese phone: first ballot, with a forgotten line caught before review ----
    await shoot(zh.page, 'zh-05-ballot');
    expect(await smallTouchTargets(zh.page)).toEqual([]);
    await zh.page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '同意', exact: true }).check();
    await zh.page.getByRole('button', { name: '下一步：核对选票' }).click();
    await expect.poll(() => zh.page.getByRole('alert').textContent()).toBe('还有 1 项没有选择。');
    await shoot(zh.page, 'zh-06-ballot-incomplete');
    await zh.page.getByRole('group', { name: '李四' }).getByRole('radio', { name: '不同意', exact: true }).check();
    await zh.page.getByRole('button', { name: '下一步：核对选票' }).click();
    await zh.page.getByRole('heading', { name: '核对选票' }).waitFor();
    expect(await zh.page.locator('.review-row').allTextContents()).toEqual(['张三同意', '李四不同意']);
    await shoot(zh.page, 'zh-07-review');
    // A double tap on Cast sends one ballot.
    await zh.page.getByRole('button', { name: '投出选票' }).dblclick();

    // ---- second ballot: recommend at most two ----
    await zh.page.getByRole('heading', { name: '推荐优秀团员' }).waitFor();
    await zh.page.getByText('第 2 张选票，共 2 张').waitFor();
    expect(zh.casts).toHaveLength(1);
    expect(await api.turnout(pollIds[0]!)).toMatchObject({ ballotsCast: 1 });
    const recommend = zh.page.getByRole('group', { name: '推荐人选' });
    await recommend.getByRole('checkbox', { name: '王五' }).check();
    await recommend.getByRole('checkbox', { name: '钱七' }).check();
    await recommend.getByText('已选 2 / 2').waitFor();
    expect(await recommend.getByRole('checkbox', { name: '孙八' }).isDisabled()).toBe(true);
    await shoot(zh.page, 'zh-08-ballot-approval');
    await zh.page.getByRole('button', { name: '下一步：核对选票' }).click();
    expect(await zh.page.locator('.review-row dd').textContent()).toBe('王五、钱七');
    await shoot(zh.page, 'zh-09-review-approval');
    await zh.page.getByRole('button', { name: '投出选票' }).click();

    // ---- done ----
    await zh.page.getByRole('heading', { name: '投票完成' }).waitFor();
    await zh.page.getByText('你的选票已被接收。').waitFor();
    const zhReceipts = await zh.page.evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.includes(':receipt:'))
        .map((k) => JSON.parse(localStorage.getItem(k)!) as { pollId: string; receipt: string }),
    );
    expect(zhReceipts).toHaveLength(2);
    const shown = await zh.page.locator('.receipt-code').allTextContents();
    expect(shown.sort()).toEqual(zhReceipts.map((r) => grouped(r.receipt.slice(0, 16))).sort());
    await zh.page.getByRole('button', { name: '复制回执' }).first().click();
    await zh.page.getByText('已复制').first().waitFor();
    expect(shown).toContain(await zh.page.evaluate(() => navigator.clipboard.readText()));
    await shoot(zh.page, 'zh-10-done');

    // ---- English phone: the same, in English; the key's fingerprint stays on the ballot ----
    expect(await en.page.locator('.key-line').textContent()).toBe(`Key fingerprint ${grouped(fingerprints[0]!)} · compare with the projector`);
    await shoot(en.page, 'en-05-ballot');
    expect(await smallTouchTargets(en.page)).toEqual([]);
    await en.page.getByRole('group', { name: '张三' }).getByRole('radio', { name: 'Abstain', exact: true }).check();
    await en.page.getByRole('group', { name: '李四' }).getByRole('radio', { name: 'Agree', exact: true }).check();
    await shoot(en.page, 'en-06-ballot-filled');
    await en.page.getByRole('button', { name: 'Next: review' }).click();
    expect(await en.page.locator('.review-row').allTextContents()).toEqual(['张三Abstain', '李四Agree']);
    await shoot(en.page, 'en-07-review');
    await en.page.getByRole('button', { name: 'Cast ballot' }).click();
    await en.page.getByText('Ballot 2 of 2').waitFor();
    await en.page.getByRole('group', { name: '推荐人选' }).getByRole('checkbox', { name: '赵六' }).check();
    await en.page.getByText('1 of 2 chosen').waitFor();
    await shoot(en.page, 'en-08-ballot-approval');
    await en.page.getByRole('button', { name: 'Next: review' }).click();
    await shoot(en.page, 'en-09-review-approval');
    await en.page.getByRole('button', { name: 'Cast ballot' }).click();
    await en.page.getByRole('heading', { name: 'Vote complete' }).waitFor();
    await en.page.getByText('Your ballot was received.').waitFor();
    await shoot(en.page, 'en-10-done');

    // ---- what reached the server, and what stayed on the phones ----
    for (const pollId of pollIds) expect(await api.turnout(pollId)).toMatchObject({ checkedIn: 2, ballotsCast: 2 });
    for (const phone of [zh, en]) {
      expect(phone.casts).toHaveLength(2);
      for (const cast of phone.casts) {
        const headers = await cast.headers;
        expect(headers).not.toHaveProperty('cookie');
        expect(headers).not.toHaveProperty('referer');
      }
      // The test could have failed: the page loads did carry the cookie.
      expect(phone.documentHeaders.some((h) => h.cookie?.includes('ab_session='))).toBe(true);
      const keys = await storedKeys(phone.page);
      expect(keys.filter((k) => k.includes(':token:') || k.includes(':pending:'))).toEqual([]);
      expect(keys.filter((k) => k.includes(':receipt:'))).toHaveLength(2);
      expect(phone.problems).toEqual([]);
    }

    // ---- a reload after voting still shows the receipts, from this device's storage ----
    await en.page.reload();
    await en.page.getByRole('heading', { name: 'Vote complete' }).waitFor();
    expect(await en.page.locator('.receipt-code').count()).toBe(2);

    await zh.context.close();
    await en.context.close();
  });
});

describe('a phone whose check-in answer is lost', () => {
  it('shows a retry, sends the same blinded request again, and ends with one valid token that votes', async () => {
    const { pollId, slips } = await createMeeting(t, { open: 'voting', voters: 2, questions: [agree('c1', '张三'), agree('c2', '李四')] });
    const phone = await openPhone();
    const { page } = phone;
    // The first check-in reaches the server, which issues the blind signature; the answer is
    // then lost on the way back (the connection drops). Later ones go through.
    const sent: { code: string; requests: { pollId: string; group: string; blindedMessage: string }[] }[] = [];
    await page.route('**/api/checkin', async (route) => {
      sent.push(route.request().postDataJSON());
      if (sent.length > 1) return route.continue();
      const answer = await route.fetch();
      expect(answer.status()).toBe(200);
      await route.abort('connectionreset');
    });

    await page.goto(`${server.url}/vote`);
    await page.getByLabel('投票码').fill(slips[0]!.code);
    await page.getByRole('button', { name: '签到' }).click();
    await page.getByRole('button', { name: '指纹一致，继续签到' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('连不上服务器。请检查网络（Wi-Fi）后重试。');
    expect(await page.getByLabel('投票码').inputValue()).toBe(slips[0]!.code); // still there
    await shoot(page, 'zh-11-checkin-retry');
    // One button, "try again", next after the field in keyboard order.
    expect(await page.locator('form button').allTextContents()).toEqual(['重试']);
    await page.getByLabel('投票码').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('重试');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Cannot reach the server. Check your Wi-Fi and try again.');
    await shoot(page, 'en-11-checkin-retry');
    expect(await turnout(pollId)).toMatchObject({ checkedIn: 1, ballotsCast: 0 }); // the server did issue

    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: 'Agree', exact: true }).check();
    await page.getByRole('group', { name: '李四' }).getByRole('radio', { name: 'Agree', exact: true }).check();
    await page.getByRole('button', { name: 'Next: review' }).click();
    await page.getByRole('button', { name: 'Cast ballot' }).click();
    await page.getByRole('heading', { name: 'Vote complete' }).waitFor();

    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]); // same code, same poll and group, same blinded message
    expect(sent[0]!.requests).toHaveLength(1);
    expect(await turnout(pollId)).toMatchObject({ checkedIn: 1, ballotsCast: 1 });
    const keys = await storedKeys(page);
    expect(keys.filter((k) => k.includes(':token:') || k.includes(':pending:'))).toEqual([]);
    expect(keys.filter((k) => k.includes(':receipt:'))).toHaveLength(1);
    expect(phone.problems).toEqual([]);
    await phone.context.close();
  });
});

