/**
 * The voter page (protocol v2) in a real browser, against the real server serving the built
 * client with its production Content-Security-Policy. Two phones at a meeting with two polls
 * (two candidates to accept; a recommendation of at most two): one opens the voting link from
 * its slip and stays in Chinese, the other (a larger phone) switches to English and types its
 * code, comparing the key-set fingerprint with the projector before anything is sent. Both give
 * the room code (a wrong one first), wait, and move to the ballots by themselves when the
 * organizer opens voting; every candidate is answered, abstentions included; each poll is
 * submitted in one request, once under a double tap; the receipts are shown, signed, and found
 * in the published bundle with exactly the answers given. Then: a second device checking in with
 * the same code makes the first say so and check in again; and a dropped answer at check-in and
 * at submission is retried safely, ending with one stored submission. Every screen, in both
 * languages, passes axe-core, fits the phone's width, and is saved to test-output/screenshots/.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import { setUpBrowserServer, type BrowserHarness } from '../helpers/browser.ts';
import { agreeQuestion, createMeeting, openVoting, roomCodeOf } from '../helpers/meeting.ts';
import { organizerClient } from '../helpers/test-server.ts';
import {
  answersByReceipt,
  checkIn,
  enterCode,
  grouped,
  LARGER_PHONE_VIEWPORT,
  openPhone,
  roomCodeField,
  shoot,
  shootBoth,
  smallTouchTargets,
  storedKeys,
  storedReceipts,
  wrongRoomCode,
} from '../helpers/voter-page.ts';

let h: BrowserHarness;
const harness = setUpBrowserServer({ seedOrganizer: true });
beforeAll(() => {
  h = harness;
});

const turnout = (pollId: string) => createVoterApi(h.server.url).turnout(pollId);
const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

async function setUpMeeting() {
  const org = await organizerClient(h.t);
  const id = (await org.call('POST', '/api/meetings', { title: '第一党支部党员大会' })).body.id as string;
  const acceptance = await org.call('POST', `/api/meetings/${id}/polls`, {
    title: '接收预备党员',
    questions: [agreeQuestion('c1', '张三'), agreeQuestion('c2', '李四')],
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
    keySetFingerprint: slips.body.keySetFingerprint as string,
    slips: slips.body.slips as { code: string; link: string }[],
    roomCode: await roomCodeOf(org, id),
  };
}

describe('the voter page on a phone', () => {
  it('checks in by link and by typed code with the room code, waits, moves to the ballots by itself, submits each poll once, and shows signed receipts, in Chinese and in English', async () => {
    const { org, meetingId, pollIds, keySetFingerprint, slips, roomCode } = await setUpMeeting();
    const zh = await openPhone(h.browser);
    const en = await openPhone(h.browser, { viewport: LARGER_PHONE_VIEWPORT });

    // ---- the code form, both languages, with the two ways a code is refused ----
    await zh.page.goto(`${h.server.url}/`);
    await zh.page.getByRole('link', { name: '我有投票码，去投票' }).click();
    await heading(zh.page, '输入投票码');
    await shoot(zh.page, 'zh-01-code');
    await enterCode(zh.page, 'AAAA-BBBB-CCCC-DDDD');
    await expect.poll(() => zh.page.getByRole('alert').textContent()).toBe('这个投票码无效。请核对投票单，或向主持人领取新的投票码。');
    await shoot(zh.page, 'zh-02-code-unknown');

    // The English messages are a chunk of their own: a phone reading Chinese never fetches it.
    const scripts = (phone: typeof en) => phone.page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name.split('/').pop()!).filter((n) => n.endsWith('.js')));
    expect((await scripts(zh)).some((name) => /^en-/.test(name))).toBe(false);
    await en.page.goto(`${h.server.url}/vote`);
    expect((await scripts(en)).some((name) => /^en-/.test(name))).toBe(false);
    await en.page.getByRole('button', { name: 'English' }).click();
    await heading(en.page, 'Enter your voting code');
    expect((await scripts(en)).some((name) => /^en-/.test(name))).toBe(true);
    await enterCode(en.page, 'AAAA-BBBB-CCC', 'en');
    await expect.poll(() => en.page.getByRole('alert').textContent()).toContain('A voting code has 16 letters and digits');
    expect(await en.page.getByLabel('Voting code').inputValue()).toBe('AAAA-BBBB-CCC'); // kept, to be corrected
    await shoot(en.page, 'en-02-code-malformed');

    // ---- the link: the page checks the fingerprint itself; the room code is asked for ----
    await zh.page.goto('about:blank'); // from /vote, the link would only change the fragment, not load the page
    await zh.page.goto(`${h.server.url}/vote${new URL(slips[0]!.link).hash}`);
    await heading(zh.page, '签到');
    expect(zh.page.url()).toBe(`${h.server.url}/vote`); // the code left the address bar
    await zh.page.getByText('投票码属于：党员甲').waitFor();
    await zh.page.getByText('已自动核对：与你投票单上的指纹一致。').waitFor();
    expect(await zh.page.locator('#key-fingerprint').textContent()).toBe(grouped(keySetFingerprint));
    expect(await roomCodeField(zh.page).getAttribute('inputmode')).toBe('numeric'); // the phone's number pad
    expect(await zh.page.getByRole('button', { name: '指纹不一致' }).count()).toBe(0);
    await shoot(zh.page, 'zh-03-check-in-link');
    expect(await smallTouchTargets(zh.page)).toEqual([]);
    // A wrong room code: said plainly, the digits selected to type over; nothing recorded.
    await checkIn(zh.page, wrongRoomCode(roomCode), { typed: false });
    await expect.poll(() => zh.page.getByRole('alert').textContent()).toBe('会场码不对。请看投影屏幕上的 6 位数字，再输入一次。');
    await expect.poll(() => zh.page.evaluate(() => document.activeElement?.id)).toBe('room-code');
    expect(await roomCodeField(zh.page).getAttribute('aria-invalid')).toBe('true');
    await shootBoth(zh.page, '04-check-in-wrong-room-code');
    expect(await turnout(pollIds[0]!)).toMatchObject({ checkedIn: 0 });
    await checkIn(zh.page, `${roomCode.slice(0, 3)} ${roomCode.slice(3)}`, { typed: false }); // a space is forgiven
    await heading(zh.page, '已签到，等待投票开始');
    await expect.poll(() => zh.page.getByRole('status').first().textContent()).toBe('已签到。');
    await zh.page.getByText('签到人：党员甲').waitFor();
    await zh.page.getByText('所有已签到的人同时领到选票', { exact: false }).waitFor();
    await zh.page.getByText('换浏览器或手机，就要在那边重新签到，而那样会取消本机的签到', { exact: false }).waitFor();
    for (const name of ['张三', '李四', '推荐人选', '王五、赵六、钱七、孙八']) await zh.page.getByText(name).first().waitFor();
    await shootBoth(zh.page, '05-waiting');
    // Checked in, nothing signed: a pending check-in on the phone, no token.
    const keys = await storedKeys(zh.page);
    expect(keys.filter((k) => k.includes(':pending:'))).toHaveLength(1);
    expect(keys.filter((k) => k.includes(':tokens:'))).toEqual([]);
    // A reload (phone locked, tab restored) comes back to the waiting screen, without the code.
    await zh.page.reload();
    await heading(zh.page, '已签到，等待投票开始');
    await zh.page.getByText('签到人：党员甲').waitFor();

    // ---- the typed code: the fingerprint compared by the voter, nothing sent before ----
    await enterCode(en.page, slips[1]!.code.toLowerCase(), 'en');
    await heading(en.page, 'Check in');
    await en.page.getByText('This code belongs to 党员乙').waitFor();
    expect(await en.page.locator('#key-fingerprint').textContent()).toBe(grouped(keySetFingerprint));
    await en.page.getByText('Compare it with the “key fingerprint” on the projector', { exact: false }).waitFor();
    await shoot(en.page, 'en-03-check-in-typed');
    expect(await smallTouchTargets(en.page)).toEqual([]);
    expect(en.checkins).toHaveLength(0);
    // Full-width digits, as a Chinese keyboard types them, are the same digits.
    await checkIn(en.page, roomCode.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)), { typed: true, language: 'en' });
    await heading(en.page, 'Checked in — waiting for voting to open');
    expect(en.checkins).toHaveLength(1);
    expect(en.checkins[0]!.postDataJSON().requests).toHaveLength(3); // one per candidate: c1, c2, and the recommendation
    await shoot(en.page, 'en-05-waiting-390');
    expect(await turnout(pollIds[0]!)).toMatchObject({ phase: 'checkin', checkedIn: 2, submitted: 0 });

    // ---- waiting: only the small status request, every few seconds ----
    const meetingLoads = zh.meetingRequests.length;
    const statusBefore = zh.statusRequests.length;
    await expect.poll(() => zh.statusRequests.length, { timeout: 10_000 }).toBeGreaterThan(statusBefore + 1);
    expect(zh.meetingRequests.length).toBe(meetingLoads);

    // ---- the organizer opens voting with the head count; both pages move on by themselves ----
    for (const phone of [zh, en]) await phone.page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const opened = await org.call('POST', `/api/meetings/${meetingId}/transition`, {
      to: 'voting',
      openings: Object.fromEntries(pollIds.map((id) => [id, { headCount: 2 }])),
    });
    expect(opened.status).toBe(200);
    await zh.page.getByRole('group', { name: '张三' }).waitFor({ timeout: 10_000 });
    await en.page.getByRole('group', { name: '张三' }).waitFor({ timeout: 10_000 });
    for (const phone of [zh, en]) expect(await phone.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await expect.poll(() => zh.page.getByRole('status').first().textContent()).toBe('投票已开始，请填写选票。');
    // Once, to learn that the polls opened (their phase); never a page reload.
    expect(zh.meetingRequests.length).toBe(meetingLoads + 1);

    // ---- Chinese phone: every candidate answered, 弃权 included ----
    await zh.page.getByText('第 1 张选票，共 2 张').waitFor();
    await zh.page.getByText('每一项都要作答；不表态的，请选“弃权”。').waitFor();
    await shootBoth(zh.page, '06-ballot');
    expect(await smallTouchTargets(zh.page)).toEqual([]);
    await zh.page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '同意', exact: true }).check();
    await zh.page.getByRole('button', { name: '下一步：核对选票' }).click();
    await expect.poll(() => zh.page.getByRole('alert').textContent()).toBe('还有 1 项没有作答：每一项都要作答。');
    await shoot(zh.page, 'zh-07-ballot-unanswered');
    await zh.page.getByRole('group', { name: '李四' }).getByRole('radio', { name: '弃权', exact: true }).check();
    await zh.page.getByRole('button', { name: '下一步：核对选票' }).click();
    await heading(zh.page, '核对选票');
    expect(await zh.page.locator('.review-row').allTextContents()).toEqual(['张三同意', '李四弃权']);
    await shootBoth(zh.page, '08-review');
    // A double tap on Submit sends one request, with both candidates' ballots.
    await zh.page.getByRole('button', { name: '提交选票' }).dblclick();

    // ---- second paper: recommend at most two, or abstain ----
    await heading(zh.page, '推荐优秀团员');
    await zh.page.getByText('第 2 张选票，共 2 张').waitFor();
    expect(zh.casts).toHaveLength(1);
    expect(zh.casts[0]!.request.postDataJSON().ballots).toHaveLength(2);
    expect(await turnout(pollIds[0]!)).toMatchObject({ submitted: 1 });
    await zh.page.getByRole('button', { name: '下一步：核对选票' }).click();
    await expect.poll(() => zh.page.getByRole('alert').textContent()).toContain('还有 1 项没有作答');
    const recommend = zh.page.getByRole('group', { name: '推荐人选' });
    await recommend.getByRole('checkbox', { name: '王五' }).check();
    await recommend.getByRole('checkbox', { name: '钱七' }).check();
    await recommend.getByText('已选 2 / 2').waitFor();
    expect(await recommend.getByRole('checkbox', { name: '孙八' }).isDisabled()).toBe(true);
    await shootBoth(zh.page, '09-ballot-approval');
    // Abstaining unticks the candidates and locks them; unticking it frees them again.
    await recommend.getByRole('checkbox', { name: '弃权（不推荐任何人）' }).check();
    expect(await recommend.getByRole('checkbox', { name: '王五' }).isChecked()).toBe(false);
    expect(await recommend.getByRole('checkbox', { name: '王五' }).isDisabled()).toBe(true);
    await zh.page.getByRole('button', { name: '下一步：核对选票' }).click();
    expect(await zh.page.locator('.review-row dd').textContent()).toBe('弃权（不推荐任何人）');
    await zh.page.getByRole('button', { name: '提交选票' }).click();

    // ---- done: the receipts, signed, and where to check them ----
    await heading(zh.page, '投票完成');
    await expect.poll(() => zh.page.getByRole('status').first().textContent()).toBe('选票已提交。');
    const zhReceipts = await storedReceipts(zh.page);
    expect(zhReceipts).toHaveLength(3);
    expect(await zh.page.locator('.receipt h2').allTextContents()).toEqual(['回执 · 接收预备党员', '回执 · 推荐优秀团员']);
    expect(await zh.page.locator('.receipt-name').allTextContents()).toEqual(['张三', '李四', '推荐人选']);
    expect((await zh.page.locator('.receipt-code').allTextContents()).sort()).toEqual(zhReceipts.map((r) => grouped(r.receipt.slice(0, 16))).sort());
    expect(await zh.page.locator('.receipt-signed').allTextContents()).toEqual(Array(3).fill('✓ 投票箱签名已验证'));
    await zh.page.getByText('本页没有保存你的选择：本机只保存了回执。').waitFor();
    await zh.page.getByText('结果公布后，在公示栏中查找这些回执', { exact: false }).waitFor();
    await zh.page.getByRole('link', { name: '打开公示栏' }).waitFor();
    await zh.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.server.url });
    await zh.page.getByRole('button', { name: '复制回执' }).first().click();
    await zh.page.getByText('已复制').first().waitFor();
    expect(await zh.page.evaluate(() => navigator.clipboard.readText())).toMatch(/^张三 [0-9a-f]{4}( [0-9a-f]{4}){3}\n李四 [0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    await shootBoth(zh.page, '10-done');

    // ---- English phone, 390 px: the same in English, 不了解-free ballots ----
    await en.page.getByRole('group', { name: '张三' }).getByRole('radio', { name: 'Disagree', exact: true }).check();
    await en.page.getByRole('group', { name: '李四' }).getByRole('radio', { name: 'Agree', exact: true }).check();
    await shoot(en.page, 'en-06-ballot-390');
    await en.page.getByRole('button', { name: 'Next: review' }).click();
    expect(await en.page.locator('.review-row').allTextContents()).toEqual(['张三Disagree', '李四Agree']);
    await en.page.getByRole('button', { name: 'Submit ballot' }).click();
    await en.page.getByText('Ballot 2 of 2').waitFor();
    await en.page.getByRole('group', { name: '推荐人选' }).getByRole('checkbox', { name: '赵六' }).check();
    await en.page.getByText('1 of 2 chosen').waitFor();
    await en.page.getByRole('button', { name: 'Next: review' }).click();
    await en.page.getByRole('button', { name: 'Submit ballot' }).click();
    await heading(en.page, 'Vote complete');
    await shoot(en.page, 'en-10-done-390');

    // ---- what reached the server, and what stayed on the phones ----
    for (const pollId of pollIds) expect(await turnout(pollId)).toMatchObject({ checkedIn: 2, submitted: 2 });
    for (const phone of [zh, en]) {
      expect(phone.casts).toHaveLength(2);
      for (const cast of phone.casts) {
        const headers = await cast.headers;
        expect(headers).not.toHaveProperty('cookie');
        expect(headers).not.toHaveProperty('referer');
      }
      const stored = await storedKeys(phone.page);
      expect(stored.filter((k) => k.includes(':tokens:') || k.includes(':pending:'))).toEqual([]);
      expect(stored.filter((k) => k.includes(':receipts:'))).toHaveLength(2);
      expect(JSON.stringify(await phone.page.evaluate(() => ({ ...localStorage, ...sessionStorage })))).not.toMatch(/agree|wang-wu|zhao-liu/);
      expect(phone.problems).toEqual([]);
    }

    // ---- a reload after voting still shows the receipts, verified again on this device ----
    await en.page.reload();
    await heading(en.page, 'Vote complete');
    expect(await en.page.locator('.receipt-signed').allTextContents()).toEqual(Array(3).fill('✓ signed by the ballot box, verified'));

    // ---- the published bundle holds exactly these ballots under these receipts ----
    for (const pollId of pollIds) {
      expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
    }
    const acceptance = (await org.call('GET', `/api/polls/${pollIds[0]}/bundle`)).body as BundleV2;
    const recommendation = (await org.call('GET', `/api/polls/${pollIds[1]}/bundle`)).body as BundleV2;
    const answers = new Map([...answersByReceipt(acceptance), ...answersByReceipt(recommendation)]);
    // The recommendation's two ballots are under the anonymity floor: published, answers withheld.
    expect(zhReceipts.map((r) => [r.questionId, answers.get(r.receipt)]).sort()).toEqual([
      ['c1', 'agree'],
      ['c2', 'abstain'],
      ['recommend', 'withheld'],
    ]);
    const enReceipts = await storedReceipts(en.page);
    expect(enReceipts.map((r) => [r.questionId, answers.get(r.receipt)]).sort()).toEqual([
      ['c1', 'disagree'],
      ['c2', 'agree'],
      ['recommend', 'withheld'],
    ]);
    expect(acceptance.ballots).toHaveLength(4);
    expect(recommendation.result.questions[0]!.counts).toMatchObject({ 'zhao-liu': 1, 'wang-wu': 0, 'qian-qi': 0 }); // the abstention recommends nobody
    await zh.context.close();
    await en.context.close();
  }, 180_000);
});

describe('two devices with one code', () => {
  it('tells the first device plainly that it was replaced, lets it check in again before voting opens, and says why not after', async () => {
    const { org, pollId, slips, roomCode } = await createMeeting(h.t, { voters: 2, open: 'checkin', questions: [agreeQuestion('c1', '张三')] });
    const first = await openPhone(h.browser);
    const second = await openPhone(h.browser);
    await first.page.goto(`${h.server.url}/vote${new URL(slips[0]!.link).hash}`);
    await checkIn(first.page, roomCode, { typed: false });
    await heading(first.page, '已签到，等待投票开始');

    // The second device: told that checking in here cancels the other one.
    await second.page.goto(`${h.server.url}/vote`);
    await enterCode(second.page, slips[0]!.code);
    await second.page.getByText('这个投票码已经在另一台设备或浏览器上签到过。在本机签到后，那边的签到会被取消。', { exact: false }).waitFor();
    await shoot(second.page, 'zh-12-check-in-other-device');
    await checkIn(second.page, roomCode, { typed: true });
    await heading(second.page, '已签到，等待投票开始');

    // The first device learns it within a few seconds, and says so.
    await heading(first.page, '本机的签到已失效');
    await first.page.getByText('这个投票码后来在另一台设备或浏览器上重新签到了', { exact: false }).waitFor();
    await expect.poll(() => first.page.getByRole('status').first().textContent()).toBe('本机的签到已失效：这个投票码在另一台设备上重新签到了。');
    await shootBoth(first.page, '13-check-in-lost');
    expect((await storedKeys(first.page)).filter((k) => k.includes(':pending:'))).toEqual([]);

    // It checks in again here (the code is still in the page's memory); now the second one is replaced.
    await first.page.getByRole('button', { name: '在本机重新签到' }).click();
    await heading(first.page, '签到');
    await first.page.getByText('已核对：与你签到时核对过的指纹一致。').waitFor();
    await checkIn(first.page, roomCode, { typed: false });
    await heading(first.page, '已签到，等待投票开始');
    await heading(second.page, '本机的签到已失效');
    expect(await turnout(pollId)).toMatchObject({ checkedIn: 1 });

    // Voting opens: the first device votes; the second cannot check in any more, and is told why.
    await openVoting(org, pollId, 1);
    await first.page.getByRole('group', { name: '张三' }).waitFor({ timeout: 10_000 });
    await second.page.getByRole('button', { name: '在本机重新签到' }).click();
    // The ballot box knows this code's ballots were issued to the other device: it says so, and what to do.
    await heading(second.page, '选票已发到另一台设备');
    await second.page.getByText('请用那台设备投票；如果不是你本人签的到，请立即告诉主持人。', { exact: false }).waitFor();
    await shoot(second.page, 'zh-14-lost-after-opening');
    await first.page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '同意', exact: true }).check();
    await first.page.getByRole('button', { name: '下一步：核对选票' }).click();
    await first.page.getByRole('button', { name: '提交选票' }).click();
    await heading(first.page, '投票完成');
    expect(await turnout(pollId)).toMatchObject({ checkedIn: 1, submitted: 1 });
    for (const phone of [first, second]) {
      expect(phone.problems).toEqual([]);
      await phone.context.close();
    }
  });
});

describe('a check-in struck at the opening', () => {
  it('tells the phone it was struck, offers no check-in that cannot happen, and says whom to tell', async () => {
    const { org, pollId, slips, roomCode } = await createMeeting(h.t, { voters: 2, open: 'checkin', questions: [agreeQuestion('c1', '张三')] });
    const phone = await openPhone(h.browser);
    await phone.page.goto(`${h.server.url}/vote${new URL(slips[0]!.link).hash}`);
    await checkIn(phone.page, roomCode, { typed: false });
    await heading(phone.page, '已签到，等待投票开始');
    // The scrutineers count one person in the room, and strike this check-in.
    await openVoting(org, pollId, 0, { strike: [slips[0]!.voterId], headCountNote: '' });
    await heading(phone.page, '你的签到已被划去');
    await phone.page.getByText('监票人划去了这次签到', { exact: false }).waitFor();
    await phone.page.getByText('投票已经开始，本机不能再签到。', { exact: false }).waitFor();
    expect(await phone.page.getByRole('button', { name: '在本机重新签到' }).count()).toBe(0);
    await shootBoth(phone.page, '16-check-in-struck');
    expect(phone.problems).toEqual([]);
    await phone.context.close();
  });
});

describe('a phone whose answers are lost on the way', () => {
  it('retries the same check-in and the same submission: one check-in, one stored submission, receipts that verify', async () => {
    const { org, pollId, slips, roomCode } = await createMeeting(h.t, { voters: 2, open: 'checkin', questions: [agreeQuestion('c1', '张三'), agreeQuestion('c2', '李四')] });
    const phone = await openPhone(h.browser);
    const { page } = phone;
    // The first check-in and the first submission reach the server, which records them; the
    // answers are then lost on the way back (the connection drops). Later ones go through.
    const sentCheckins: unknown[] = [];
    await page.route('**/api/checkin', async (route) => {
      sentCheckins.push(route.request().postDataJSON());
      if (sentCheckins.length > 1) return route.continue();
      expect((await route.fetch()).status()).toBe(200);
      await route.abort('connectionreset');
    });
    const sentCasts: unknown[] = [];
    await page.route('**/api/ballots', async (route) => {
      sentCasts.push(route.request().postDataJSON());
      if (sentCasts.length > 1) return route.continue();
      expect((await route.fetch()).status()).toBe(201);
      await route.abort('connectionreset');
    });

    await page.goto(`${h.server.url}/vote${new URL(slips[0]!.link).hash}`);
    await checkIn(page, roomCode, { typed: false });
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('连不上服务器。请检查网络（Wi-Fi）后重试。');
    expect(await roomCodeField(page).inputValue()).toBe(roomCode); // still there
    await shoot(page, 'zh-15-check-in-retry');
    await checkIn(page, roomCode, { typed: false });
    await heading(page, '已签到，等待投票开始');
    expect(sentCheckins).toHaveLength(2);
    expect(sentCheckins[1]).toEqual(sentCheckins[0]); // the very same blinded requests

    await openVoting(org, pollId, 1);
    await page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '同意', exact: true }).check();
    await page.getByRole('group', { name: '李四' }).getByRole('radio', { name: '不同意', exact: true }).check();
    await page.getByRole('button', { name: '下一步：核对选票' }).click();
    await page.getByRole('button', { name: '提交选票' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('连不上服务器。请检查网络（Wi-Fi）后重试。');
    // The ballots may be in the box: only the same answers may go again, and the page says so.
    await page.getByText('提交时网络中断，选票可能已经送达', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: '返回修改' }).count()).toBe(0);
    await shootBoth(page, '16-submit-retry');
    expect(await turnout(pollId)).toMatchObject({ submitted: 1 }); // the server did take it
    await page.getByRole('button', { name: '重新提交' }).click();
    await heading(page, '投票完成');
    expect(sentCasts).toHaveLength(2);
    expect(sentCasts[1]).toEqual(sentCasts[0]); // same tokens, same salts, same answers: an identical replay
    expect(await page.locator('.receipt-signed').allTextContents()).toEqual(Array(2).fill('✓ 投票箱签名已验证'));

    expect(await turnout(pollId)).toMatchObject({ checkedIn: 1, submitted: 1 });
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    expect(bundle.ballots).toHaveLength(2); // one ballot per candidate, stored once
    const receipts = await storedReceipts(page);
    expect(receipts.map((r) => answersByReceipt(bundle).get(r.receipt)).sort()).toEqual(['agree', 'disagree']);
    const keys = await storedKeys(page);
    expect(keys.filter((k) => k.includes(':tokens:') || k.includes(':pending:'))).toEqual([]);
    expect(phone.problems).toEqual([]);
    await phone.context.close();
  });
});
