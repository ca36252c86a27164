/**
 * The meeting console in a real browser, against the real server serving the built client with
 * its production Content-Security-Policy, under protocol v2. A branch secretary signs in and runs
 * a whole acceptance meeting: creates it, imports a roster with one bad line (shown with its
 * line, then skipped), creates a member_acceptance poll with two candidates, names the
 * scrutineers, opens check-in, reads the room code and draws a new one (the old one stops
 * working), prints the slips (their QR codes hold the voting link with the meeting's one key-set
 * fingerprint, printed beside it). Five members check in on their devices; the sign-in sheet
 * shows who is missing (the 未签到名单) and who gave a written opinion. Opening voting asks for
 * the head count: too low a count is refused by the server with a sentence that says why, the
 * scrutineers strike the check-in of a member not in the room, and voting opens for the four
 * others at once. Three submit; the secretary records how many said they did not vote (and sees
 * the warning when the numbers do not add up), closes, and reads the result with the facts of
 * the v2 bundle; then publishes. Too many failed sign-ins are refused, in the page's language,
 * saying for how long even the right password is refused from this network and that a browser
 * that signed in to the account before still signs in (the owner's, at 1366×768, does). Every screen passes axe-core and is saved as a screenshot, at 1280×800
 * and on a narrow screen.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createVoterApi } from '../../shared/protocol/api-client.ts';
import { qrPath } from '../../client/src/qr.ts';
import { accessibilityViolations, saveScreenshot, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { DESK, NARROW, shoot, signInToConsole } from '../helpers/console-browser.ts';
import { castAll, checkInSlip, collect, tokensOf, type Device } from '../helpers/meeting.ts';
import { ORGANIZER_PASSWORD, organizerClient, seedUser, type TestServer } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });
let t: TestServer;
let url: string;
beforeAll(() => {
  t = harness.t;
  url = harness.server.url;
});

const ROSTER = [
  '姓名,学号/工号,组别,身份',
  '党员甲,2021001,members,正式',
  '党员乙,2021002,members,正式',
  '群众丙,2021009,members,群众', // line 4: not a member status
  '党员丙,2021003,members,正式',
  '党员丁,2021004,members,正式',
  '党员戊,2021005,members,正式',
  '党员己,2021006,members,正式',
  '党员庚,2021007,members,正式',
  '"预备,辛",2021008,members,预备',
].join('\n');

/** Both screen sizes: the desk and a narrow window, then back to the desk. A dialog: only what the screen shows. */
async function shootBoth(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  await shoot(page, `console-${name}`, options);
  await page.setViewportSize(NARROW);
  await shoot(page, `console-${name}-narrow`, options);
  await page.setViewportSize(DESK);
}

const TOO_MANY_ZH =
  '登录失败的次数太多：接下来 15 分钟内，在这个网络上登录这个账号，即使密码正确也会被拒绝。以前登录过这个账号的浏览器（比如你常用的电脑）不受影响，仍然可以登录：请换用它，或者 15 分钟后再试。';
const TOO_MANY_EN =
  'Too many failed sign-ins. For the next 15 minutes, signing in to this account from this network is refused, even with the right password. A browser that has signed in to this account before can still sign in: use your usual computer, or try again in 15 minutes.';

/** Fills the sign-in form and sends it; the server's answer. */
async function submitSignIn(page: Page, username: string, password: string) {
  await page.getByLabel(/^(用户名|Username)$/).fill(username);
  await page.getByLabel(/^(密码|Password)$/).fill(password);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST'),
    page.getByRole('button', { name: /^(登录|Sign in)$/ }).click(),
  ]);
  return answer;
}

describe('the meeting console (protocol v2)', () => {
  it('runs an acceptance meeting: check-in with the room code, the sign-in sheet, the head count and a strike, turnout, close, the v2 result', { timeout: 240_000 }, async () => {
    const org = await organizerClient(t); // the test's own view of the server
    const context = await harness.browser.newContext({ viewport: DESK });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);

    // ---- sign in: a wrong password is refused with a clear message ----
    await page.goto(`${url}/console`);
    await page.getByRole('heading', { name: '登录会议控制台' }).waitFor();
    await shoot(page, 'console-01-sign-in');
    await page.getByLabel('用户名').fill('secretary');
    await page.getByLabel('密码').fill('wrong password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('用户名或密码不正确');
    await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '我的会议' }).waitFor();
    await page.reload(); // the session survives a reload
    await page.getByRole('heading', { name: '我的会议' }).waitFor();

    // ---- the meeting, its roster (the bad line shown, then skipped) ----
    await page.getByLabel('会议名称').fill('第一党支部党员大会');
    await page.getByRole('button', { name: '创建会议' }).click();
    await page.getByRole('heading', { name: '第一党支部党员大会', level: 1 }).waitFor();
    const meetingId = new URL(page.url()).searchParams.get('meeting')!;
    expect(meetingId).toMatch(/^[a-z0-9]{16}$/);
    await page.getByLabel('或粘贴名单').fill(ROSTER);
    const errors = page.locator('.error-lines li');
    await expect.poll(() => errors.allTextContents(), { timeout: 10_000 }).toEqual(['第 4 行：身份“群众”无法识别，应为“正式”或“预备”']);
    const save = page.getByRole('button', { name: '导入 8 人' });
    expect(await save.isDisabled()).toBe(true);
    expect((await org.call('GET', `/api/meetings/${meetingId}/voters`)).body.voters).toEqual([]);
    await page.getByLabel('跳过有问题的 1 行，只导入其余的人').check();
    await save.click();
    await page.getByRole('heading', { name: '名单（8 人）' }).waitFor();
    const roster = (await org.call('GET', `/api/meetings/${meetingId}/voters`)).body.voters as { id: string; name: string; number: string; status: string }[];
    const voterId = (name: string) => roster.find((v) => v.name === name)!.id;
    expect(roster.map((v) => v.status)).toEqual(['full', 'full', 'full', 'full', 'full', 'full', 'full', 'probationary']);

    // ---- the poll: its rule with the defaults, two candidates, the scrutineers ----
    expect(await page.getByLabel('表决类型').inputValue()).toBe('member_acceptance');
    await page.getByLabel('候选人（每行一人）').fill('王小明\n赵小红');
    await page.getByRole('button', { name: '创建表决事项' }).click();
    const card = page.locator('article.poll-card');
    await card.getByRole('heading', { name: '接收预备党员' }).waitFor();
    await card.getByText('候选人：王小明、赵小红').waitFor();
    const pollId = (await card.getAttribute('data-poll'))!;
    // The page the scrutineers open for this poll, from the card.
    expect(await card.locator('[data-cosign-link]').getAttribute('href')).toBe(`/cosign?poll=${pollId}`);
    await card.getByLabel('监票人（多人用顿号或逗号分隔）').fill('监票员甲');
    await card.getByLabel('计票人').fill('计票员乙');
    await card.getByRole('button', { name: '保存监票人、计票人' }).click();
    await card.getByText('已保存').waitFor();
    // 党员庚 cannot attend and gave a written opinion (entered in the console: see the third test).
    expect((await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voterId('党员庚')}`, { choices: { c1: 'agree', c2: 'agree' } })).status).toBe(200);

    // ---- late check-in stays off: its confirmation names the timing exposure ----
    const checkinPanel = page.locator('section.checkin-panel');
    await checkinPanel.getByText('不允许（默认）：开始投票后不能再签到。').waitFor();
    await checkinPanel.getByRole('button', { name: '允许迟到签到…' }).click();
    const lateDialog = page.getByRole('dialog', { name: '允许迟到签到？' });
    await lateDialog.getByText('从时间先后就能认出哪几张选票是他的', { exact: false }).waitFor();
    await shoot(page, 'console-02-late-check-in-confirm', { fullPage: false });
    await lateDialog.getByRole('button', { name: '取消' }).click();
    await lateDialog.waitFor({ state: 'hidden' });
    expect((await org.call('GET', `/api/meetings/${meetingId}`)).body.lateCheckIn).toBe(false);

    // ---- open check-in: the room code, and a new one that voids the old ----
    await page.getByRole('button', { name: '开放签到' }).click();
    const checkinDialog = page.getByRole('dialog', { name: '开放签到？' });
    await checkinDialog.getByText('参会人员用凭条和投影上的会场码签到', { exact: false }).waitFor();
    await checkinDialog.getByRole('button', { name: '开放签到' }).click();
    await checkinDialog.waitFor({ state: 'hidden' });
    const roomCodeShown = checkinPanel.locator('[data-room-code]');
    await roomCodeShown.waitFor();
    const firstCode = (await roomCodeShown.getAttribute('data-room-code'))!;
    expect(firstCode).toBe((await org.call('GET', `/api/meetings/${meetingId}/room-code`)).body.roomCode);
    expect(await roomCodeShown.locator('.room-code-digits').textContent()).toBe(`${firstCode.slice(0, 3)} ${firstCode.slice(3)}`);
    await checkinPanel.getByRole('button', { name: '换一个会场码' }).click();
    const roomDialog = page.getByRole('dialog', { name: '换一个会场码？' });
    await roomDialog.getByText('旧的会场码立即失效：还没有签到的人要输入新的会场码。已经签到的人不受影响。').waitFor();
    await roomDialog.getByRole('button', { name: '换一个会场码' }).click();
    await checkinPanel.getByText('已换新的会场码，旧的已失效。').waitFor();
    await expect.poll(() => roomCodeShown.getAttribute('data-room-code'), { timeout: 10_000 }).not.toBe(firstCode);
    const roomCode = (await roomCodeShown.getAttribute('data-room-code'))!;
    expect(roomCode).toMatch(/^[0-9]{6}$/);

    // ---- slips: each QR code is the voting link with the meeting's one key-set fingerprint ----
    await page.getByRole('button', { name: '打印投票凭条' }).click();
    await page.getByRole('heading', { name: '投票凭条', level: 1 }).waitFor();
    const slips = page.locator('li.slip');
    expect(await slips.count()).toBe(8);
    const { keySetFingerprint, fingerprints } = (await org.call('GET', `/api/meetings/${meetingId}`)).body as { keySetFingerprint: string; fingerprints?: unknown };
    expect(keySetFingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprints).toBeUndefined();
    const links = new Map<string, string>();
    for (const slip of await slips.all()) {
      const name = (await slip.locator('.slip-name').textContent())!;
      const code = (await slip.locator('.slip-code').textContent())!;
      const link = `${url}/vote#m=${meetingId}&c=${code}&k=${keySetFingerprint}`;
      expect(await slip.locator('svg.slip-qr path').getAttribute('d')).toBe(qrPath(link).d);
      expect(await slip.locator('.slip-fingerprint .mono').textContent()).toBe(keySetFingerprint.match(/.{4}/g)!.join(' '));
      links.set(name, link);
    }
    await shoot(page, 'console-03-slips');
    // As printed: an A4 page less its 10 mm margins is 190 mm (718 CSS px) wide; nothing spills out of a slip.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 718, height: 1047 });
    await saveScreenshot(page, 'console-04-slips-print');
    const slipBoxes = await slips.evaluateAll((items) =>
      items.map((item) => {
        const box = item.getBoundingClientRect();
        const inner = [...item.querySelectorAll<HTMLElement>('*')];
        return {
          clipped: inner.some((el) => el.scrollWidth > el.clientWidth + 1),
          spills: inner.some((el) => el.getBoundingClientRect().bottom > box.bottom + 0.5),
          height: Math.round(box.height),
        };
      }),
    );
    expect(slipBoxes.map((s) => [s.clipped, s.spills, s.height])).toEqual(Array(8).fill([false, false, 257])); // 68 mm: four rows fill the page
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize(DESK);
    await page.getByRole('button', { name: '返回会议' }).click();
    await page.getByRole('heading', { name: '第一党支部党员大会', level: 1 }).waitFor();

    // ---- the old room code no longer checks anyone in; five members check in with the new one ----
    await expect(checkInSlip(t, { link: links.get('党员甲')! }, firstCode)).rejects.toMatchObject({ code: 'room_code' });
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const live = (field: string) => page.locator(`.live-table tr[data-poll="${pollId}"] [data-field="${field}"]`);
    expect(await live('expected').textContent()).toBe('7'); // full members only
    const devices = new Map<string, Device>();
    for (const name of ['党员甲', '党员乙', '党员丙', '党员丁', '党员戊']) devices.set(name, await checkInSlip(t, { link: links.get(name)! }, roomCode));
    await expect.poll(() => live('checked-in').textContent(), { timeout: 10_000 }).toBe('5');
    expect(await live('quorum').textContent()).toBe('可以开会（到会需 4 人）');
    expect(await live('head-count').textContent()).toBe('—');

    // ---- the sign-in sheet: who is missing, for the chair to read aloud ----
    const sheet = card.locator('.sign-in-sheet');
    await expect.poll(() => sheet.locator('[data-figure="checked-in"]').textContent(), { timeout: 10_000 }).toBe('5 人');
    expect(await sheet.locator('[data-figure="absent"]').textContent()).toBe('1 人');
    expect(await sheet.locator('[data-figure="written"]').textContent()).toBe('1 人');
    await sheet.getByRole('heading', { name: '未签到名单（1 人）' }).waitFor();
    expect(await sheet.locator('[data-list="absent"] li').allTextContents()).toEqual(['党员己（2021006）']);
    await sheet.getByText('完整签到表（7 人）').click();
    expect(await sheet.locator('tr[data-voter="2021007"] td').last().textContent()).toBe('提交了书面意见');
    expect(await sheet.locator('tr[data-voter="2021001"] td').last().textContent()).toBe('已签到，等待开始投票');
    await shootBoth(page, '05-check-in');

    // ---- opening voting: too low a count is refused, with the reason ----
    await page.getByRole('button', { name: '开始投票' }).click();
    const opening = page.getByRole('dialog', { name: '开始投票？' });
    const pollOpening = opening.locator(`fieldset[data-poll="${pollId}"]`);
    await pollOpening.getByText('应到 7 人：已签到 5 人，未签到 1 人，书面意见 1 人。').waitFor();
    await opening.getByText('到会有表决权的正式党员人数，不含列席、预备党员、候选人、书面意见人。').waitFor();
    await opening.getByText('发放选票凭证用的签名私钥随即销毁', { exact: false }).waitFor();
    await opening.getByText('所有已签到且没有被划去的人同时领到选票凭证', { exact: false }).waitFor();
    // 4 of 7 reach the quorum (a count below it keeps the button from being offered at all).
    await pollOpening.getByLabel('清点人数', { exact: true }).fill('4');
    const moreCheckedIn = '签到 5 人，多于清点到会的 4 人：有人签到了却不在会场。请监票人划去不在会场的人的签到，或者重新清点。';
    await pollOpening.getByText(moreCheckedIn).waitFor(); // said while typing
    await shoot(page, 'console-06-opening-too-low', { fullPage: false });
    await opening.getByRole('button', { name: '开始投票' }).click(); // sent anyway: the server refuses
    await expect.poll(() => opening.getByRole('alert').textContent(), { timeout: 10_000 }).toBe(`没有开始投票：${moreCheckedIn}`);
    expect((await org.call('GET', `/api/polls/${pollId}`)).body.phase).toBe('checkin');
    // More counted than checked in needs a note.
    await pollOpening.getByLabel('清点人数', { exact: true }).fill('6');
    await pollOpening.getByText('清点到会 6 人，多于签到的 5 人：请在说明中写明原因（例如有人没带手机，未能签到）。').waitFor();

    // ---- the scrutineers strike 党员戊 (checked in, not in the room); four are counted ----
    await pollOpening.getByLabel('清点人数', { exact: true }).fill('4');
    await pollOpening.getByRole('checkbox', { name: '党员戊（2021005）' }).check();
    await pollOpening.getByText('签到 5 人，划去 1 人，余 4 人；清点到会 4 人。').waitFor();
    await pollOpening.getByText('到会 4 人，超过应到会人数 7 人的半数，可以开会。').waitFor();
    await shootBoth(page, '07-opening', { fullPage: false });
    await opening.getByRole('button', { name: '开始投票' }).click();
    await opening.waitFor({ state: 'hidden' });
    await expect.poll(() => live('head-count').textContent(), { timeout: 10_000 }).toBe('4');
    expect(await live('phase').textContent()).toBe('投票中');
    const audit = (await org.call('GET', `/api/meetings/${meetingId}/audit`)).body.entries as { action: string; details: string }[];
    expect(JSON.parse(audit.find((e) => e.action === 'open_voting')!.details)).toMatchObject({ headCount: 4, checkedIn: 4, struck: 1, struckVoters: [{ name: '党员戊' }] });

    // ---- the devices: four hold their ballot tokens, 党员戊's check-in was struck ----
    for (const [name, device] of devices) expect([name, await collect(device)]).toEqual([name, name === '党员戊' ? { ready: [], waiting: [], lost: [pollId], struck: [pollId] } : { ready: [pollId], waiting: [], lost: [], struck: [] }]);
    expect(tokensOf(devices.get('党员甲')!, pollId)).toHaveLength(2); // one per candidate
    await sheet.locator('tr[data-voter="2021005"][data-state="struck"]').waitFor();
    expect(await sheet.locator('tr[data-voter="2021005"] td').last().textContent()).toBe('签到已划去（清点时不在会场）');

    // ---- three submit; the panel follows without a reload ----
    await castAll(devices.get('党员甲')!, pollId, () => 'agree');
    await castAll(devices.get('党员乙')!, pollId, (q) => (q === 'c1' ? 'agree' : 'disagree'));
    await castAll(devices.get('党员丙')!, pollId, (q) => (q === 'c1' ? 'agree' : 'abstain'));
    await expect.poll(() => live('submitted').textContent(), { timeout: 10_000 }).toBe('3');
    expect(await live('not-submitted').textContent()).toBe('1');
    const voting = card.locator('.voting-facts');
    expect(await voting.locator('[data-figure="submitted"]').textContent()).toBe('3 人');
    expect(await voting.locator('[data-figure="not-submitted"]').textContent()).toBe('1 人');
    expect(await page.locator('.result').count()).toBe(0); // turnout only, never a count of choices

    // ---- how many said they did not vote: 2 would not add up (3 submitted > 4 − 2), 1 does ----
    await voting.getByLabel('当场声明未投票的人数').fill('2');
    await voting.getByRole('button', { name: '录入' }).click();
    await voting.getByText('当场声明未投票：2 人').waitFor();
    const mismatch = voting.locator('[data-warning="mismatch"]');
    await expect.poll(() => mismatch.textContent(), { timeout: 10_000 }).toBe('已提交选票 3 人，多于已签到 4 人减去当场声明未投票 2 人（即 2 人）：请监票人核对。');
    await shoot(page, 'console-08-voting-mismatch');
    await voting.getByLabel('当场声明未投票的人数').fill('1');
    await voting.getByRole('button', { name: '录入' }).click();
    await voting.getByText('当场声明未投票：1 人').waitFor();
    await mismatch.waitFor({ state: 'detached' });
    expect((await org.call('GET', `/api/polls/${pollId}`)).body.turnout).toMatchObject({ checkedIn: 4, submitted: 3, headCount: 4, declaredNotVoted: 1, refusedOverIssued: 0 });
    await voting.getByLabel('当场声明未投票的人数').fill('一');
    await voting.getByRole('button', { name: '录入' }).click();
    await voting.getByText('请填写一个不小于 0 的整数，或者留空。').waitFor();
    await voting.getByLabel('当场声明未投票的人数').fill('1');
    await shootBoth(page, '09-voting');

    // ---- close: the dialog says what happens ----
    await page.getByRole('button', { name: '结束投票并计票' }).click();
    const closeDialog = page.getByRole('dialog', { name: '结束投票并计票？' });
    await closeDialog.getByText('不再接收任何选票（目前已有 3 人提交选票）；尚未提交的人将不能再提交。').waitFor();
    await closeDialog.getByText('此操作不可撤销。').waitFor();
    await closeDialog.getByRole('button', { name: '结束投票并计票' }).click();
    await closeDialog.waitFor({ state: 'hidden' });

    // ---- the result: the verdicts and the facts of the v2 bundle ----
    const verdicts = card.locator('.result .verdict');
    await expect.poll(() => verdicts.count(), { timeout: 10_000 }).toBe(2);
    const [wang, zhao] = await verdicts.allTextContents();
    expect(wang).toMatch(/^王小明：.*通过/);
    expect(zhao).toMatch(/^赵小红：.*未/);
    expect(await card.locator('.result .counts').allTextContents()).toEqual(['同意 4，不同意 0，弃权 0', '同意 2，不同意 1，弃权 1']);
    const fact = (field: string) => card.locator(`.result-facts [data-fact="${field}"]`).textContent();
    expect({
      expected: await fact('expected'),
      headCount: await fact('head-count'),
      checkedIn: await fact('checked-in'),
      struck: await fact('struck'),
      late: await fact('late'),
      present: await fact('present'),
      written: await fact('written'),
      submitted: await fact('submitted'),
      ballots: await fact('ballots'),
      declared: await fact('declared'),
      refused: await fact('refused'),
    }).toEqual({
      expected: '7 人',
      headCount: '4 人',
      checkedIn: '4 人',
      struck: '1 人',
      late: '0 人',
      present: '4 人',
      written: '1 人',
      submitted: '3 人',
      ballots: '6 张，无效票 0 张',
      declared: '1 人',
      refused: '0 次',
    });
    const download = page.waitForEvent('download');
    await card.getByRole('link', { name: '下载签名计票包（JSON）' }).click();
    const bundle = JSON.parse(await (await (await download).createReadStream()).toArray().then((parts) => Buffer.concat(parts).toString('utf8')));
    expect(bundle.format).toBe('anon-ballot-bundle/v2');
    expect(bundle.electorate).toMatchObject({ headCount: 4, struck: 1, submitted: 3, declaredNotVoted: 1 });
    await shootBoth(page, '10-result');

    // ---- publish ----
    await expect(createVoterApi(url).bundle(pollId)).rejects.toBeInstanceOf(ApiError);
    await page.getByRole('button', { name: '公布结果' }).click();
    const publishDialog = page.getByRole('dialog', { name: '公布结果？' });
    await publishDialog.getByRole('button', { name: '公布结果' }).click();
    await publishDialog.waitFor({ state: 'hidden' });
    await card.getByText('已公布').waitFor();
    expect((await createVoterApi(url).bundle(pollId)).format).toBe('anon-ballot-bundle/v2');

    // ---- the same screen in English ----
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Live' }).waitFor();
    await card.getByText('Counted in the room').waitFor();
    await shoot(page, 'console-11-published-en');
    await page.getByRole('button', { name: '中文' }).click();

    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says before opening that the meeting cannot be held; reprints one slip, revoking the old code, and says so first', { timeout: 60_000 }, async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '补打测试' })).body as { id: string };
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: '党员甲', number: '1' }] });
    await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '王小明' }] });
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const first = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips[0].code as string;

    const { context, page, problems } = await signInToConsole(harness.browser, url, 'secretary');
    await page.getByRole('link', { name: '补打测试' }).click();
    // Nobody has checked in: a head count of 0 is accepted by the checks, and the dialog says the meeting cannot be held.
    await page.getByRole('button', { name: '开始投票' }).click();
    const opening = page.getByRole('dialog', { name: '开始投票？' });
    await opening.getByText('还没有人签到。').waitFor();
    await opening.getByLabel('清点人数', { exact: true }).fill('0');
    await opening.getByText('到会 0 人，未超过应到会人数 1 人的半数，不能开会，不能开始投票：会议改期。', { exact: false }).waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    // Voting cannot open: the button is not offered (the server refuses it too: test/api/vote-kinds.test.ts).
    expect(await opening.getByRole('button', { name: '开始投票' }).isDisabled()).toBe(true);
    expect((await org.call('GET', `/api/meetings/${meeting.id}`)).body.polls[0].phase).toBe('checkin');
    // The rescheduling goes into the meeting's record; the poll waits for the next meeting.
    await opening.getByRole('button', { name: '记录会议改期' }).click();
    await opening.locator('[data-rescheduled]').getByText('已记入会议记录：清点到会 0 人，未达到开会所需的 1 人（应到会 1 人），会议改期。', { exact: false }).waitFor();
    await shoot(page, 'console-29-rescheduled', { fullPage: false });
    const audit = (await org.call('GET', `/api/meetings/${meeting.id}/audit`)).body.entries.map((e: { action: string }) => e.action);
    expect(audit).toContain('meeting_rescheduled');
    await opening.getByRole('button', { name: '取消' }).click();
    await opening.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: '补打凭条' }).click();
    const dialog = page.getByRole('dialog', { name: '为 党员甲 补打凭条？' });
    await dialog.getByText('将为 党员甲 生成新的投票码，旧凭条立即作废。').waitFor();
    await dialog.getByRole('button', { name: '补打凭条' }).click();
    await page.getByRole('heading', { name: '投票凭条', level: 1 }).waitFor();
    const second = (await page.locator('.slip-code').textContent())!;
    expect(second).not.toBe(first);
    const api = createVoterApi(url);
    await expect(api.lookup(first)).rejects.toMatchObject({ code: 'unknown_code' });
    expect((await api.lookup(second)).voter.name).toBe('党员甲');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('leaves a member out of the expected count and enters a written opinion, with the server refusing what the rules forbid; a lost refresh keeps the numbers', { timeout: 60_000 }, async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '书面意见测试' })).body as { id: string };
    const voters = ['党员甲', '党员乙', '党员丙', '党员丁'].map((name, i) => ({ name, number: `30${i}` }));
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters });
    const poll = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '王小明' }] })).body as { id: string };

    const { context, page, problems } = await signInToConsole(harness.browser, url, 'secretary', `/console?meeting=${meeting.id}`);
    await page.getByRole('heading', { name: '书面意见测试', level: 1 }).waitFor();
    const expected = page.locator(`.live-table tr[data-poll="${poll.id}"] [data-field="expected"]`);
    expect(await expected.textContent()).toBe('4');

    // ---- 党员丁 is abroad: left out of the expected count, with the reason and the approver ----
    const ding = page.locator('tr[data-voter="303"]');
    await ding.getByRole('button', { name: '不计算在应到会人数之内' }).click();
    await page.getByLabel('原因').fill('出国交流半年以上');
    await page.getByLabel('批准人').fill('党委组织部');
    await shoot(page, 'console-20-exclude-form');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await ding.getByText('不计算在应到会人数之内：出国交流半年以上（党委组织部 批准）').waitFor();
    await expect.poll(() => expected.textContent(), { timeout: 10_000 }).toBe('3');

    // ---- 党员丙 cannot attend and sent a written opinion ----
    const card = page.locator('article.poll-card');
    await card.getByRole('heading', { name: '书面意见（因故不能到会的有表决权的正式党员）' }).waitFor();
    await card.getByLabel('提交书面意见的人').selectOption({ label: '党员丙（302）' });
    await card.getByRole('button', { name: '录入书面意见' }).click(); // no choice made yet
    await expect.poll(() => card.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('填写的内容不符合要求。（服务器说明：question c1 is not answered）');
    await card.getByRole('group', { name: '王小明' }).getByRole('radio', { name: '同意', exact: true }).check();
    await card.getByRole('button', { name: '录入书面意见' }).click();
    await card.getByText('党员丙：王小明 同意').waitFor();
    expect((await org.call('GET', `/api/polls/${poll.id}/record`)).body.writtenOpinions).toMatchObject([{ name: '党员丙', choices: { c1: 'agree' } }]);
    await shoot(page, 'console-21-written-opinion');

    // ---- an excluded member cannot also give a written opinion: the server's reason is shown ----
    await card.getByLabel('提交书面意见的人').selectOption({ label: '党员丁（303）' });
    await card.getByRole('group', { name: '王小明' }).getByRole('radio', { name: '同意', exact: true }).check();
    await card.getByRole('button', { name: '录入书面意见' }).click();
    await expect.poll(() => card.getByRole('alert').textContent(), { timeout: 10_000 }).toBe('与已有数据冲突。（服务器说明：党员丁 is excluded from the expected count）');

    // ---- the poll form shows each kind's rule with its defaults, in the organizer's words ----
    await page.getByLabel('表决类型').selectOption('league_recommendation');
    expect(await page.getByLabel('推荐名额（占支部人数的百分比）').inputValue()).toBe('20');
    await page.getByLabel('表决类型').selectOption('three_evaluations');
    await page.getByLabel('候选人（每行一人：姓名,学号）').waitFor();
    expect(await page.getByLabel('小组平均分公布的最少评分人数').inputValue()).toBe('3');
    expect(await page.getByLabel('表决类型').locator('option').allTextContents()).toContain('发展对象民主测评');
    await shoot(page, 'console-22-poll-form-three-evaluations');

    // ---- counted again ----
    await ding.getByRole('button', { name: '重新计算在内' }).click();
    await ding.getByText('计算在内', { exact: true }).waitFor();
    await expect.poll(() => expected.textContent(), { timeout: 10_000 }).toBe('4');

    // ---- the server out of reach for a moment: the panel keeps its numbers and says so ----
    const meetingRoute = `${url}/api/meetings/${meeting.id}`;
    await page.route(meetingRoute, (route) => route.abort('connectionrefused'));
    const outage = page.getByRole('alert').filter({ hasText: '连不上服务器，请检查网络后重试。' });
    await outage.waitFor();
    expect(await expected.textContent()).toBe('4');
    await page.unroute(meetingRoute);
    await outage.waitFor({ state: 'detached' });

    // ---- a narrow screen: nothing is wider than the screen ----
    await page.setViewportSize(NARROW);
    await shoot(page, 'console-23-meeting-draft-narrow');
    await page.setViewportSize(DESK);

    // ---- a roster file with only the name and number columns: full members of the default group ----
    await page.getByLabel('选择 CSV 文件').setInputFiles({ name: '补充名单.csv', mimeType: 'text/csv', buffer: Buffer.from('\uFEFF姓名,学号\r\n党员戊,304\r\n', 'utf8') });
    await page.getByText('预览：可导入 1 人，发现 0 个问题').waitFor();
    await page.getByRole('button', { name: '导入 1 人' }).click();
    await page.getByRole('heading', { name: '名单（5 人）' }).waitFor();
    await expect.poll(() => expected.textContent(), { timeout: 10_000 }).toBe('5');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('with two polls, opens one on its own with its head count, then the other; closes one while the other stays open; a refused submission is said loudly', { timeout: 90_000 }, async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '两项表决' })).body as { id: string };
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: '党员甲', number: '401' }, { name: '党员乙', number: '402' }] });
    const first = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收张三', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] })).body as { id: string };
    const second = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收李四', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '李四' }] })).body as { id: string };
    expect((await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' })).status).toBe(200);
    const slips = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips as { link: string }[];
    const roomCode = (await org.call('GET', `/api/meetings/${meeting.id}/room-code`)).body.roomCode as string;
    const device = await checkInSlip(t, slips[0]!, roomCode);
    await checkInSlip(t, slips[1]!, roomCode); // both present: more than half of the two

    const { context, page, problems } = await signInToConsole(harness.browser, url, 'secretary', `/console?meeting=${meeting.id}`);
    const firstCard = page.locator(`article[data-poll="${first.id}"]`);
    const secondCard = page.locator(`article[data-poll="${second.id}"]`);
    const phase = (id: string) => page.locator(`.live-table tr[data-poll="${id}"] [data-field="phase"]`);

    // ---- the first poll alone: its own dialog, its own head count ----
    await firstCard.getByRole('button', { name: '仅此项：开始投票' }).click();
    const opening = page.getByRole('dialog', { name: '开始投票？' });
    await opening.getByText('涉及的表决事项：接收张三。').waitFor();
    expect(await opening.locator('fieldset.opening-poll').count()).toBe(1);
    await opening.getByLabel('清点人数', { exact: true }).fill('2');
    await opening.getByText('签到 2 人，划去 0 人，余 2 人；清点到会 2 人。').waitFor();
    await opening.getByRole('button', { name: '开始投票' }).click();
    await opening.waitFor({ state: 'hidden' });
    await expect.poll(() => phase(first.id).textContent(), { timeout: 10_000 }).toBe('投票中');
    expect(await phase(second.id).textContent()).toBe('签到中');

    // ---- the meeting's button now opens the other one, with its own count ----
    await page.getByRole('button', { name: '开始投票', exact: true }).click();
    await opening.getByText('涉及的表决事项：接收李四。').waitFor();
    await opening.getByLabel('清点人数', { exact: true }).fill('2');
    await shoot(page, 'console-30-opening-second', { fullPage: false });
    await opening.getByRole('button', { name: '开始投票' }).click();
    await opening.waitFor({ state: 'hidden' });
    await expect.poll(() => phase(second.id).textContent(), { timeout: 10_000 }).toBe('投票中');
    expect((await org.call('GET', `/api/polls/${second.id}`)).body.turnout).toMatchObject({ headCount: 2, checkedIn: 2 });
    expect((await collect(device)).ready.sort()).toEqual([first.id, second.id].sort());

    // ---- a submission the ballot box refused (over_issued) is said loudly; simulated in the database, as it cannot happen honestly ----
    t.deps.db.$client.prepare('UPDATE polls SET refused_over_issued = 1 WHERE id = ?').run(second.id);
    await secondCard.locator('[data-warning="refused"]').getByText('选票箱拒收了 1 次提交', { exact: false }).waitFor();

    // ---- close the first alone ----
    await firstCard.getByRole('button', { name: '仅此项：结束投票并计票' }).click();
    const dialog = page.getByRole('dialog', { name: '结束投票并计票？' });
    await dialog.getByText('涉及的表决事项：接收张三。').waitFor();
    await dialog.getByRole('button', { name: '结束投票并计票' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await firstCard.locator('.result .verdict').waitFor();
    await expect.poll(() => phase(first.id).textContent(), { timeout: 10_000 }).toBe('已计票');
    expect(await phase(second.id).textContent()).toBe('投票中');
    await firstCard.locator('.result-facts [data-fact="head-count"]').getByText('2 人').waitFor();
    await shoot(page, 'console-31-one-closed');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('still reads the result of a poll closed before protocol v2 (a v1 bundle)', { timeout: 60_000 }, async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '旧版计票包' })).body as { id: string };
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: '党员甲', number: '501' }, { name: '党员乙', number: '502' }, { name: '党员丙', number: '503' }] });
    const poll = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收王五', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '王五' }] })).body as { id: string };
    for (const body of [{ to: 'checkin' }, { to: 'voting', headCount: 2, headCountNote: '两人到会，未用手机签到' }, { to: 'closed' }])
      expect((await org.call('POST', `/api/polls/${poll.id}/transition`, body)).status).toBe(200);
    // The poll as an installation before v2 stored it: one key per group, ballots answering every question.
    const v2 = (await org.call('GET', `/api/polls/${poll.id}/bundle`)).body;
    const v1 = {
      format: 'anon-ballot-bundle/v1',
      poll: { id: v2.poll.id, meetingId: v2.poll.meetingId, title: v2.poll.title, kind: v2.poll.kind, questions: v2.poll.questions, rule: v2.poll.rule },
      electorate: { expected: 3, checkedIn: 2, issued: { members: 2 } },
      tokenKeys: [],
      ballots: [],
      writtenOpinions: [{ questionId: 'c1', choice: 'agree' }],
      exclusions: [],
      scrutineers: [],
      result: { ...v2.result, ballotsCast: 2 },
      closedAt: v2.closedAt,
      signer: v2.signer,
      signature: v2.signature,
    };
    t.deps.db.$client.prepare('UPDATE polls SET bundle = ? WHERE id = ?').run(JSON.stringify(v1), poll.id);

    const { context, page, problems } = await signInToConsole(harness.browser, url, 'secretary', `/console?meeting=${meeting.id}`);
    const card = page.locator(`article[data-poll="${poll.id}"]`);
    await card.locator('[data-format="v1"]').getByText('应到 3 人，实到 2 人，收回选票 2 张，书面意见 1 份。').waitFor();
    await card.getByText('此表决事项按旧版计票包（v1）记录。').waitFor();
    expect(await card.locator('.result-facts').count()).toBe(0);
    await card.locator('.result .verdict').first().waitFor();
    await shoot(page, 'console-32-v1-result');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('after five failed sign-ins says, in Chinese, that for 15 minutes even the right password is refused from this network but a browser that signed in before is not (in English on request), none of the server’s English; another account still signs in from here', async () => {
    const context = await harness.browser.newContext({ viewport: NARROW });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${url}/console`);
    const signInAs = (username: string, password: string) => submitSignIn(page, username, password);
    for (let i = 0; i < 5; i++) expect((await signInAs('treasurer', `guess ${i}`)).status()).toBe(401);
    const refused = await signInAs('treasurer', 'guess 5');
    expect(refused.status()).toBe(429);
    const { error } = await refused.json();
    expect(refused.headers()['retry-after']).toBe(String(error.retryAfterSeconds));
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe(TOO_MANY_ZH);
    expect(await alert.textContent()).not.toMatch(/[a-z]/i);
    await shoot(page, 'console-33-sign-in-too-many');

    await page.getByRole('button', { name: 'English' }).click();
    expect((await signInAs('treasurer', 'guess 6')).status()).toBe(429);
    await expect.poll(() => alert.textContent()).toBe(TOO_MANY_EN);
    // Counted per account and address: the secretary at the same desk is not refused.
    expect((await signInAs('secretary', ORGANIZER_PASSWORD)).status()).toBe(200);
    await page.getByRole('heading', { name: 'My meetings' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses the right password from a browser after others’ failures, saying so and that the owner’s usual browser still signs in; it does, at 1366×768', async () => {
    seedUser(t, 'deputy');
    // The deputy's usual computer: signed in to the account before (it keeps the server's device cookie), then signed out.
    const usual = await signInToConsole(harness.browser, url, 'deputy');
    await usual.page.getByRole('button', { name: '退出登录' }).click();
    await usual.page.getByRole('heading', { name: '登录会议控制台' }).waitFor();

    // Someone else, on the same network, guesses the deputy's password five times.
    const context = await harness.browser.newContext({ viewport: { width: 1366, height: 768 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${url}/console`);
    for (let i = 0; i < 5; i++) expect((await submitSignIn(page, 'deputy', `guess ${i}`)).status()).toBe(401);
    // Now even the right password is refused from this browser, and the page says why and what still works.
    expect((await submitSignIn(page, 'deputy', ORGANIZER_PASSWORD)).status()).toBe(429);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(TOO_MANY_ZH);
    await shoot(page, 'console-34-sign-in-refused-1366');

    // The usual computer is counted only for itself: it signs in.
    expect((await submitSignIn(usual.page, 'deputy', ORGANIZER_PASSWORD)).status()).toBe(200);
    await usual.page.getByText('已登录：deputy').waitFor();
    expect([...problems, ...usual.problems]).toEqual([]);
    await context.close();
    await usual.context.close();
  });
});
