/**
 * The organizer console in a real browser, against the real server serving the built client
 * with its production Content-Security-Policy. A branch secretary signs in and runs a whole
 * acceptance meeting: creates it, imports a roster with one bad line (shown with its line, then
 * skipped), creates a member_acceptance poll with two candidates, names the scrutineers, opens
 * check-in, prints the slips (their QR codes hold the voting links), three members check in
 * and vote on their phones through the links of their slips, and the secretary opens voting,
 * closes and publishes, each after a confirmation that says what will happen; the verdicts
 * appear with their sentences. The live panel follows check-in and casting without a reload.
 * Every console screen passes axe-core and is saved as a screenshot.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { qrPath } from '../../client/src/qr.ts';
import { accessibilityViolations, inspectScreen, newPhoneContext, saveScreenshot, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { ORGANIZER_PASSWORD, organizerClient, type TestServer } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });
let t: TestServer;
let url: string;
beforeAll(() => {
  t = harness.t;
  url = harness.server.url;
});

const DESK = { width: 1280, height: 900 };

/** Screenshot, then axe-core: zero violations, nothing wider than the screen. */
async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, `console-${name}`)).toEqual([]);
}

const ROSTER = [
  '姓名,学号/工号,组别,身份',
  '党员甲,2021001,members,正式',
  '党员乙,2021002,members,正式',
  '群众丙,2021009,members,群众', // line 4: not a member status
  '党员丁,2021003,members,正式',
  '"预备,戊",2021004,members,预备',
].join('\n');

/** A member's phone opens the link of their slip, checks in, and later votes. */
async function checkInOnPhone(context: BrowserContext, link: string) {
  const page = await context.newPage();
  await page.goto(`${url}/vote${new URL(link).hash}`);
  await page.getByRole('heading', { name: '已签到' }).waitFor();
  return page;
}

async function voteOnPhone(page: Page, choices: Record<string, '同意' | '不同意' | '弃权'>) {
  for (const [candidate, choice] of Object.entries(choices))
    await page.getByRole('group', { name: candidate }).getByRole('radio', { name: choice, exact: true }).check({ timeout: 15_000 });
  await page.getByRole('button', { name: '下一步：核对选票' }).click();
  await page.getByRole('button', { name: '投出选票' }).click();
  await page.getByRole('heading', { name: '投票完成' }).waitFor();
}

describe('the organizer console', () => {
  it('runs an acceptance meeting from sign-in to published verdicts', { timeout: 180_000 }, async () => {
    const context = await harness.browser.newContext({ viewport: DESK });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const org = await organizerClient(t); // the test's own view of the server

    // ---- sign in: a wrong password is refused with a clear message ----
    await page.goto(`${url}/console`);
    await page.getByRole('heading', { name: '组织者登录' }).waitFor();
    await shoot(page, '01-sign-in');
    await page.getByLabel('用户名').fill('secretary');
    await page.getByLabel('密码').fill('wrong password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('用户名或密码不正确');
    await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '我的会议' }).waitFor();
    await shoot(page, '02-meetings-empty');
    // A reload keeps the session (GET /api/session).
    await page.reload();
    await page.getByRole('heading', { name: '我的会议' }).waitFor();

    // ---- create the meeting ----
    await page.getByLabel('会议名称').fill('第一党支部党员大会');
    await page.getByRole('button', { name: '创建会议' }).click();
    await page.getByRole('heading', { name: '第一党支部党员大会', level: 1 }).waitFor();
    const meetingId = new URL(page.url()).searchParams.get('meeting')!;
    expect(meetingId).toMatch(/^[a-z0-9]{16}$/);
    await shoot(page, '03-meeting-new');

    // ---- roster: the bad line is shown with its number, and nothing is saved ----
    await page.getByLabel('或粘贴名单').fill(ROSTER);
    const errors = page.locator('.error-lines li');
    await expect.poll(() => errors.allTextContents()).toEqual(['第 4 行：身份“群众”无法识别，应为“正式”或“预备”']);
    await page.getByText('预览：可导入 4 人，发现 1 个问题').waitFor();
    const save = page.getByRole('button', { name: '导入 4 人' });
    expect(await save.isDisabled()).toBe(true);
    await shoot(page, '04-import-error');
    expect((await org.call('GET', `/api/meetings/${meetingId}/voters`)).body.voters).toEqual([]);
    await page.getByLabel('跳过有问题的 1 行，只导入其余的人').check();
    await save.click();
    await page.getByText('已导入 4 人。').waitFor();
    await page.getByRole('heading', { name: '名单（4 人）' }).waitFor();
    const roster = (await org.call('GET', `/api/meetings/${meetingId}/voters`)).body.voters as { id: string; name: string; number: string; status: string }[];
    expect(roster.map((v) => [v.name, v.number, v.status])).toEqual([
      ['党员甲', '2021001', 'full'],
      ['党员乙', '2021002', 'full'],
      ['党员丁', '2021003', 'full'],
      ['预备,戊', '2021004', 'probationary'],
    ]);
    // Importing the same people again is caught in the preview, against the saved roster.
    await page.getByLabel('或粘贴名单').fill('党员甲,2021001,members,正式');
    await expect.poll(() => errors.allTextContents()).toEqual(['第 1 行：学号/工号 2021001 已在名单中']);
    await page.getByLabel('或粘贴名单').fill('');

    // ---- the poll: a kind, its rule with the defaults, two candidates ----
    expect(await page.getByLabel('表决类型').inputValue()).toBe('member_acceptance');
    await page.locator('#rule-quorum-fraction').waitFor();
    expect(await page.locator('#rule-pass-base').inputValue()).toBe('expected');
    expect(await page.locator('#rule-pass-comparison').inputValue()).toBe('more_than');
    expect(await page.locator('#rule-pass-fraction').inputValue()).toBe('1/2');
    await page.getByLabel('候选人（每行一人）').fill('王小明\n赵小红');
    expect(await page.getByLabel('公示期（工作日，默认 5 天）').inputValue()).toBe('5');
    await page.getByLabel('公示期（工作日，默认 5 天）').fill('7');
    await shoot(page, '05-poll-form');
    await page.getByRole('button', { name: '创建表决事项' }).click();
    const card = page.locator('article.poll-card');
    await card.getByRole('heading', { name: '接收预备党员' }).waitFor();
    await card.getByText('候选人：王小明、赵小红').waitFor();
    await card.getByLabel('监票人（多人用顿号或逗号分隔）').fill('监票员甲');
    // An account in brackets is sent for co-signing; the server refuses one that is not a scrutineer's.
    await card.getByLabel('计票人').fill('计票员乙（counter.b）');
    await card.getByRole('button', { name: '保存监票人、计票人' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toBe('填写的内容不符合要求。（服务器说明：counter.b is not a scrutineer account of this unit）');
    await card.getByLabel('计票人').fill('计票员乙');
    await card.getByRole('button', { name: '保存监票人、计票人' }).click();
    await card.getByText('已保存').waitFor();
    const pollId = (await card.getAttribute('data-poll'))!;
    expect((await org.call('GET', `/api/polls/${pollId}/record`)).body.scrutineers).toEqual([
      { name: '监票员甲', role: 'supervisor' },
      { name: '计票员乙', role: 'counter' },
    ]);
    await shoot(page, '06-poll-draft');

    // ---- open check-in, after a confirmation that says what it does ----
    await page.getByRole('button', { name: '开放签到' }).click();
    const dialog = page.getByRole('dialog', { name: '开放签到？' });
    await dialog.getByText('此后不能再增加、修改或删除表决事项和候选人').waitFor();
    await shoot(page, '07-confirm-checkin');
    await dialog.getByRole('button', { name: '开放签到' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`.live-table tr[data-poll="${pollId}"] td`).first().getByText('签到中').waitFor();
    expect(await page.getByRole('link', { name: '打开投影页面（新窗口）' }).getAttribute('href')).toBe(`/projector?meeting=${meetingId}`);

    // ---- slips: one per person, each QR code the voting link with the key fingerprints ----
    await page.getByRole('button', { name: '打印投票凭条' }).click();
    await page.getByRole('heading', { name: '投票凭条', level: 1 }).waitFor();
    const slips = page.locator('li.slip');
    expect(await slips.count()).toBe(4);
    expect(await page.locator('li.slip svg.slip-qr[role="img"]').count()).toBe(4);
    const { fingerprints } = (await org.call('GET', `/api/meetings/${meetingId}`)).body as { fingerprints: string[] };
    expect(fingerprints).toHaveLength(1);
    const links = new Map<string, string>();
    for (const slip of await slips.all()) {
      const name = (await slip.locator('.slip-name').textContent())!;
      const code = (await slip.locator('.slip-code').textContent())!;
      const link = `${url}/vote#m=${meetingId}&c=${code}&k=${fingerprints.join('.')}`;
      expect(await slip.locator('svg.slip-qr path').getAttribute('d')).toBe(qrPath(link).d);
      links.set(name, link);
    }
    expect([...links.keys()]).toEqual(['党员甲', '党员乙', '党员丁', '预备,戊']);
    await shoot(page, '08-slips');
    // As printed: an A4 page less its 10 mm margins is 190 mm (718 CSS px) wide.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 718, height: 1047 });
    await saveScreenshot(page, 'console-09-slips-print');
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: '打印' }).isVisible()).toBe(false);
    const slipBoxes = await slips.evaluateAll((items) =>
      items.map((item) => ({
        box: item.getBoundingClientRect(),
        clipped: [...item.querySelectorAll<HTMLElement>('*')].some((el) => el.scrollWidth > el.clientWidth + 1),
      })),
    );
    expect(slipBoxes.map((s) => s.clipped)).toEqual([false, false, false, false]);
    expect(new Set(slipBoxes.map((s) => Math.round(s.box.left))).size).toBe(2); // two slips to a row
    expect(Math.round(slipBoxes[0]!.box.height)).toBe(257); // 68 mm: four rows fill the page
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize(DESK);
    await page.getByRole('button', { name: '返回会议' }).click();
    await page.getByRole('heading', { name: '第一党支部党员大会', level: 1 }).waitFor();
    await page.locator('tr[data-voter="2021001"]').getByText('已生成').waitFor();

    // ---- three members check in on their phones; the panel follows without a reload ----
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const live = (field: string) => page.locator(`.live-table tr[data-poll="${pollId}"] [data-field="${field}"]`);
    expect(await live('expected').textContent()).toBe('3'); // full members only
    expect(await live('quorum').textContent()).toBe('未达到（需 2 人）');
    const phones = await Promise.all([0, 1, 2].map(() => newPhoneContext(harness.browser)));
    // The console is a lazy chunk: a voter's phone never downloads it.
    const phoneScripts: string[] = [];
    for (const phone of phones) phone.on('request', (request) => request.resourceType() === 'script' && phoneScripts.push(new URL(request.url()).pathname));
    const voterPages: Page[] = [];
    for (const [i, name] of ['党员甲', '党员乙', '党员丁'].entries()) voterPages.push(await checkInOnPhone(phones[i]!, links.get(name)!));
    await expect.poll(() => live('checked-in').textContent(), { timeout: 10_000 }).toBe('3');
    expect(phoneScripts.length).toBeGreaterThan(0);
    expect(phoneScripts.filter((path) => path.includes('console'))).toEqual([]);
    const consoleScripts = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.includes('console')));
    expect(consoleScripts.some((path) => /^\/assets\/console-.*\.js$/.test(path))).toBe(true); // the check above could fail
    expect(await live('quorum').textContent()).toBe('已达到（需 2 人）');
    expect(await live('ballots').textContent()).toBe('0');
    await shoot(page, '10-live-checked-in');

    // ---- open voting; they vote ----
    await page.getByRole('button', { name: '开始投票' }).click();
    const votingDialog = page.getByRole('dialog', { name: '开始投票？' });
    await votingDialog.getByText('所有已签到的人（目前 3 人）将同时可以投票。').waitFor();
    expect(await votingDialog.getByText('未达到法定人数', { exact: false }).count()).toBe(0);
    await shoot(page, '11-confirm-voting');
    await votingDialog.getByRole('button', { name: '开始投票' }).click();
    await votingDialog.waitFor({ state: 'hidden' });
    await voteOnPhone(voterPages[0]!, { 王小明: '同意', 赵小红: '同意' });
    await voteOnPhone(voterPages[1]!, { 王小明: '同意', 赵小红: '不同意' });
    await voteOnPhone(voterPages[2]!, { 王小明: '同意', 赵小红: '弃权' });
    await expect.poll(() => live('ballots').textContent(), { timeout: 10_000 }).toBe('3');
    // Turnout only, never a count of choices, while the poll is open.
    expect(await page.locator('.result').count()).toBe(0);
    await shoot(page, '12-live-voted');

    // ---- close: the dialog says the keys are destroyed and that it cannot be undone ----
    await page.getByRole('button', { name: '结束投票并计票' }).click();
    const closeDialog = page.getByRole('dialog', { name: '结束投票并计票？' });
    await closeDialog.getByText('系统立即计票，销毁签名私钥，并签署计票结果。').waitFor();
    await closeDialog.getByText('此操作不可撤销。').waitFor();
    await closeDialog.getByText('不再接收任何选票（目前已投 3 票）', { exact: false }).waitFor();
    await shoot(page, '13-confirm-close');
    await closeDialog.getByRole('button', { name: '结束投票并计票' }).click();
    await closeDialog.waitFor({ state: 'hidden' });

    const verdicts = page.locator('.result .verdict');
    await expect.poll(() => verdicts.allTextContents()).toEqual([
      '王小明：通过：同意 3 票，超过应到会有表决权正式党员 3 人的半数（需 2 票）',
      '赵小红：未通过：同意 1 票，未超过应到会有表决权正式党员 3 人的半数（需 2 票）',
    ]);
    expect(await page.locator('.result .counts').allTextContents()).toEqual(['同意 3，不同意 0，弃权 0', '同意 1，不同意 1，弃权 1']);
    await page.getByText('应到 3 人，实到 3 人，收回选票 3 张，书面意见 0 份。').waitFor();
    expect(await page.getByRole('link', { name: '计票单（可打印）' }).getAttribute('href')).toBe(`/tally-sheet?poll=${pollId}`);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: '下载签名计票包（JSON）' }).click();
    const bundle = JSON.parse(await (await (await download).createReadStream()).toArray().then((parts) => Buffer.concat(parts).toString('utf8')));
    expect(bundle.poll.id).toBe(pollId);
    expect(bundle.result.ballotsCast).toBe(3);
    await shoot(page, '14-result');

    // ---- publish ----
    await expect(createVoterApi(url).bundle(pollId)).rejects.toMatchObject({ status: 404 });
    await page.getByRole('button', { name: '公布结果' }).click();
    const publishDialog = page.getByRole('dialog', { name: '公布结果？' });
    await publishDialog.getByText('计票结果和签名的计票包将对所有人公开，任何人都可以核验。').waitFor();
    await shoot(page, '15-confirm-publish');
    await publishDialog.getByRole('button', { name: '公布结果' }).click();
    await publishDialog.waitFor({ state: 'hidden' });
    await card.getByText('已公布').waitFor();
    expect((await createVoterApi(url).bundle(pollId)).result.ballotsCast).toBe(3);
    const published = (await (await fetch(`${url}/api/public/polls`)).json()) as { polls: { id: string; publicityWorkingDays: number }[] };
    expect(published.polls.find((p) => p.id === pollId)?.publicityWorkingDays).toBe(7);
    await shoot(page, '16-published');

    // ---- the same screen in English ----
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Live' }).waitFor();
    await expect.poll(() => verdicts.first().textContent()).toBe(
      '王小明: Passed: 3 in favour, more than half of the 3 expected voting members (2 needed).',
    );
    await shoot(page, '17-published-en');

    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(problems).toEqual([]);
    for (const phone of phones) await phone.close();
    await context.close();
  });

  it('warns that voting would open without a quorum; reprints one slip, revoking the old code, and says so first', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '补打测试' })).body as { id: string };
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: '党员甲', number: '1' }] });
    await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '王小明' }] });
    await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' });
    const first = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips[0].code as string;

    const context = await harness.browser.newContext({ viewport: DESK });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${url}/console`);
    await page.getByLabel('用户名').fill('secretary');
    await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('link', { name: '补打测试' }).click();
    // Nobody has checked in: opening the vote is allowed, with the missing quorum said first.
    await page.getByRole('button', { name: '开始投票' }).click();
    const votingDialog = page.getByRole('dialog', { name: '开始投票？' });
    await votingDialog.getByText('注意：“接收”目前签到 0 人，未达到法定人数（需 1 人）。', { exact: false }).waitFor();
    await votingDialog.getByRole('button', { name: '取消' }).click();
    await votingDialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: '补打凭条' }).click();
    const dialog = page.getByRole('dialog', { name: '为 党员甲 补打凭条？' });
    await dialog.getByText('将为 党员甲 生成新的投票码，旧凭条立即作废。').waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
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
  it('leaves a member out of the expected count and enters a written opinion, with the server refusing what the rules forbid; a lost refresh keeps the numbers', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '书面意见测试' })).body as { id: string };
    const voters = ['党员甲', '党员乙', '党员丙', '党员丁'].map((name, i) => ({ name, number: `30${i}` }));
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters });
    const poll = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '王小明' }] })).body as { id: string };

    const context = await harness.browser.newContext({ viewport: DESK });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${url}/console?meeting=${meeting.id}`);
    await page.getByLabel('用户名').fill('secretary');
    await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '书面意见测试', level: 1 }).waitFor();
    const expected = page.locator(`.live-table tr[data-poll="${poll.id}"] [data-field="expected"]`);
    expect(await expected.textContent()).toBe('4');

    // ---- 党员丁 is abroad: left out of the expected count, with the reason and the approver ----
    const ding = page.locator('tr[data-voter="303"]');
    await ding.getByRole('button', { name: '不计入应到' }).click();
    await page.getByLabel('原因').fill('出国交流半年以上');
    await page.getByLabel('批准人').fill('党委组织部');
    await shoot(page, '20-exclude-form');
    await page.getByRole('button', { name: '保存', exact: true }).click();
    await ding.getByText('不计入：出国交流半年以上（党委组织部 批准）').waitFor();
    await expect.poll(() => expected.textContent()).toBe('3');

    // ---- 党员丙 is absent and sent a written opinion ----
    const card = page.locator('article.poll-card');
    await card.getByLabel('提交书面意见的人').selectOption({ label: '党员丙（302）' });
    await card.getByRole('button', { name: '录入书面意见' }).click(); // no choice made yet
    await expect.poll(() => card.getByRole('alert').textContent()).toContain('填写的内容不符合要求。（服务器说明：question c1 is not answered）');
    await card.getByRole('group', { name: '王小明' }).getByRole('radio', { name: '同意', exact: true }).check();
    await card.getByRole('button', { name: '录入书面意见' }).click();
    await card.getByText('党员丙：王小明 同意').waitFor();
    expect((await org.call('GET', `/api/polls/${poll.id}/record`)).body.writtenOpinions).toMatchObject([{ name: '党员丙', choices: { c1: 'agree' } }]);
    await shoot(page, '21-written-opinion');

    // ---- an excluded member cannot also give a written opinion: the server's reason is shown ----
    await card.getByLabel('提交书面意见的人').selectOption({ label: '党员丁（303）' });
    await card.getByRole('group', { name: '王小明' }).getByRole('radio', { name: '同意', exact: true }).check();
    await card.getByRole('button', { name: '录入书面意见' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toBe('与已有数据冲突。（服务器说明：党员丁 is excluded from the expected count）');
    await shoot(page, '22-written-opinion-refused');

    // ---- the poll form shows each kind's rule with its defaults ----
    await page.getByLabel('表决类型').selectOption('league_recommendation');
    expect(await page.getByLabel('推荐名额（占支部人数的百分比）').inputValue()).toBe('20');
    await page.getByLabel('最多推荐人数（默认：候选人数）').waitFor();
    await shoot(page, '23-poll-form-league');
    await page.getByLabel('表决类型').selectOption('three_evaluations');
    await page.getByLabel('候选人（每行一人：姓名,学号）').waitFor();
    await page.locator('.setting-row', { hasText: '评价项目' }).getByText('政治表现、日常表现、关键时刻表现、学习情况、社会实践').waitFor();
    expect(await page.getByLabel('小组平均分公布的最少评分人数').inputValue()).toBe('3');
    await shoot(page, '24-poll-form-three-evaluations');

    // ---- counted again ----
    await ding.getByRole('button', { name: '恢复计入' }).click();
    await ding.getByText('计入', { exact: true }).waitFor();
    await expect.poll(() => expected.textContent()).toBe('4');

    // ---- the server out of reach for a moment: the panel keeps its numbers and says so ----
    const meetingRoute = `${url}/api/meetings/${meeting.id}`;
    await page.route(meetingRoute, (route) => route.abort('connectionrefused'));
    const outage = page.getByRole('alert').filter({ hasText: '连不上服务器，请检查网络后重试。' });
    await outage.waitFor();
    expect(await expected.textContent()).toBe('4');
    await page.unroute(meetingRoute);
    await outage.waitFor({ state: 'detached' });

    // ---- on a tablet held upright, or a phone, nothing is wider than the screen ----
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, '25-meeting-narrow');

    // ---- a roster file with only the name and number columns: full members of the default group ----
    await page.setViewportSize(DESK);
    await page.getByLabel('选择 CSV 文件').setInputFiles({ name: '补充名单.csv', mimeType: 'text/csv', buffer: Buffer.from('\uFEFF姓名,学号\r\n党员戊,304\r\n', 'utf8') });
    await page.getByText('预览：可导入 1 人，发现 0 个问题').waitFor();
    await page.getByRole('button', { name: '导入 1 人' }).click();
    await page.getByRole('heading', { name: '名单（5 人）' }).waitFor();
    await page.locator('tr[data-voter="304"]').getByText('正式').waitFor();
    await expect.poll(() => expected.textContent()).toBe('5');
    expect(problems).toEqual([]);
    await context.close();
  });
  it('with two polls, closes one on its own while the other stays open', async () => {
    const org = await organizerClient(t);
    const meeting = (await org.call('POST', '/api/meetings', { title: '两项表决' })).body as { id: string };
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, { voters: [{ name: '党员甲', number: '401' }, { name: '党员乙', number: '402' }] });
    const first = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收张三', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] })).body as { id: string };
    const second = (await org.call('POST', `/api/meetings/${meeting.id}/polls`, { title: '接收李四', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '李四' }] })).body as { id: string };
    for (const to of ['checkin', 'voting']) expect((await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to })).status).toBe(200);

    const context = await harness.browser.newContext({ viewport: DESK });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${url}/console?meeting=${meeting.id}`);
    await page.getByLabel('用户名').fill('secretary');
    await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    const firstCard = page.locator(`article[data-poll="${first.id}"]`);
    await firstCard.getByRole('button', { name: '仅此项：结束投票并计票' }).click();
    const dialog = page.getByRole('dialog', { name: '结束投票并计票？' });
    await dialog.getByText('涉及的表决事项：接收张三。').waitFor();
    await shoot(page, '30-confirm-close-one');
    await dialog.getByRole('button', { name: '结束投票并计票' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await firstCard.locator('.result .verdict').waitFor();
    expect(await firstCard.locator('.result .verdict').textContent()).toContain('张三：不足法定人数');
    const phase = (id: string) => page.locator(`.live-table tr[data-poll="${id}"] td`).first();
    await expect.poll(() => phase(first.id).textContent()).toBe('已计票');
    expect(await phase(second.id).textContent()).toBe('投票中');
    expect((await org.call('GET', `/api/polls/${second.id}`)).body.phase).toBe('voting');
    await page.locator(`article[data-poll="${second.id}"]`).getByRole('button', { name: '仅此项：结束投票并计票' }).waitFor();
    // The other poll still takes ballots: a slip can still be reprinted.
    await page.locator('tr[data-voter="401"]').getByRole('button', { name: '补打凭条' }).waitFor();
    await shoot(page, '31-one-closed');
    expect(problems).toEqual([]);
    await context.close();
  });
});
