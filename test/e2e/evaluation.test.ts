/**
 * The three evaluations on the voter's page (protocol v2), in a real browser against the real
 * server. A student who is a candidate, a student representative and a class member types their
 * code: the check-in screen shows the meeting's key-set fingerprint and sends nothing until they
 * confirm it matches the projector (and, when they say it differs, tells them what to do). They
 * sign a self-evaluation on its own screen (again after a reload, typing the code anew since the
 * page keeps it only in memory). When voting opens, one paper lists the other candidates — never
 * themself — scored once for both their groups, with 不了解 for a candidate they do not know.
 * The published bundle holds exactly those answers and the signed self-evaluation; the comment
 * reaches its candidate only. A voting link without a usable fingerprint is treated like a typed
 * code. Every new screen, in both languages, passes axe-core, fits 360 px, and is saved.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { setUpBrowserServer, type BrowserHarness } from '../helpers/browser.ts';
import { openVoting, roomCodeOf } from '../helpers/meeting.ts';
import { organizerClient } from '../helpers/test-server.ts';
import {
  answersByReceipt,
  checkIn,
  enterCode,
  grouped,
  openPhone,
  shootBoth,
  smallTouchTargets,
  storedReceipts,
  storedText,
} from '../helpers/voter-page.ts';

let h: BrowserHarness;
const harness = setUpBrowserServer({ seedOrganizer: true });
beforeAll(() => {
  h = harness;
});

const CRITERIA = ['political', 'daily_conduct', 'key_moments', 'study', 'social_practice'];
const LABELS = ['政治表现', '日常表现', '关键时刻表现', '学习情况', '社会实践'];
const POLL_TITLE = '发展对象“三评”';
const asScores = (values: number[]) => Object.fromEntries(CRITERIA.map((c, i) => [c, values[i]!]));
const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

/**
 * Three candidates from one class; 王芳 (candidate c1) is also a student representative. The
 * anonymity floor is 1 here, so that the bundle shows the browser voter's answers as cast.
 */
async function setUpEvaluation() {
  const org = await organizerClient(h.t);
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
  const slips = await org.call('POST', `/api/meetings/${meeting.id}/slips`, {});
  return {
    org,
    meetingId: meeting.id as string,
    pollId: poll.body.id as string,
    slipOf: (name: string) => (slips.body.slips as { name: string; code: string; link: string }[]).find((s) => s.name === name)!,
    keySetFingerprint: slips.body.keySetFingerprint as string,
    roomCode: await roomCodeOf(org, meeting.id),
  };
}

const card = (page: Page, candidate: string) => page.getByRole('group', { name: candidate, exact: true });

/** Types a score for every criterion on a candidate's card. */
async function scoreCard(page: Page, candidate: string, values: number[]) {
  for (const [i, label] of LABELS.entries()) await card(page, candidate).getByRole('spinbutton', { name: label, exact: true }).fill(String(values[i]));
}

describe('a candidate in the three evaluations, on a phone', () => {
  it('confirms the fingerprint before anything is sent, signs a self-evaluation apart with their own key, and scores the others in their first group only, with 不了解 for one, never themself', async () => {
    const { org, pollId, slipOf, keySetFingerprint, roomCode } = await setUpEvaluation();
    const phone = await openPhone(h.browser);
    const { page } = phone;
    const code = slipOf('王芳').code;

    // ---- typed code: the fingerprint first, nothing sent to /api/checkin ----
    await page.goto(`${h.server.url}/vote`);
    await enterCode(page, code);
    await heading(page, '签到');
    await page.getByText('投票码属于：王芳').waitFor();
    expect(await page.locator('#key-fingerprint').textContent()).toBe(grouped(keySetFingerprint));
    await shootBoth(page, 'eval-01-check-in');
    expect(phone.checkins).toHaveLength(0);

    // "They differ": what to do, and still nothing sent; the code stays unused.
    await page.getByRole('button', { name: '指纹不一致', exact: true }).click();
    await heading(page, '请不要签到');
    await page.getByText('请马上告诉主持人', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: '指纹一致，签到' }).count()).toBe(0);
    await shootBoth(page, 'eval-02-keys-differ');
    expect(phone.checkins).toHaveLength(0);
    expect(await createVoterApi(h.server.url).turnout(pollId)).toMatchObject({ checkedIn: 0 });
    await page.getByRole('button', { name: '返回' }).click();
    expect(await page.getByLabel('投票码').inputValue()).toBe(code); // still there, to try again

    // ---- "They match": one check-in, one request per candidate in the first of the poll's groups they are in, never their own ----
    await enterCode(page, code);
    await checkIn(page, roomCode, { typed: true });
    await heading(page, '已签到，等待投票开始');
    expect(phone.checkins).toHaveLength(1);
    const requested = (phone.checkins[0]!.postDataJSON().requests as { group: string; questionId: string }[]).map((r) => `${r.group}:${r.questionId}`);
    expect(requested.sort()).toEqual(['representatives:c2', 'representatives:c3']);
    const compact = code.replace(/-/g, '');
    expect(await storedText(page)).not.toContain(compact.slice(0, 8)); // the code is never stored
    expect(await storedText(page)).not.toContain(code.slice(0, 9));
    await page.getByRole('heading', { name: '自我评价（署名，不匿名）' }).waitFor();
    expect(await page.locator('.poll-items li').allTextContents()).toEqual(['李明', '张伟']); // not themself
    await shootBoth(page, 'eval-03-waiting');

    // ---- self-evaluation: its own screen, signed; the stepper, the slider, the scale ----
    await page.getByRole('button', { name: '填写自我评价' }).click();
    await heading(page, '自我评价（署名，不匿名）');
    await page.getByText('这份评价署名为 王芳，不是匿名的', { exact: false }).waitFor();
    expect(await page.locator('#self-code').count()).toBe(0); // the code is still in memory
    const own = card(page, '王芳');
    await own.getByText('评分范围 0–100').waitFor();
    expect(await own.getByRole('button', { name: '不了解' }).count()).toBe(0); // one knows oneself
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
    await heading(page, '已签到，等待投票开始');
    await page.getByText('已提交署名的自我评价', { exact: false }).waitFor();

    // ---- after a reload the code is gone from the page: it is asked for again ----
    await page.reload();
    await heading(page, '已签到，等待投票开始');
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

    // ---- 李明 checks in on his own phone: it makes and registers his own key (comments to him are sealed to it) ----
    const liMing = await openPhone(h.browser);
    await liMing.page.goto(`${h.server.url}/vote${new URL(slipOf('李明').link).hash}`);
    await heading(liMing.page, '签到');
    await checkIn(liMing.page, roomCode, { typed: false });
    await heading(liMing.page, '已签到，等待投票开始');
    await liMing.page.getByRole('heading', { name: '你的个人密钥' }).waitFor();
    const liMingKey = (await liMing.page.locator('[data-candidate-key]').textContent())!.replace(/\s/g, '');
    expect((await createVoterApi(h.server.url).meeting((await org.call('GET', `/api/polls/${pollId}`)).body.meetingId)).polls[0]!.candidateKeys!.find((k) => k.questionId === 'c2')!.fingerprint).toBe(liMingKey);
    await shootBoth(liMing.page, 'eval-05b-candidate-key');

    // ---- voting opens: one paper, the others only, as a representative ----
    await openVoting(org, pollId, 2);
    await page.getByText('你以师生代表的身份评价。').waitFor({ timeout: 10_000 });
    await page.getByText('这张选票上没有你本人：候选人不对自己表决或评价。').waitFor();
    expect(await page.locator('fieldset legend').allTextContents()).toEqual(['李明', '张伟']);
    expect(await card(page, '王芳').count()).toBe(0);
    expect(await smallTouchTargets(page)).toEqual([]);
    await shootBoth(page, 'eval-06-ballot');
    await scoreCard(page, '李明', [80, 82, 84, 86, 88]);
    await card(page, '李明').getByRole('textbox', { name: '评语（选填）' }).fill('学习认真，希望多参加社会实践');
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('还有 1 位没有评完：每一项都要打分，或者按“不了解”。');
    // 不了解: the card's scores and comment give way to the abstention, and it counts as an answer.
    await card(page, '张伟').getByRole('spinbutton', { name: '学习情况', exact: true }).fill('70');
    await card(page, '张伟').getByRole('button', { name: '不了解' }).click();
    expect(await card(page, '张伟').getByRole('button', { name: '不了解' }).getAttribute('aria-pressed')).toBe('true');
    expect(await card(page, '张伟').getByRole('spinbutton').count()).toBe(0);
    expect(await card(page, '张伟').getByRole('textbox').count()).toBe(0);
    await card(page, '张伟').getByText('你选择了“不了解”，不给这一位打分。', { exact: false }).waitFor();
    await shootBoth(page, 'eval-07-ballot-dont-know');
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await heading(page, '核对选票');
    expect(await page.locator('.review-row dt').allTextContents()).toEqual(['李明', '张伟']);
    expect(await page.locator('.review-row').nth(0).locator('li').allTextContents()).toEqual(LABELS.map((label, i) => `${label} ${[80, 82, 84, 86, 88][i]}`));
    expect(await page.locator('.review-row').nth(1).locator('dd').textContent()).toBe('不了解');
    expect(await page.locator('.review-comment').allTextContents()).toEqual(['评语：学习认真，希望多参加社会实践']);
    await shootBoth(page, 'eval-08-review');
    await page.getByRole('button', { name: '提交选票' }).click();
    await heading(page, '投票完成');
    expect(await page.locator('.receipt-name').allTextContents()).toEqual(['李明', '张伟']);
    expect(await page.locator('.receipt-signed').allTextContents()).toEqual(Array(2).fill('✓ 投票箱签名已验证'));
    await page.getByRole('button', { name: '修改自我评价' }).waitFor();
    await shootBoth(page, 'eval-09-done');

    // ---- what the server kept: two anonymous ballots, one self-evaluation signed with 王芳's own key ----
    expect(await createVoterApi(h.server.url).turnout(pollId)).toMatchObject({ checkedIn: 2, submitted: 1 });
    const receipts = await storedReceipts(page);
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    const answers = answersByReceipt(bundle);
    expect(receipts.map((r) => [r.group, r.questionId, answers.get(r.receipt)]).sort((a, b) => String(a).localeCompare(String(b)))).toEqual([
      ['representatives', 'c2', asScores([80, 82, 84, 86, 88])],
      ['representatives', 'c3', 'abstain'],
    ]);
    expect(bundle.ballots).toHaveLength(2);
    expect(bundle.selfEvaluations).toEqual([{ questionId: 'c1', scores: asScores([88, 90, 85, 95, 80]), signature: expect.any(String) }]); // the latest one
    expect(bundle.candidateKeys!.map((k) => k.questionId)).toEqual(['c1', 'c2']);
    expect(JSON.stringify(bundle)).not.toContain('希望多参加'); // the comment is not published
    expect(phone.problems).toEqual([]);
    await phone.context.close();

    // ---- after close, 李明 reads the comment with his own code, on his own phone; 王芳 got none ----
    const reader = liMing;
    await reader.page.goto(`${h.server.url}/comments`);
    await reader.page.getByLabel('投票码').fill(slipOf('李明').code);
    await reader.page.getByRole('button', { name: '查看' }).click();
    await reader.page.getByRole('heading', { level: 2, name: POLL_TITLE }).waitFor();
    expect(await reader.page.locator('.comment-list li').allTextContents()).toEqual(['学习认真，希望多参加社会实践']);
    await shootBoth(reader.page, 'eval-10-comments');
    // On another phone — the organizer's, who printed the code — the sealed comment cannot be opened.
    const organizerPhone = await openPhone(h.browser);
    await organizerPhone.page.goto(`${h.server.url}/comments`);
    await organizerPhone.page.getByLabel('投票码').fill(slipOf('李明').code);
    await organizerPhone.page.getByRole('button', { name: '查看' }).click();
    await organizerPhone.page.getByText('这台设备上没有你的密钥', { exact: false }).waitFor();
    expect(await organizerPhone.page.locator('.comment-list li').count()).toBe(0);
    await organizerPhone.context.close();
    await reader.page.getByLabel('投票码').fill(code);
    await reader.page.getByRole('button', { name: '查看' }).click();
    await reader.page.getByText('没有人给你写评语。').waitFor();
    // A mistyped code is told in the page's words, not the server's English.
    await reader.page.getByLabel('投票码').fill('AAAA-BBBB-CCCC-DDDD');
    await reader.page.getByRole('button', { name: '查看' }).click();
    await expect.poll(() => reader.page.getByRole('alert').textContent()).toBe('查询失败：这个投票码无效。请核对投票单，或向主持人领取新的投票码。');
    expect(await storedText(reader.page)).not.toContain(code.slice(0, 9));
    expect(reader.problems).toEqual([]);
    await reader.context.close();
  }, 180_000);
});

describe('a voting link without a usable fingerprint', () => {
  it('is treated like a typed code: the fingerprint is shown for comparison and nothing is sent to /api/checkin before the voter confirms', async () => {
    const { meetingId, pollId, slipOf, keySetFingerprint, roomCode } = await setUpEvaluation();
    for (const [name, k] of [
      ['李明', ''],
      ['张伟', '&k=not-a-fingerprint'],
    ] as const) {
      const phone = await openPhone(h.browser);
      await phone.page.goto(`${h.server.url}/vote#m=${meetingId}&c=${slipOf(name).code}${k}`);
      await heading(phone.page, '签到');
      expect(phone.page.url()).toBe(`${h.server.url}/vote`); // the code left the address bar
      expect(await phone.page.locator('#key-fingerprint').textContent()).toBe(grouped(keySetFingerprint));
      await phone.page.getByText('与投影屏幕上的“密钥指纹”逐组核对', { exact: false }).waitFor();
      expect(phone.checkins).toHaveLength(0);
      await checkIn(phone.page, roomCode, { typed: true });
      await heading(phone.page, '已签到，等待投票开始');
      expect(phone.checkins).toHaveLength(1);
      // A candidate who is only a member: the offer of a self-evaluation, and no card of their own to score later.
      await phone.page.getByRole('button', { name: '填写自我评价' }).waitFor();
      expect(phone.problems).toEqual([]);
      await phone.context.close();
    }
    expect(await createVoterApi(h.server.url).turnout(pollId)).toMatchObject({ checkedIn: 2 });
  });
});
