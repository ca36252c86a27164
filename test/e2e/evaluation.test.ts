/**
 * The three evaluations on the voter's page, in a real browser against the real server. A
 * student who is a candidate, a student representative and a class member types their code:
 * the page shows the key fingerprints and sends nothing to /api/checkin until they confirm
 * (and, when they say the fingerprints differ, tells them what to do). They sign a
 * self-evaluation on its own screen (again after a reload, typing the code anew since the page
 * keeps it only in memory), then score on two ballot papers: as a representative, where their
 * own card may be left empty, and as a member, where it is not there at all. The published
 * bundle holds exactly those scores and the signed self-evaluation. A voting link without
 * usable fingerprints is treated like a typed code. Every new screen, in both languages, is
 * checked with axe-core (zero violations), must fit 360 px, and is saved as a screenshot.
 *
 * The last test checks the protocol step underneath (shared/protocol/voter-flow.ts): the
 * fingerprints are fetched without checking in, and checkInVoter refuses to blind without them.
 */
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoterApi, type FetchLike } from '../../shared/protocol/api-client.ts';
import type { Bundle } from '../../shared/protocol/bundle.ts';
import { checkInVoter, keysToConfirm, memoryStore } from '../../shared/protocol/voter-flow.ts';
import { setUpBrowserServer, inspectScreen, launchBrowser, newPhoneContext, watchForProblems } from '../helpers/browser.ts';
import { inProcessFetch, listen, organizerClient, type TestServer } from '../helpers/test-server.ts';

let clientDir: string;
let t: TestServer;
let server: Awaited<ReturnType<typeof listen>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

const harness = setUpBrowserServer({ seedOrganizer: true });
beforeAll(() => {
  ({ clientDir, t, server, browser } = harness);
});

const CRITERIA = ['political', 'daily_conduct', 'key_moments', 'study', 'social_practice'];
const LABELS = ['政治表现', '日常表现', '关键时刻表现', '学习情况', '社会实践'];
const POLL_TITLE = '发展对象“三评”';
const grouped = (hex: string) => hex.match(/.{4}/g)!.join(' ');
const asScores = (values: number[]) => Object.fromEntries(CRITERIA.map((c, i) => [c, values[i]!]));

/**
 * Three candidates from one class; 王芳 (candidate c1) is also a student representative. The
 * anonymity floor is 1 here, so that the bundle shows the one browser voter's scores as cast.
 */
async function setUpEvaluation() {
  const org = await organizerClient(t);
  const meeting = (await org.call('POST', '/api/meetings', { title: '计算机学院 2024 级发展对象评议' })).body;
  const poll = await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
    title: POLL_TITLE,
    kind: 'three_evaluations',
    candidates: [
      { id: 'c1', name: '王芳', number: 's01' },
      { id: 'c2', name: '李明', number: 's02' },
      { id: 'c3', name: '张伟', number: 's03' },
    ],
    settings: { anonymityFloor: 1 },
  });
  expect(poll.status).toBe(201);
  const roster = [
    { name: '陈老师', number: 't01', groups: ['representatives'] },
    { name: '王芳', number: 's01', groups: ['representatives', 'members'] },
    { name: '李明', number: 's02', groups: ['members'] },
    { name: '张伟', number: 's03', groups: ['members'] },
    { name: '刘洋', number: 's04', groups: ['members'] },
  ];
  expect((await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: roster })).status).toBe(201);
  expect((await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips as { name: string; code: string; link: string }[];
  const served = (await createVoterApi(server.url).meeting(meeting.id)).polls[0]!.keys;
  return {
    org,
    meetingId: meeting.id as string,
    pollId: poll.body.id as string,
    slipOf: (name: string) => slips.find((s) => s.name === name)!,
    keyOf: (group: string) => served.find((k) => k.group === group)!.fingerprint,
  };
}

interface Phone {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Every POST /api/checkin: the blinded requests (the lookup goes to /api/checkin/lookup). */
  checkins: Request[];
}

async function openPhone(): Promise<Phone> {
  const context = await newPhoneContext(browser);
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const phone: Phone = { context, page, problems: watchForProblems(page), checkins: [] };
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/checkin') phone.checkins.push(request);
  });
  return phone;
}

async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, name)).toEqual([]);
}

/** The screen as it is, in Chinese and then in English (screenshot, width, axe), back to Chinese. */
async function shootBoth(page: Page, name: string) {
  await shoot(page, `zh-${name}`);
  await page.getByRole('button', { name: 'English' }).click();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
  await shoot(page, `en-${name}`);
  await page.getByRole('button', { name: '中文' }).click();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
}

/** Buttons, fields and choice boxes at least 44×44 CSS pixels. */
const smallTouchTargets = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, label.choice, input[type="text"], input[type="number"], a.button')]
      .map((el) => ({ text: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ text, box }) => `${text}: ${Math.round(box.width)}×${Math.round(box.height)}`),
  );

const card = (page: Page, candidate: string) => page.getByRole('group', { name: candidate, exact: true });

/** Types a score for every criterion on a candidate's card. */
async function scoreCard(page: Page, candidate: string, values: number[]) {
  for (const [i, label] of LABELS.entries()) await card(page, candidate).getByRole('spinbutton', { name: label, exact: true }).fill(String(values[i]));
}

/** Everything the page keeps in the tab's storage, as one string. */
const storedText = (page: Page) => page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));

describe('a candidate in the three evaluations, on a phone', () => {
  it('confirms the fingerprints before anything is blinded, signs a self-evaluation apart, and scores as a representative and as a member, never their own card as a member', async () => {
    const { org, meetingId, pollId, slipOf, keyOf } = await setUpEvaluation();
    const phone = await openPhone();
    const { page } = phone;
    const code = slipOf('王芳').code;

    // ---- typed code: the fingerprints first, nothing sent to /api/checkin ----
    await page.goto(`${server.url}/vote`);
    await page.getByLabel('投票码').fill(code);
    await page.getByRole('button', { name: '签到' }).click();
    await page.getByRole('heading', { level: 1, name: '核对密钥指纹' }).waitFor();
    await page.getByText('投票码属于：王芳').waitFor();
    const listed = await page.locator('.fingerprint-list li').evaluateAll((items) =>
      items.map((li) => [li.querySelector('.fingerprint-poll')?.textContent, li.querySelector('.fingerprint')?.textContent]),
    );
    expect(listed.sort()).toEqual(
      [
        [`${POLL_TITLE} · 单位成员`, grouped(keyOf('members'))],
        [`${POLL_TITLE} · 师生代表`, grouped(keyOf('representatives'))],
      ].sort(),
    );
    await shootBoth(page, 'eval-01-confirm-keys');
    expect(phone.checkins).toHaveLength(0);

    // "They differ": what to do, and still nothing sent; the code stays unused.
    await page.getByRole('button', { name: '不一致', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('请马上告诉主持人');
    expect(await page.getByRole('button', { name: '指纹一致，继续签到' }).count()).toBe(0);
    await shootBoth(page, 'eval-02-keys-differ');
    expect(phone.checkins).toHaveLength(0);
    expect(await createVoterApi(server.url).turnout(pollId)).toMatchObject({ checkedIn: 0 });
    await page.getByRole('button', { name: '返回' }).click();
    expect(await page.getByLabel('投票码').inputValue()).toBe(code); // still there, to try again

    // ---- "They match": one check-in, two tokens (representative and member) ----
    await page.getByRole('button', { name: '签到' }).click();
    await page.getByRole('button', { name: '指纹一致，继续签到' }).click();
    await page.getByRole('heading', { name: '已签到' }).waitFor();
    expect(phone.checkins).toHaveLength(1);
    expect(phone.checkins[0]!.postDataJSON().requests).toHaveLength(2);
    expect((await page.locator('.fingerprint').allTextContents()).sort()).toEqual([keyOf('representatives'), keyOf('members')].map(grouped).sort());
    const compact = code.replace(/-/g, '');
    expect(await storedText(page)).not.toContain(compact.slice(0, 8)); // the code is never stored
    expect(await storedText(page)).not.toContain(code.slice(0, 9));
    await page.getByRole('heading', { name: '自我评价（署名，不匿名）' }).waitFor();
    await shootBoth(page, 'eval-03-waiting');

    // ---- self-evaluation: its own screen, signed; the stepper, the slider, the scale ----
    await page.getByRole('button', { name: '填写自我评价' }).click();
    await page.getByRole('heading', { level: 1, name: '自我评价（署名，不匿名）' }).waitFor();
    await page.getByText('这份评价署名为 王芳，不是匿名的', { exact: false }).waitFor();
    expect(await page.locator('#self-code').count()).toBe(0); // the code is still in memory
    const own = card(page, '王芳');
    await own.getByText('评分范围 0–100').waitFor();
    const political = own.getByRole('spinbutton', { name: '政治表现', exact: true });
    expect(await political.inputValue()).toBe('');
    await own.getByRole('button', { name: '政治表现：加 1' }).click();
    expect(await political.inputValue()).toBe('50'); // from the middle of the scale
    await own.getByRole('button', { name: '政治表现：加 1' }).click();
    expect(await political.inputValue()).toBe('51');
    await own.getByRole('button', { name: '政治表现：减 1' }).click();
    expect(await political.inputValue()).toBe('50');
    await political.fill('150');
    await political.press('Tab'); // leaving the field brings it into the scale
    expect(await political.inputValue()).toBe('100');
    expect(await own.locator('.score-slider').first().inputValue()).toBe('100');
    await own.getByText('已评 1 / 5 项').waitFor();
    await page.getByRole('button', { name: '提交署名的自我评价' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('还有评分项没有填：每一项都要打分。');
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe(''); // the first empty one
    expect(await smallTouchTargets(page)).toEqual([]);
    await shootBoth(page, 'eval-04-self-evaluation');
    await scoreCard(page, '王芳', [90, 90, 85, 95, 80]);
    await page.getByRole('button', { name: '提交署名的自我评价' }).click();
    await page.getByRole('heading', { level: 1, name: '已签到' }).waitFor();
    await page.getByText('已提交署名的自我评价', { exact: false }).waitFor();

    // ---- after a reload the code is gone from the page: it is asked for again ----
    await page.reload();
    await page.getByRole('heading', { name: '已签到' }).waitFor();
    await page.getByRole('button', { name: '填写自我评价' }).click();
    await page.getByLabel('投票码').waitFor();
    await scoreCard(page, '王芳', [88, 90, 85, 95, 80]);
    await page.getByLabel('投票码').fill(slipOf('李明').code);
    await page.getByRole('button', { name: '提交署名的自我评价' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('这不是你签到时用的投票码。');
    await shootBoth(page, 'eval-05-self-evaluation-code');
    await page.getByLabel('投票码').fill(code.toLowerCase());
    await page.getByRole('button', { name: '提交署名的自我评价' }).click();
    await page.getByText('已提交署名的自我评价', { exact: false }).waitFor();
    expect(await storedText(page)).not.toContain(compact.slice(0, 8));

    // ---- voting opens: first the representatives' paper, own card optional ----
    expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' })).status).toBe(200);
    await page.getByText('作为师生代表评价').waitFor({ timeout: 10_000 });
    await page.getByText('第 1 张选票，共 2 张').waitFor();
    await page.getByText('这是你本人。作为师生代表可以评分，也可以不评。').waitFor();
    expect(await page.locator('.key-line').textContent()).toBe(`密钥指纹 ${grouped(keyOf('representatives'))} · 可与投影屏幕核对`);
    expect(await page.locator('fieldset legend').allTextContents()).toEqual(['王芳', '李明', '张伟']);
    expect(await smallTouchTargets(page)).toEqual([]);
    await shootBoth(page, 'eval-06-ballot-representatives');
    await scoreCard(page, '李明', [80, 82, 84, 86, 88]);
    await scoreCard(page, '张伟', [70, 72, 74, 76, 78]);
    // A comment for 李明, for his eyes only.
    await card(page, '李明').getByRole('textbox', { name: '评语（选填）' }).fill('学习认真，希望多参加社会实践');
    // Half a card of one's own is not allowed: all of it, or none.
    await card(page, '王芳').getByRole('spinbutton', { name: '学习情况', exact: true }).fill('99');
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('还有 1 位没有评完：每一项都要打分。');
    await shootBoth(page, 'eval-07-ballot-own-half-scored');
    await card(page, '王芳').getByRole('button', { name: '清空这张卡片的评分' }).click();
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await page.getByRole('heading', { name: '核对选票' }).waitFor();
    expect(await page.locator('.review-row dt').allTextContents()).toEqual(['王芳', '李明', '张伟']);
    expect(await page.locator('.review-row dd').first().textContent()).toBe('（本人，未评）');
    expect(await page.locator('.review-row').nth(1).locator('li').allTextContents()).toEqual(
      LABELS.map((label, i) => `${label} ${[80, 82, 84, 86, 88][i]}`),
    );
    expect(await page.locator('.review-comment').allTextContents()).toEqual(['评语：学习认真，希望多参加社会实践']);
    await page.getByText('作为师生代表评价').waitFor();
    await shootBoth(page, 'eval-08-review-scores');
    await page.getByRole('button', { name: '投出选票' }).click();

    // ---- then the members' paper: their own card is not on it ----
    await page.getByText('作为所在单位成员评价').waitFor();
    await page.getByText('第 2 张选票，共 2 张').waitFor();
    expect(await page.locator('fieldset legend').allTextContents()).toEqual(['李明', '张伟']);
    expect(await card(page, '王芳').count()).toBe(0);
    await page.getByText('这张选票上没有你本人：单位成员不评价自己。').waitFor();
    expect(await page.locator('.key-line').textContent()).toBe(`密钥指纹 ${grouped(keyOf('members'))} · 可与投影屏幕核对`);
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('还有 2 位没有评完：每一项都要打分。');
    await shootBoth(page, 'eval-09-ballot-members');
    await scoreCard(page, '李明', [91, 92, 93, 94, 95]);
    await scoreCard(page, '张伟', [61, 62, 63, 64, 65]);
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await page.getByRole('heading', { name: '核对选票' }).waitFor();
    await page.getByRole('button', { name: '投出选票' }).click();
    await page.getByRole('heading', { name: '投票完成' }).waitFor();
    expect(await page.locator('.receipt-code').count()).toBe(2);
    await page.getByRole('button', { name: '修改自我评价' }).waitFor();
    await shootBoth(page, 'eval-10-done');

    // ---- what the server kept: two anonymous ballots, one signed self-evaluation ----
    expect(await createVoterApi(server.url).turnout(pollId)).toMatchObject({ checkedIn: 1, ballotsCast: 2 });
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as Bundle;
    expect(bundle.ballots.map((b) => b.choices).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [
        { c2: asScores([80, 82, 84, 86, 88]), c3: asScores([70, 72, 74, 76, 78]) }, // as a representative, own card left empty
        { c2: asScores([91, 92, 93, 94, 95]), c3: asScores([61, 62, 63, 64, 65]) }, // as a member, own card never there
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    expect(bundle.selfEvaluations).toEqual([{ questionId: 'c1', scores: asScores([88, 90, 85, 95, 80]) }]); // the latest one
    expect(JSON.stringify(bundle)).not.toContain('希望多参加'); // the comment is not published
    expect(phone.problems).toEqual([]);
    await phone.context.close();

    // ---- after close, 李明 reads the comment with his own code; 王芳 got none ----
    const reader = await openPhone();
    await reader.page.goto(`${server.url}/comments`);
    await reader.page.getByLabel('投票码').fill(slipOf('李明').code);
    await reader.page.getByRole('button', { name: '查看' }).click();
    await reader.page.getByRole('heading', { level: 2, name: POLL_TITLE }).waitFor();
    expect(await reader.page.locator('.comment-list li').allTextContents()).toEqual(['学习认真，希望多参加社会实践']);
    await shootBoth(reader.page, 'eval-11-comments');
    await reader.page.getByLabel('投票码').fill(code);
    await reader.page.getByRole('button', { name: '查看' }).click();
    await reader.page.getByText('没有人给你写评语。').waitFor();
    expect(await storedText(reader.page)).not.toContain(code.slice(0, 9));
    expect(reader.problems).toEqual([]);
    await reader.context.close();
  });
});

describe('a voting link without usable fingerprints', () => {
  it('is treated like a typed code: the fingerprints are shown and nothing is sent to /api/checkin before the voter confirms', async () => {
    const { meetingId, pollId, slipOf, keyOf } = await setUpEvaluation();
    for (const [name, k] of [
      ['李明', ''],
      ['张伟', '&k=not-a-fingerprint'],
    ] as const) {
      const phone = await openPhone();
      await phone.page.goto(`${server.url}/vote#m=${meetingId}&c=${slipOf(name).code}${k}`);
      await phone.page.getByRole('heading', { level: 1, name: '核对密钥指纹' }).waitFor();
      expect(phone.page.url()).toBe(`${server.url}/vote`); // the code left the address bar
      expect(await phone.page.locator('.fingerprint').allTextContents()).toEqual([grouped(keyOf('members'))]);
      expect(phone.checkins).toHaveLength(0);
      await phone.page.getByRole('button', { name: '指纹一致，继续签到' }).click();
      await phone.page.getByRole('heading', { name: '已签到' }).waitFor();
      expect(phone.checkins).toHaveLength(1);
      // A candidate who is only a member: the offer of a self-evaluation, and no card of their own to score later.
      await phone.page.getByRole('button', { name: '填写自我评价' }).waitFor();
      expect(phone.problems).toEqual([]);
      await phone.context.close();
    }
    expect(await createVoterApi(server.url).turnout(pollId)).toMatchObject({ checkedIn: 2 });
  });
});

describe('the key confirmation step of the voter flow', () => {
  it('returns the fingerprints computed from the served keys without checking in, and check-in refuses to blind without fingerprints', async () => {
    const { pollId, slipOf, keyOf } = await setUpEvaluation();
    const api = createVoterApi('', inProcessFetch(t));
    const code = slipOf('王芳').code;

    await expect(keysToConfirm(api, 'AAAA-BBBB')).rejects.toMatchObject({ code: 'bad_code' });
    const keys = await keysToConfirm(api, code);
    expect(keys.voterName).toBe('王芳');
    expect(keys.ownCandidacies).toEqual([{ pollId, questionId: 'c1' }]);
    expect(keys.keys.map((k) => [k.group, k.fingerprint]).sort()).toEqual([
      ['members', keyOf('members')],
      ['representatives', keyOf('representatives')],
    ]);
    expect(await api.turnout(pollId)).toMatchObject({ checkedIn: 0 });

    const store = memoryStore();
    await expect(checkInVoter(api, store, code, undefined as unknown as string[])).rejects.toMatchObject({ code: 'key_mismatch' });
    await expect(checkInVoter(api, store, code, [])).rejects.toMatchObject({ code: 'key_mismatch' });
    // Keys other than the confirmed ones are refused too.
    await expect(checkInVoter(api, store, code, [keyOf('members')])).rejects.toMatchObject({ code: 'key_mismatch' });
    expect(store.keys()).toEqual([]); // nothing blinded, nothing pending
    expect(await api.turnout(pollId)).toMatchObject({ checkedIn: 0 });
    expect((await checkInVoter(api, store, code, keys.fingerprints)).tokens).toHaveLength(2);

    // A served key whose id is not its content's hash is refused before it is ever shown.
    const tampered: FetchLike = async (input, init) => {
      const response = await inProcessFetch(t)(input, init);
      if (!input.includes('/api/public/meetings/')) return response;
      const meeting = await response.json();
      const [a, b] = meeting.polls[0].keys;
      [a.spki, b.spki] = [b.spki, a.spki];
      return new Response(JSON.stringify(meeting), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    await expect(keysToConfirm(createVoterApi('', tampered), slipOf('李明').code)).rejects.toMatchObject({ code: 'key_mismatch' });
  });
});
