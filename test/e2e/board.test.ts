/**
 * The public board in a real browser, against the real server with its production CSP: a
 * branch meeting accepts two candidates through the HTTP API (five members, one written
 * opinion, four check in, three vote), the poll is closed and published, and then:
 *   - the board lists it with its publicity period, candidates and verdicts;
 *   - "verify in your browser" runs the shared verifier and every check passes, with the
 *     signing key the same as GET /api/public/signer;
 *   - a tampered copy of the bundle, served in its place, shows the failing checks;
 *   - a copy with a duplicate member, or with bytes that are not UTF-8, is refused as strict
 *     JSON, in Chinese, on the board and the tally sheet (nothing of it shown);
 *   - a voter's receipt (as the voting page shows it) is found, another is not, and no request
 *     leaves the page while checking;
 *   - the CSV download opens with a BOM and the counts.
 * Every screen passes axe-core with zero violations and is saved as a screenshot.
 */
import { readFileSync } from 'node:fs';
import type { Page, Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { castWithToken } from '../../shared/protocol/voter-flow.ts';
import { publicityPeriod } from '../../shared/publicity.ts';
import { setUpBrowserServer, inspectScreen, newPhoneContext, watchForProblems } from '../helpers/browser.ts';
import { checkInSlip } from '../helpers/meeting.ts';
import { publishedOnLatestWorkingDay } from '../helpers/publicity.ts';
import { inProcessFetch, organizerClient } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });
const groupHex = (hex: string) => hex.match(/.{1,4}/g)!.join(' ');

/** A member-acceptance meeting, voted and published: returns the poll id and the voters' receipts. */
async function publishedAcceptance() {
  const { t } = harness;
  const org = await organizerClient(t);
  const meeting = (await org.call('POST', '/api/meetings', { title: '第一党支部党员大会' })).body;
  const poll = await org.call('POST', `/api/meetings/${meeting.id}/polls`, {
    title: '接收预备党员',
    kind: 'member_acceptance',
    publicityWorkingDays: 7,
    candidates: [
      { id: 'c1', name: '张三' },
      { id: 'c2', name: '李四' },
    ],
  });
  expect(poll.status).toBe(201);
  const pollId = poll.body.id as string;
  const voters = (
    await org.call('POST', `/api/meetings/${meeting.id}/voters`, {
      voters: ['党员甲', '党员乙', '党员丙', '党员丁', '党员戊'].map((name, i) => ({ name, number: `2024000${i}` })),
    })
  ).body.voters as { id: string }[];
  // The fifth member is absent and sent a written opinion.
  expect((await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voters[4]!.id}`, { choices: { c1: 'agree', c2: 'agree' } })).status).toBe(200);
  expect((await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '王芳', role: 'supervisor' }, { name: '李明', role: 'counter' }] })).status).toBe(200);
  expect((await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'checkin' })).status).toBe(200);
  const slips = (await org.call('POST', `/api/meetings/${meeting.id}/slips`, {})).body.slips as { voterId: string; link: string }[];
  const held = await Promise.all(slips.filter((s) => s.voterId !== voters[4]!.id).map((slip) => checkInSlip(t, slip)));
  expect(held).toHaveLength(4);
  expect((await org.call('POST', `/api/meetings/${meeting.id}/transition`, { to: 'voting' })).status).toBe(200);
  const api = createVoterApi('', inProcessFetch(t));
  const votes = [
    { c1: 'agree', c2: 'agree' },
    { c1: 'agree', c2: 'disagree' },
    { c1: 'disagree', c2: 'abstain' },
  ];
  // The fourth member checked in but does not vote: 4 issued, 3 returned.
  const receipts = await Promise.all(votes.map((choices, i) => castWithToken(api, held[i]!.store, held[i]!.token, choices)));
  expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
  expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);
  publishedOnLatestWorkingDay(t, pollId); // so that the period runs today, even at a weekend
  return { pollId, receipts: receipts.map((r) => r.receipt) };
}

async function openBoard(name: string) {
  const context = await newPhoneContext(harness.browser);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  await page.goto(`${harness.server.url}/board`);
  await page.getByRole('heading', { level: 1, name: name === 'en' ? 'Published results' : '结果公示' }).waitFor();
  return { context, page, problems, requests };
}

async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, name)).toEqual([]);
}

let pollId: string;
let receipts: string[];
let bundle: any;
beforeAll(async () => {
  ({ pollId, receipts } = await publishedAcceptance());
  bundle = await (await fetch(`${harness.server.url}/api/public/polls/${pollId}/bundle`)).json();
}, 60_000);

describe('the public board', () => {
  it('lists the published result with its publicity period, verdicts and counts, and verifies it in the page', async () => {
    const { page, problems, context } = await openBoard('zh');
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByRole('heading', { name: '接收预备党员' }).waitFor();
    // Publicity: computed from the publication (for now the close) in Beijing time, 5 working days.
    const listed = (await (await fetch(`${harness.server.url}/api/public/polls`)).json()).polls.find((p: any) => p.id === pollId);
    const period = publicityPeriod(new Date(listed.publishedAt), listed.publicityWorkingDays);
    await expect.poll(() => card.textContent()).toContain(`公示期：${period.firstDay} 至 ${period.lastDay}（7 个工作日）`);
    expect(await card.locator('.publicity-badge').textContent()).toBe('公示中');
    // 5 expected, 4 present, 3 ballots; 张三 3 for (with the written opinion) of 3 needed, 李四 2.
    expect(await card.textContent()).toContain('应到 5 人，实到 4 人，收回选票 3 张');
    const zhang = card.locator('li[data-row="c1"]');
    expect(await zhang.locator('.verdict').textContent()).toBe('通过');
    expect(await zhang.textContent()).toContain('同意3');
    expect(await zhang.textContent()).toContain('所需票数3');
    expect(await card.locator('li[data-row="c2"] .verdict').textContent()).toBe('未通过');
    expect(await card.locator('li[data-row="quorum"] .verdict').textContent()).toBe('符合法定人数');
    await shoot(page, 'board-zh-01-list');

    // The verifier's code arrives only when asked for.
    const scriptsBefore = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js')));
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-status').textContent(), { timeout: 30_000 }).toBe('验证通过：全部 11 项检查均通过。');
    const scriptsAfter = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js')));
    expect(scriptsAfter.length).toBeGreaterThan(scriptsBefore.length);
    const checks = card.locator('ol.checks li');
    expect(await checks.evaluateAll((items) => items.map((li) => `${li.getAttribute('data-check')} ${li.className}`))).toEqual(
      ['format', 'signature', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'issued', 'choices', 'recount', 'verdicts', 'cosignatures'].map((id) => `${id} check-pass`),
    );
    const signer = harness.t.deps.installationKey.publicKeyBase64;
    expect(await card.locator('.signer dd').allTextContents()).toEqual([signer, signer]);
    expect(await card.textContent()).toContain('两者一致。');
    await shoot(page, 'board-zh-02-verified');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the failing checks when the bundle served has been altered', async () => {
    const context = await newPhoneContext(harness.browser);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    // The server (or someone on the way) turns a vote against 李四 into a vote for, and the count with it.
    const tampered = structuredClone(bundle);
    const ballot = tampered.ballots.find((b: any) => b.choices.c2 === 'disagree');
    ballot.choices.c2 = 'agree';
    tampered.result.questions[1].counts = { agree: 3, disagree: 0, abstain: 1 };
    await page.route(`**/api/public/polls/${pollId}/bundle`, (route) => route.fulfill({ json: tampered }));
    await page.goto(`${harness.server.url}/board`);
    await page.getByRole('button', { name: 'English' }).click();
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByRole('button', { name: 'Verify in your browser' }).click();
    await expect.poll(() => card.locator('.verify-status').textContent(), { timeout: 30_000 }).toBe('Not verified: the first failing check is “Signature”.');
    const failing = await card.locator('ol.checks li.check-fail').evaluateAll((items) => items.map((li) => li.getAttribute('data-check')));
    // The signature no longer covers the content, and the published verdict no longer follows from the count.
    expect(failing).toEqual(['signature', 'verdicts']);
    expect(await card.locator('li[data-check="signature"] .check-detail').textContent()).toContain('bundle_signature');
    expect(await card.locator('li[data-check="signature"] .check-outcome').textContent()).toBe('FAIL');
    await shoot(page, 'board-en-03-tampered');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses a bundle served with a duplicate member (a Mallory title before the real one) or bytes that are not UTF-8, saying why in Chinese', async () => {
    const context = await newPhoneContext(harness.browser);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const text = JSON.stringify(bundle);
    // JSON.parse would keep the real title (the last); a first-wins reader, or a person, would read "Mallory".
    const mallory = text.replace('"poll":{', '"poll":{"title":"Mallory",');
    expect(JSON.parse(mallory)).toEqual(bundle);
    let served: string | Buffer = mallory;
    await page.route(`**/api/public/polls/${pollId}/bundle`, (route) => route.fulfill({ contentType: 'application/json', body: served }));
    await page.goto(`${harness.server.url}/board`);
    const card = page.locator(`article[data-poll="${pollId}"]`);
    const refused = '这项结果的计票文件不能按严格的 JSON 规则读取，因此不予显示：成员"poll.title"在同一对象中出现了两次（第';
    await expect.poll(() => card.locator('p.alert').first().textContent()).toContain(refused);
    expect(await card.locator('li[data-row="c1"]').count()).toBe(0); // nothing of the refused bundle is shown
    expect(await page.content()).not.toContain('Mallory');
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-status p').first().textContent(), { timeout: 30_000 }).toBe('验证未通过：第一项未通过的检查是"文件格式"。');
    expect(await card.locator('.verify-json').textContent()).toMatch(/^计票文件在读取时即被拒绝：成员"poll\.title"在同一对象中出现了两次（第 \d+ 字节）。/);
    expect(await card.locator('ol.checks li').evaluateAll((items) => items.map((li) => `${li.getAttribute('data-check')} ${li.className}`))).toEqual(['format check-fail']);
    expect(await card.locator('li[data-check="format"] .check-detail').textContent()).toContain('duplicate_member: duplicate member poll.title');
    expect(await card.locator('.signer').count()).toBe(0); // a refused file names no signer to compare
    await shoot(page, 'board-zh-03-duplicate-member');

    // The tally sheet reads the bundle the same way.
    await page.goto(`${harness.server.url}/tally-sheet?poll=${pollId}`);
    await expect.poll(() => page.locator('.page').first().textContent()).toContain('无法加载计票文件：成员"poll.title"在同一对象中出现了两次');

    // Bytes that are not UTF-8 in a title: refused, never shown with replacement characters.
    served = Buffer.concat([Buffer.from(text.slice(0, text.indexOf('接收预备党员'))), Buffer.from([0xe6, 0x8e, 0xff]), Buffer.from(text.slice(text.indexOf('接收预备党员') + 1))]);
    await page.goto(`${harness.server.url}/board`);
    await expect.poll(() => card.locator('p.alert').first().textContent()).toContain('文件不是有效的 UTF-8 文本（第');
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-json').textContent(), { timeout: 30_000 }).toContain('计票文件在读取时即被拒绝：文件不是有效的 UTF-8 文本');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('finds a voter’s receipt among the published ballots, and not another, without sending anything', async () => {
    const { page, problems, requests, context } = await openBoard('zh');
    await page.locator(`article[data-poll="${pollId}"] li[data-row="c1"]`).waitFor();
    await page.waitForLoadState('networkidle');
    const before = requests.length;
    const field = page.getByLabel('投票回执');
    // Exactly what the voter's page shows and copies: 16 hex digits in groups of four.
    await field.fill(groupHex(receipts[1]!.slice(0, 16)));
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toBe('找到了：您的选票在"接收预备党员"已公布的选票之中。');
    await shoot(page, 'board-zh-04-receipt-found');
    // The full receipt works too, in capitals.
    await field.fill(receipts[2]!.toUpperCase());
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toContain('找到了');
    // One digit changed: not found.
    const wrong = receipts[0]!.slice(0, 15) + (receipts[0]![15] === '0' ? '1' : '0');
    await field.fill(groupHex(wrong));
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toContain('没有找到');
    await shoot(page, 'board-zh-05-receipt-not-found');
    await field.fill('xyz');
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toBe('回执只包含数字 0–9 和字母 a–f。');
    await page.waitForTimeout(200);
    expect(requests.slice(before).map((r) => r.url())).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('offers the results as a CSV that Excel opens in Chinese, and the signed bundle as a file', async () => {
    const { page, problems, context } = await openBoard('zh');
    const card = page.locator(`article[data-poll="${pollId}"]`);
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: /下载结果表/ }).click()]);
    expect(csvDownload.suggestedFilename()).toBe(`results-${pollId}-${bundle.closedAt.slice(0, 10)}.csv`);
    const csv = readFileSync((await csvDownload.path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('投票事项,编号,候选人或题目,同意,不同意,弃权,其中书面意见,所需票数,计算基数,结果,说明');
    expect(lines[2]).toMatch(/^接收预备党员,c1,张三,3,1,0,1,3,应到 5,通过,/);
    expect(lines[3]).toMatch(/^接收预备党员,c2,李四,2,1,1,1,3,应到 5,未通过,/);
    const [bundleDownload] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /下载签名计票文件/ }).click()]);
    expect(JSON.parse(readFileSync((await bundleDownload.path())!, 'utf8'))).toEqual(bundle);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('objections on the board', () => {
  it('a student objects anonymously during the period; after it, the board shows the count and the outcome, not the text', async () => {
    const { page, problems, context, requests } = await openBoard('zh');
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByText('提出异议', { exact: true }).click();
    const reason = '李四同志入党材料中社会实践时间与实际不符';
    await card.getByRole('textbox', { name: '异议内容' }).fill(reason);
    expect(await card.getByRole('radio', { name: '匿名（不留姓名）' }).isChecked()).toBe(true);
    await shoot(page, 'board-zh-06-objection-form');
    await card.getByRole('button', { name: '提交异议' }).click();
    await card.getByRole('status').filter({ hasText: '已收到你的异议' }).waitFor();
    const sent = requests.find((r) => r.method() === 'POST' && r.url().endsWith(`/api/public/polls/${pollId}/objections`))!;
    expect(sent.postDataJSON()).toEqual({ text: reason });
    expect(await sent.allHeaders()).not.toHaveProperty('cookie');
    await shoot(page, 'board-zh-07-objection-received');

    // The unit's organizer reads it and records an outcome.
    const org = await organizerClient(harness.t);
    const [objection] = (await org.call('GET', `/api/polls/${pollId}/objections`)).body.objections;
    expect([objection.text, objection.name]).toEqual([reason, null]);
    expect((await org.call('PUT', `/api/polls/${pollId}/objections/${objection.id}`, { outcome: 'reject', note: '经核对档案，时间无误' })).status).toBe(200);

    // Four weeks later the period is long over (the publication is moved back in the database).
    harness.t.deps.db.$client.prepare('UPDATE polls SET published_at = ? WHERE id = ?').run('2026-10-26T02:00:00.000Z', pollId);
    await page.reload();
    await card.locator('.publicity-badge').filter({ hasText: '公示已结束' }).waitFor();
    await card.getByText('公示期内共收到异议 1 件。处理情况：').waitFor();
    expect(await card.locator('.objection-summary li').allTextContents()).toEqual(['不予采纳 1 件']);
    expect(await card.getByText('提出异议', { exact: true }).count()).toBe(0);
    expect(await page.content()).not.toContain('社会实践时间');
    await shoot(page, 'board-zh-08-objections-counted');
    expect(problems).toEqual([]);
    await context.close();
  });
});
