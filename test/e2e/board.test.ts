/**
 * The public board in a real browser, against the real server with its production CSP, on
 * protocol v2: a branch meeting accepts two candidates through the voters' own device code (five
 * members, one written opinion, four check in, head count 4, three vote, one says they did not),
 * the poll is closed and published, and then:
 *   - the board lists it with its publicity period, the electorate's facts, candidates, verdicts;
 *   - "verify in your browser" runs the shared verifier: every check passes, each line reads in
 *     Chinese, and the signing key is the same as GET /api/public/signer;
 *   - a tampered copy of the bundle, served in its place, shows the failing checks (in Chinese,
 *     the verifier's own English one click away, and in English);
 *   - a copy with a duplicate member, or with bytes that are not UTF-8, is refused as strict
 *     JSON, in Chinese, on the board and the tally sheet (nothing of it shown);
 *   - the receipts this browser kept from voting are found among the published ballots, a typed
 *     receipt (16 hex digits) is found, another is not, and no request ever carries a receipt;
 *   - a bundle whose ballot the server changed and re-signed with the installation's key passes
 *     every check of the verifier, yet the voter's kept receipt says "已被更改", with the
 *     signature over the original receipt, which verifies, as proof;
 *   - the CSV download opens with a BOM and the counts;
 *   - a league recommendation with fewer raters than the anonymity floor shows its ballots
 *     withheld (receipts only), still verifies, and a kept receipt is still found;
 *   - a result published under protocol v1 still shows, with v1's facts and v1's receipts;
 *   - a member of the meeting objects with their voting code, the form saying in plain words what
 *     the code does: the page confirms them a member, the objection is stored as a member's
 *     (the code nowhere in the database) and shown so in the organizer's console; a code of
 *     another meeting's roster is refused as such, a mistyped one before anything is sent; once
 *     this network has sent its share, the form says in Chinese (and in English) when to try
 *     again, and a member's code still goes through.
 * Every screen passes axe-core with zero violations and is saved as a screenshot.
 */
import { readFileSync } from 'node:fs';
import type { Page, Request } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { createHash } from 'node:crypto';
import { checkReceiptSignature } from '../../shared/crypto/receipt.ts';
import { fromBase64, fromHex } from '../../shared/encoding.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import type { HeldReceipt } from '../../shared/protocol/voter-flow.ts';
import { publicityPeriod } from '../../shared/publicity.ts';
import { SHIPPED_CALENDAR_YEARS } from '../../shared/work-calendar-cn.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { waitWords } from '../../shared/wait-words.ts';
import { hashVotingCode } from '../../server/services/checkin.ts';
import { setUpBrowserServer, inspectScreen, newPhoneContext, watchForProblems } from '../helpers/browser.ts';
import { NARROW, signInToConsole } from '../helpers/console-browser.ts';
import { publishedOnLatestWorkingDay } from '../helpers/publicity.ts';
import { castAll, checkInSlip, collect, createMeeting, openVoting, roomCodeOf } from '../helpers/meeting.ts';
import { changedBallotBundle, keepReceiptsInBrowser, publishedAcceptance, v1Bundle, type PublishedMeeting } from '../helpers/published-meeting.ts';
import { organizerClient } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });
const groupHex = (hex: string) => hex.match(/.{1,4}/g)!.join(' ');

/** Every check of a v2 bundle, in report order. */
const V2_CHECKS = ['format', 'signature', 'key_set', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'receipts', 'issued', 'answers', 'self_evaluations', 'recount', 'verdicts', 'record', 'cosignatures'];

async function openBoard(name: string, options: { keep?: PublishedMeeting['devices']; bundle?: unknown; viewport?: { width: number; height: number } } = {}) {
  const context = options.viewport
    ? await harness.browser.newContext({ viewport: options.viewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    : await newPhoneContext(harness.browser);
  context.setDefaultTimeout(15_000);
  if (options.keep) await keepReceiptsInBrowser(context, harness.server.url, options.keep);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  const requests: Request[] = [];
  page.on('request', (request) => requests.push(request));
  if (options.bundle) await page.route(`**/api/public/polls/${pollId}/bundle`, (route) => route.fulfill({ json: options.bundle }));
  await page.goto(`${harness.server.url}/board`);
  await page.getByRole('heading', { level: 1, name: name === 'en' ? 'Published results' : '结果公示' }).waitFor();
  return { context, page, problems, requests };
}

async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, name)).toEqual([]);
}

/** Everything a request sends: its address, its headers and its body. */
const sent = async (request: Request) => `${request.url()} ${JSON.stringify(await request.allHeaders())} ${request.postData() ?? ''}`.toLowerCase();

/** A line that reads in Chinese: it has Chinese, and no English word of the verifier's sentences. */
const readsInChinese = (line: string) => /[\u4e00-\u9fff]/.test(line) && !/\b(ballots?|tokens?|keys?|receipts?|valid|the|of|and|checked|submitted)\b/i.test(line);

let pollId: string;
let meeting: PublishedMeeting;
let bundle: BundleV2;
let allReceipts: HeldReceipt[];
beforeAll(async () => {
  meeting = await publishedAcceptance(harness.t, { title: '第一党支部党员大会', numberPrefix: '2024000' });
  pollId = meeting.pollId;
  publishedOnLatestWorkingDay(harness.t, pollId); // so that the period runs today, even at a weekend
  bundle = await (await fetch(`${harness.server.url}/api/public/polls/${pollId}/bundle`)).json();
  allReceipts = meeting.receipts.flat();
}, 90_000);

describe('the public board', () => {
  it('lists the published result with its publicity period, the electorate’s facts, verdicts and counts, and verifies it in the page, every line in Chinese', async () => {
    const { page, problems, context } = await openBoard('zh');
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByRole('heading', { name: '接收预备党员' }).waitFor();
    const listed = (await (await fetch(`${harness.server.url}/api/public/polls`)).json()).polls.find((p: any) => p.id === pollId);
    // The server counts the period on its work calendar; the board shows exactly that.
    const period = listed.publicity;
    expect(period).toEqual(publicityPeriod(new Date(listed.publishedAt), listed.publicityWorkingDays, { calendar: { years: SHIPPED_CALENDAR_YEARS } }));
    await expect.poll(() => card.textContent()).toContain(`公示期：${period.firstDay} 至 ${period.lastDay}（7 个工作日）`);
    expect(await card.locator('[data-publicity="uncovered"]').count()).toBe(period.uncoveredYears.length ? 1 : 0);
    expect(await card.locator('.publicity-badge').textContent()).toBe('公示中');
    // 5 expected, 4 present (the head count), 3 submitted.
    expect(await card.locator('.board-turnout').textContent()).toBe('应到 5 人，实到 4 人，提交选票 3 人');
    const zhang = card.locator('li[data-row="c1"]');
    expect(await zhang.locator('.verdict').textContent()).toBe('通过');
    expect(await zhang.textContent()).toContain('同意3');
    expect(await zhang.textContent()).toContain('所需票数3');
    // One token per member and candidate: 4 issued for 张三, 3 ballots returned.
    expect(await zhang.textContent()).toContain('发出选票凭证4');
    expect(await zhang.textContent()).toContain('收回选票3');
    expect(await card.locator('li[data-row="c2"] .verdict').textContent()).toBe('未通过');
    expect(await card.locator('li[data-row="quorum"] .verdict').textContent()).toBe('可以开会');
    const facts = await card.locator('.facts-list [data-fact]').evaluateAll((items) => items.map((i) => [i.getAttribute('data-fact'), i.querySelector('dd')!.textContent]));
    expect(facts).toEqual([
      ['expected', '5 人'],
      ['excluded', '无'],
      ['headCount', '4 人'],
      ['present', '4 人'],
      ['checkedIn', '4 人'],
      ['struck', '0 人'],
      ['late', '0 人'],
      ['writtenOpinions', '1 份'],
      ['submitted', '3 人'],
      ['declaredNotVoted', '1 人'],
      ['refused', '0 次'],
      ['issued', '8 张'],
      ['returned', '6 张'],
      ['valid', '6 张'],
      ['invalid', '0 张'],
    ]);
    expect(await card.locator('.fact-warning').count()).toBe(0);
    await shoot(page, 'board-zh-01-list');

    // The verifier's code arrives only when asked for.
    const scriptsBefore = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js')));
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-status').textContent(), { timeout: 30_000 }).toBe(`验证通过：全部 ${V2_CHECKS.length} 项检查均通过。`);
    const scriptsAfter = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js')));
    expect(scriptsAfter.length).toBeGreaterThan(scriptsBefore.length);
    const checks = card.locator('ol.checks li');
    expect(await checks.evaluateAll((items) => items.map((li) => `${li.getAttribute('data-check')} ${li.className}`))).toEqual(V2_CHECKS.map((id) => `${id} check-pass`));
    const lines = await card.locator('ol.checks .check-detail').allTextContents();
    for (const line of lines) expect(readsInChinese(line), line).toBe(true);
    expect(await card.locator('li[data-check="issued"] .check-detail').textContent()).toBe(
      '每项表决收回的选票都不多于发出的选票凭证；清点人数 4，签到 4 人（补签到 0 人），提交选票 3 人，应到 5 人；当场声明未投票 1 人。',
    );
    expect(await card.locator('li[data-check="key_set"] .check-detail').textContent()).toContain(groupHex(bundle.keySet.digest.slice(0, 16)));
    expect(await card.locator('li[data-check="record"] .check-detail').textContent()).toContain(`开始投票时至第 ${bundle.record.opening.seq} 条`);
    // The verifier's own sentence is kept, folded away.
    expect(await card.locator('li[data-check="recount"] .check-original').textContent()).toContain('recount of 6 ballots and 2 written opinions matches');
    const signer = harness.t.deps.installationKey.publicKeyBase64;
    expect(await card.locator('.signer dd').allTextContents()).toEqual([signer, signer]);
    expect(await card.textContent()).toContain('两者一致。');
    await shoot(page, 'board-zh-02-verified');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the failing checks when the bundle served has been altered, in Chinese and in English', async () => {
    // The server (or someone on the way) turns a vote against 李四 into a vote for, and the count with it.
    const tampered = structuredClone(bundle) as any;
    const c2Key = tampered.tokenKeys.find((k: any) => k.questionId === 'c2').keyId;
    const keyOf = (token: string) => Buffer.from(token, 'base64url').subarray(66, 98).toString('hex');
    const ballot = tampered.ballots.find((b: any) => keyOf(b.token) === c2Key && b.answer === 'disagree');
    ballot.answer = 'agree';
    tampered.result.questions[1].counts = { agree: 3, disagree: 0, abstain: 1 };
    const { page, problems, context } = await openBoard('zh', { bundle: tampered });
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-status').textContent(), { timeout: 30_000 }).toBe('验证未通过：第一项未通过的检查是“电子签名”。');
    const failing = await card.locator('ol.checks li.check-fail').evaluateAll((items) => items.map((li) => li.getAttribute('data-check')));
    // The signature no longer covers the content, the receipt no longer binds the answer, and the
    // published verdict no longer follows from the count.
    expect(failing).toEqual(['signature', 'receipts', 'verdicts']);
    expect(await card.locator('li[data-check="signature"] .check-detail').textContent()).toBe('电子签名与文件内容不符：文件在签名后被改动过，或由另一把密钥签名。');
    expect(await card.locator('li[data-check="receipts"] .check-detail').textContent()).toMatch(
      /^有选票的回执与其凭证、随机数和填写内容不符：选票内容与投票箱签发的回执对不上（文件中第 \d+ 号选票）。$/,
    );
    for (const line of await card.locator('ol.checks .check-detail').allTextContents()) expect(readsInChinese(line), line).toBe(true);
    await shoot(page, 'board-zh-03-tampered');

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => card.locator('.verify-status').textContent()).toBe('Not verified: the first failing check is “Signature”.');
    expect(await card.locator('li[data-check="signature"] .check-detail').textContent()).toContain('bundle_signature');
    expect(await card.locator('li[data-check="signature"] .check-outcome').textContent()).toBe('FAIL');
    await shoot(page, 'board-en-04-tampered');
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
    const refused = '这项结果的计票文件不能按严格的 JSON 规则读取，因此不予显示：成员“poll.title”在同一对象中出现了两次（第';
    await expect.poll(() => card.locator('p.alert').first().textContent()).toContain(refused);
    expect(await card.locator('li[data-row="c1"]').count()).toBe(0); // nothing of the refused bundle is shown
    expect(await page.content()).not.toContain('Mallory');
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-status p').first().textContent(), { timeout: 30_000 }).toBe('验证未通过：第一项未通过的检查是“文件格式”。');
    expect(await card.locator('.verify-json').textContent()).toMatch(/^计票文件在读取时即被拒绝：成员“poll\.title”在同一对象中出现了两次（第 \d+ 字节）。/);
    expect(await card.locator('ol.checks li').evaluateAll((items) => items.map((li) => `${li.getAttribute('data-check')} ${li.className}`))).toEqual(['format check-fail']);
    expect(await card.locator('li[data-check="format"] .check-detail').textContent()).toContain('同一对象中有两个同名成员');
    expect(await card.locator('li[data-check="format"] .check-original').textContent()).toContain('duplicate_member: duplicate member poll.title');
    expect(await card.locator('.signer').count()).toBe(0); // a refused file names no signer to compare
    await shoot(page, 'board-zh-03-duplicate-member');

    // The tally sheet reads the bundle the same way.
    await page.goto(`${harness.server.url}/tally-sheet?poll=${pollId}`);
    await expect.poll(() => page.locator('.page').first().textContent()).toContain('无法加载计票文件：成员“poll.title”在同一对象中出现了两次');

    // Bytes that are not UTF-8 in a title: refused, never shown with replacement characters.
    served = Buffer.concat([Buffer.from(text.slice(0, text.indexOf('接收预备党员'))), Buffer.from([0xe6, 0x8e, 0xff]), Buffer.from(text.slice(text.indexOf('接收预备党员') + 1))]);
    await page.goto(`${harness.server.url}/board`);
    await expect.poll(() => card.locator('p.alert').first().textContent()).toContain('文件不是有效的 UTF-8 文本（第');
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-json').textContent(), { timeout: 30_000 }).toContain('计票文件在读取时即被拒绝：文件不是有效的 UTF-8 文本');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('finds the receipts this browser kept among the published ballots, and a typed one, without sending a receipt anywhere', async () => {
    const { page, problems, requests, context } = await openBoard('zh', { keep: meeting.devices.slice(0, 1) });
    const held = page.locator('.held-item');
    await expect.poll(() => held.count()).toBe(2);
    expect(await held.evaluateAll((items) => items.map((i) => [i.getAttribute('data-outcome'), i.querySelector('.held-what')!.textContent]))).toEqual([
      ['found', '接收预备党员 · 张三'],
      ['found', '接收预备党员 · 李四'],
    ]);
    expect(await page.locator('.held-outcome').allTextContents()).toEqual(['在公布的选票中', '在公布的选票中']);
    expect(await page.locator('.held-summary').textContent()).toBe('2 张在公布的选票中，0 张已被更改，0 张未找到，0 张所属投票尚未公布。');
    await shoot(page, 'board-zh-05-held-receipts');

    await page.waitForLoadState('networkidle');
    const before = requests.length;
    const field = page.getByLabel('投票回执');
    // Exactly what the voting page shows and copies: 16 hex digits in groups of four.
    await field.fill(groupHex(meeting.receipts[1]![0]!.receipt.slice(0, 16)));
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toBe('在公布的选票中：这张回执在“接收预备党员”已公布的选票之中。');
    await shoot(page, 'board-zh-06-receipt-found');
    // The full receipt works too, in capitals.
    await field.fill(meeting.receipts[2]![1]!.receipt.toUpperCase());
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toContain('在公布的选票中');
    // One digit changed: not found.
    const first = meeting.receipts[0]![0]!.receipt;
    await field.fill(groupHex(first.slice(0, 15) + (first[15] === '0' ? '1' : '0')));
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toContain('未找到');
    await shoot(page, 'board-zh-07-receipt-not-found');
    await field.fill('xyz');
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toBe('回执只包含数字 0–9 和字母 a–f。');
    // What the voting page's Copy button writes: one line per candidate, the name, then the receipt.
    const names = meeting.receipts[1]!.map((r) => (r.questionId === 'c1' ? '张三' : '李四'));
    const copied = meeting.receipts[1]!.map((r, i) => `${names[i]} ${groupHex(r.receipt.slice(0, 16))}`).join('\n');
    await field.fill(`${copied}\n李四 0000 0000 0000 0000`);
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('[data-receipt-outcome]').allTextContents()).toEqual([
      ...names.map((name) => `${name}：在公布的选票中：这张回执在“接收预备党员”已公布的选票之中。`),
      '李四：未找到：已公布的选票中没有这张回执。请确认回执输入无误；如有疑问，可在公示期内提出异议。',
    ]);
    await shoot(page, 'board-zh-08-receipts-pasted');
    await page.waitForTimeout(200);
    expect(requests.slice(before).map((r) => r.url())).toEqual([]);
    // Not one request of the whole visit carries any receipt, whole or its short form.
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      const text = await sent(request);
      for (const r of allReceipts) expect(text, request.url()).not.toContain(r.receipt.slice(0, 16));
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says "已被更改" for a kept receipt whose ballot the server changed and re-signed, with the signed receipt as proof, though every check of the verifier passes', async () => {
    // 党员乙 voted against 李四; the server turns it into a vote for and signs it all again.
    const [zhang, li] = meeting.receipts[1]!.slice().sort((a, b) => a.questionId.localeCompare(b.questionId));
    expect([zhang!.questionId, li!.questionId]).toEqual(['c1', 'c2']);
    const changed = changedBallotBundle(bundle, li!.nonce, 'agree', harness.t.deps.installationKey.secretKey);
    // Nothing in the bundle gives it away: the verifier passes it, signed by the installation.
    const report = await verifyBundle(changed, { verifyPss: nodePssVerifier, expectedSignerPublicKey: harness.t.deps.installationKey.publicKeyBase64 });
    expect(report.firstFailure).toBeUndefined();
    expect(changed.ballots.some((b) => b.receipt === li!.receipt)).toBe(false);
    // The voter's device kept the ballot box's signature over the ORIGINAL receipt, and it verifies.
    expect(() => checkReceiptSignature(fromHex(li!.receipt), fromBase64(li!.signature), harness.t.deps.installationKey.publicKey)).not.toThrow();

    const { page, problems, requests, context } = await openBoard('zh', { keep: [meeting.devices[1]!], bundle: changed });
    const held = page.locator('.held-item');
    await expect.poll(() => held.count()).toBe(2);
    const byReceipt = (r: HeldReceipt) => page.locator(`.held-item[data-receipt="${r.receipt.slice(0, 16)}"]`);
    expect(await byReceipt(zhang!).getAttribute('data-outcome')).toBe('found');
    expect(await byReceipt(li!).getAttribute('data-outcome')).toBe('changed');
    expect(await byReceipt(li!).locator('.held-outcome').textContent()).toBe('已被更改');
    expect(await byReceipt(li!).locator('[data-proof="receipt"]').textContent()).toBe(li!.receipt);
    expect(await byReceipt(li!).locator('[data-proof="signature"]').textContent()).toBe(li!.signature);
    expect(await byReceipt(li!).locator('[data-proof="signature-check"]').textContent()).toBe('签名核验有效：这是本站密钥签发的回执，证明投票箱当时收下的就是这张选票。');
    expect(await byReceipt(li!).textContent()).toContain('您的选票凭证下公布的是另一张回执');
    expect(await page.locator('.held-summary').textContent()).toBe('1 张在公布的选票中，1 张已被更改，0 张未找到，0 张所属投票尚未公布。');
    // The changed bundle verifies in the page as well: only the kept receipt shows the change.
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-status').textContent(), { timeout: 30_000 }).toBe(`验证通过：全部 ${V2_CHECKS.length} 项检查均通过。`);
    await shoot(page, 'board-zh-08-receipt-changed');
    for (const request of requests) expect(await sent(request)).not.toContain(li!.receipt.slice(0, 16));
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
    expect(lines[0]).toBe('投票事项,候选人或题目,发出选票凭证,收回选票,同意,不同意,弃权,其中书面意见,所需票数,计算基数,结果,说明');
    expect(lines[2]).toMatch(/^接收预备党员,张三,4,3,3,1,0,1,3,应到 5,通过,/);
    expect(lines[3]).toMatch(/^接收预备党员,李四,4,3,2,1,1,1,3,应到 5,未通过,/);
    const [bundleDownload] = await Promise.all([page.waitForEvent('download'), card.getByRole('link', { name: /下载签名计票文件/ }).click()]);
    expect(JSON.parse(readFileSync((await bundleDownload.path())!, 'utf8'))).toEqual(bundle);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('ballots withheld under the anonymity floor', () => {
  it('says how many ballots publish their receipt only, verifies them, and still finds a kept receipt among them', async () => {
    // A league recommendation: 4 members, 3 check in, 2 recommend. Two raters under one key are
    // fewer than the floor of 3: their approval sets would show what each chose, so both are withheld.
    const org = await organizerClient(harness.t);
    const meetingId = (await org.call('POST', '/api/meetings', { title: '第一团支部团员大会' })).body.id as string;
    const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '推荐优秀团员作为入党积极分子人选',
      kind: 'league_recommendation',
      candidates: [
        { id: 'w', name: '王五' },
        { id: 'z', name: '赵六' },
        { id: 'q', name: '钱七' },
      ],
      maxChoices: 2,
    });
    expect(poll.status).toBe(201);
    const leagueId = poll.body.id as string;
    await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: ['团员甲', '团员乙', '团员丙', '团员丁'].map((name, i) => ({ name, number: `2027000${i}` })) });
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { link: string }[];
    const roomCode = await roomCodeOf(org, meetingId);
    const devices = [];
    for (const slip of slips.slice(0, 3)) devices.push(await checkInSlip(harness.t, slip, roomCode));
    await openVoting(org, leagueId, 3);
    for (const device of devices) await collect(device);
    await castAll(devices[0]!, leagueId, () => ['w', 'z']);
    await castAll(devices[1]!, leagueId, () => ['w']);
    expect((await org.call('POST', `/api/polls/${leagueId}/transition`, { to: 'closed' })).status).toBe(200);
    expect((await org.call('POST', `/api/polls/${leagueId}/transition`, { to: 'published' })).status).toBe(200);
    publishedOnLatestWorkingDay(harness.t, leagueId);
    const league = (await (await fetch(`${harness.server.url}/api/public/polls/${leagueId}/bundle`)).json()) as BundleV2;
    expect(league.ballots.map((b) => [b.answer, b.salt])).toEqual([
      ['withheld', undefined],
      ['withheld', undefined],
    ]);

    const { page, problems, context } = await openBoard('zh', { keep: [devices[0]!] });
    const card = page.locator(`article[data-poll="${leagueId}"]`);
    await card.getByRole('heading', { name: '推荐优秀团员作为入党积极分子人选' }).waitFor();
    expect(await card.locator('[data-fact="withheld"] dd').textContent()).toBe('2 张评议人数少于匿名下限（3 人）时，这些选票只公布回执，不公布内容；票数照常计入。');
    // The counts stay public: 王五 2, 赵六 1.
    expect(await card.locator('li[data-row="w"]').textContent()).toContain('得票2');
    expect(await card.locator('li[data-row="z"]').textContent()).toContain('得票1');
    await expect.poll(() => page.locator('.held-item').evaluateAll((items) => items.map((i) => [i.getAttribute('data-outcome'), i.querySelector('.held-what')!.textContent]))).toEqual([
      // One question, titled as the poll: named once.
      ['found', '推荐优秀团员作为入党积极分子人选'],
    ]);
    await card.getByRole('button', { name: '在浏览器中验证' }).click();
    await expect.poll(() => card.locator('.verify-status').textContent(), { timeout: 30_000 }).toBe(`验证通过：全部 ${V2_CHECKS.length} 项检查均通过。`);
    expect(await card.locator('li[data-check="receipts"] .check-detail').textContent()).toBe('0 张选票的回执与其凭证、随机数和填写内容一致；2 张按匿名下限只公布回执。');
    expect(await card.locator('li[data-check="answers"] .check-detail').textContent()).toBe(
      '2 张选票都只回答其公钥对应的一项，填写合规；评议人数少于匿名下限（3 人）的 2 张按规定未公开内容。',
    );
    await card.scrollIntoViewIfNeeded();
    await shoot(page, 'board-zh-09-withheld');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('a result published under protocol v1', () => {
  it('still shows, with v1’s facts, and finds a v1 receipt (the SHA-256 of its token)', async () => {
    const v1 = v1Bundle();
    const context = await newPhoneContext(harness.browser);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const publishedAt = new Date();
    // As the server would count it in a year the calendar lacks: the board must say so.
    const publicity = { ...publicityPeriod(publishedAt, 5), uncoveredYears: [2027] };
    const item = { id: v1.poll.id, meetingId: v1.poll.meetingId, title: v1.poll.title, kind: v1.poll.kind, closedAt: v1.closedAt, publishedAt: publishedAt.toISOString(), publicityWorkingDays: 5, publicity, publicityCutoff: '12:00' };
    await page.route('**/api/public/polls', async (route) => {
      const listed = await (await route.fetch()).json();
      await route.fulfill({ json: { polls: [item, ...listed.polls] } });
    });
    await page.route(`**/api/public/polls/${v1.poll.id}/bundle`, (route) => route.fulfill({ json: v1 }));
    // What the server would answer for an old poll without decisions, in its publicity period.
    await page.route(`**/api/public/polls/${v1.poll.id}/decisions`, (route) => route.fulfill({ json: { decisions: [] } }));
    await page.route(`**/api/public/polls/${v1.poll.id}/objections`, (route) =>
      route.fulfill({ json: { status: 'running', period: { firstDay: '2026-12-07', lastDay: '2026-12-11', workingDays: 5 }, received: null, outcomes: null } }),
    );
    await page.goto(`${harness.server.url}/board`);
    const card = page.locator(`article[data-poll="${v1.poll.id}"]`);
    await card.getByRole('heading', { name: '接收预备党员（旧版）' }).waitFor();
    await card.locator('[data-publicity="uncovered"]').getByText('系统尚未录入 2027 年的节假日安排', { exact: false }).waitFor();
    expect(await card.locator('.board-turnout').textContent()).toBe('应到 3 人，实到 3 人，收回选票 3 张');
    expect(await card.locator('.facts-list [data-fact]').evaluateAll((items) => items.map((i) => i.getAttribute('data-fact')))).toEqual([
      'expected',
      'excluded',
      'present',
      'writtenOpinions',
      'issued',
      'returned',
      'valid',
      'invalid',
    ]);
    expect(await card.locator('li[data-row="c1"] .verdict').textContent()).toBe('通过');
    const receipt = createHash('sha256').update(Buffer.from('AAAB', 'base64url')).digest('hex');
    await page.getByLabel('投票回执').fill(groupHex(receipt.slice(0, 16)));
    await page.getByRole('button', { name: '核对' }).click();
    await expect.poll(() => page.locator('.receipt-outcome').textContent()).toBe('在公布的选票中：这张回执在“接收预备党员（旧版）”已公布的选票之中。');
    await shoot(page, 'board-zh-10-v1');
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
    // No code, so nothing was checked: no word of membership.
    expect(await card.getByRole('status').textContent()).not.toContain('会议成员');
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
    harness.t.deps.db.$client.prepare('UPDATE polls SET published_at = ?, publicity_first_day = NULL, publicity_last_day = NULL WHERE id = ?').run('2026-10-26T02:00:00.000Z', pollId);
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

describe('objections from members of the meeting, with their voting code', () => {
  // The test above ended the period (publication moved back four weeks): it runs again today.
  beforeAll(() => void publishedOnLatestWorkingDay(harness.t, pollId));

  const objectionPosts = (requests: Request[]) => requests.filter((r) => r.method() === 'POST' && r.url().endsWith(`/api/public/polls/${pollId}/objections`));
  const storedObjections = async () => (await (await organizerClient(harness.t)).call('GET', `/api/polls/${pollId}/objections`)).body.objections as { text: string; name: string | null; channel: string }[];

  it('a member adds their voting code, told in plain words what it does (gets through however many others object, reveals no vote, 3 a day, not kept): the page confirms them a member, the objection is stored as a member’s, the code nowhere in the database, and the console says it came from a member', async () => {
    const { page, problems, context, requests } = await openBoard('zh', { viewport: NARROW });
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByText('提出异议', { exact: true }).click();
    const reason = '张三同志的思想汇报有两次是补写的，请核实';
    await card.getByRole('textbox', { name: '异议内容' }).fill(reason);
    const codeField = card.getByRole('textbox', { name: '投票码（会议名单上的成员可填）' });
    expect(await codeField.getAttribute('required')).toBeNull();
    const hintId = await codeField.getAttribute('aria-describedby');
    // Said for a student who never read the limits: what the code does, what it does not reveal, how often, what is kept.
    const hint = (await page.locator(`[id="${hintId}"]`).textContent())!;
    for (const plain of ['即使很多人同时在提交异议，你的异议也能提交成功', '投票码不会透露你投了什么票，投过票以后照样可以用', '每个投票码每天可以对这项结果提交 3 条异议', '系统核对后不会保存', '来自“一位会议成员”，看不到是谁'])
      expect(hint).toContain(plain);
    expect(hint).not.toMatch(/名额|挤掉/);
    // Typed as people type it: lower case, no dashes.
    const code = meeting.devices[0]!.code;
    const normalized = code.replaceAll('-', '');
    await codeField.fill(normalized.toLowerCase());
    await card.locator('details.objection').scrollIntoViewIfNeeded();
    await shoot(page, 'board-zh-11-objection-member-code');
    // What a phone shows of it (390×844): the code, its explanation and the button.
    await card.getByRole('button', { name: '提交异议' }).scrollIntoViewIfNeeded();
    expect(await inspectScreen(page, 'board-zh-11-objection-member-code-phone', { fullPage: false })).toEqual([]);
    await card.getByRole('button', { name: '提交异议' }).click();
    // The code was recognised, and the student is told so.
    await card.getByRole('status').filter({ hasText: '已收到你的异议' }).waitFor();
    expect(await card.getByRole('status').textContent()).toContain('投票码有效，已确认是会议成员');
    await card.getByRole('status').scrollIntoViewIfNeeded();
    expect(await inspectScreen(page, 'board-zh-11b-objection-member-received-phone', { fullPage: false })).toEqual([]);
    expect(objectionPosts(requests).at(-1)!.postDataJSON()).toEqual({ text: reason, code: normalized });

    const stored = (await storedObjections()).find((o) => o.text === reason)!;
    expect([stored.channel, stored.name]).toEqual(['member', null]);
    // Only that it came from a member is kept: neither the code nor its hash.
    const rows = JSON.stringify(harness.t.deps.db.$client.prepare('SELECT * FROM objections').all());
    for (const trace of [normalized, code, hashVotingCode(normalized)]) expect(rows).not.toContain(trace);
    expect(problems).toEqual([]);
    await context.close();

    // The organizer's console: this one came from a member with a code, the earlier one from anyone.
    const desk = await signInToConsole(harness.browser, harness.server.url, 'secretary', `/console?meeting=${meeting.meetingId}`);
    const items = desk.page.locator('.objection-item');
    await items.filter({ hasText: reason }).waitFor();
    expect(await items.filter({ hasText: reason }).locator('[data-channel]').textContent()).toBe('会议成员（凭投票码）');
    expect(await items.filter({ hasText: '社会实践时间' }).locator('[data-channel]').textContent()).toBe('未填投票码');
    expect(await items.filter({ hasText: reason }).locator('.hint').textContent()).toContain('会议成员（凭投票码） · 匿名');
    await items.filter({ hasText: reason }).scrollIntoViewIfNeeded();
    await shoot(desk.page, 'board-console-14-objection-channels');
    expect(desk.problems).toEqual([]);
    await desk.context.close();
  });

  it('refuses a code of another meeting’s roster as not on this one’s, and a mistyped code before sending it, in Chinese; nothing is stored', async () => {
    const other = await createMeeting(harness.t, { voters: 1, open: 'checkin' });
    const before = (await storedObjections()).length;
    const { page, problems, context, requests } = await openBoard('zh');
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByText('提出异议', { exact: true }).click();
    await card.getByRole('textbox', { name: '异议内容' }).fill('李四同志的培养联系人没有参加支委会讨论');
    const codeField = card.getByRole('textbox', { name: '投票码（会议名单上的成员可填）' });
    await codeField.fill(other.slips[0]!.code);
    await card.getByRole('button', { name: '提交异议' }).click();
    const alert = card.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('这个投票码不在作出这项表决的会议名单上。请核对投票单上的投票码；也可以不填投票码，照常提交。');
    expect(objectionPosts(requests)).toHaveLength(1);
    await card.locator('details.objection').scrollIntoViewIfNeeded();
    await shoot(page, 'board-zh-12-objection-not-eligible');

    // One character short: said at once, nothing sent.
    await codeField.fill(other.slips[0]!.code.slice(0, -1));
    await card.getByRole('button', { name: '提交异议' }).click();
    await expect.poll(() => alert.textContent()).toContain('投票码是 16 位字母和数字');
    expect(objectionPosts(requests)).toHaveLength(1);
    expect(await storedObjections()).toHaveLength(before);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('once this network has sent its share, says in Chinese when to try again and that members may still object; in English too; a member’s code still goes through', async () => {
    // The test sends from the browser's address (127.0.0.1) until the server refuses.
    let refused: { error: { code: string } } | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const answer = await fetch(`${harness.server.url}/api/public/polls/${pollId}/objections`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `测试用的第 ${i + 1} 条异议` }),
      });
      if (answer.status === 429) refused = await answer.json();
    }
    expect(refused?.error.code).toBe('rate_limited');

    const { page, problems, context } = await openBoard('zh');
    const card = page.locator(`article[data-poll="${pollId}"]`);
    await card.getByText('提出异议', { exact: true }).click();
    const reason = '支部大会的会议记录没有写明表决前的讨论情况';
    await card.getByRole('textbox', { name: '异议内容' }).fill(reason);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/public/polls/${pollId}/objections`)),
      card.getByRole('button', { name: '提交异议' }).click(),
    ]);
    expect(answer.status()).toBe(429);
    const wait = waitWords((await answer.json()).error.retryAfterSeconds);
    expect(wait.zh).toBe('60 分钟后');
    const alert = card.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe(`提交的异议太多，请在 ${wait.zh}再试。会议名单上的成员填写投票码，现在就可以提交。`);
    expect(await alert.textContent()).not.toMatch(/[a-z]/i); // nothing of the server's English
    await card.locator('details.objection').scrollIntoViewIfNeeded();
    await shoot(page, 'board-zh-13-objection-too-many');

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => alert.textContent()).toBe(`Too many objections have been sent; try again ${wait.en}. Members of the meeting can send theirs now with their voting code.`);
    await card.getByRole('textbox', { name: 'Voting code (members of the meeting may add it)' }).fill(meeting.devices[1]!.code);
    await card.getByRole('button', { name: 'Send the objection' }).click();
    await card.getByRole('status').filter({ hasText: 'Your objection was received' }).waitFor();
    expect(await card.getByRole('status').textContent()).toContain('Your voting code was recognised: you are confirmed as a member of the meeting');
    expect((await storedObjections()).find((o) => o.text === reason)?.channel).toBe('member');
    expect(problems).toEqual([]);
    await context.close();
  });
});
