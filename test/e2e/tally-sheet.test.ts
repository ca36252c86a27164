/**
 * The printable tally sheet (计票单) in a real browser, on protocol v2: a branch meeting run with
 * the voters' own device code (five members, one written opinion, four check in, head count 4,
 * three vote, one says they did not, two scrutineers named), then
 *   - closed but not published: nobody but the signed-in organizer gets the sheet;
 *   - published: anyone gets it, with the facts of the record (应到, 清点人数, 实到, 签到, 划去,
 *     补签到, 提交, 当场声明未投票, refused, 发出 / 收回 / 有效 / 无效), the counts with each
 *     candidate's tokens issued and ballots returned, the audit log's anchors, and the digest
 *     printed (hex and QR) equal to bundleDigestHex of the bundle the server serves;
 *   - printed: A4 print CSS leaves the site's frame and the buttons off the paper;
 *   - a meeting where more submitted than checked in less those who said they did not vote
 *     prints the warning;
 *   - a protocol v1 bundle still prints, with v1's facts.
 * Screens pass axe-core with zero violations and are saved as screenshots, the print ones too.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signInOverHttp } from '../../server/cli/organizer-http.ts';
import { bundleDigestHex } from '../../shared/crypto/bundle-digest.ts';
import type { BundleV2 } from '../../shared/protocol/bundle.ts';
import decodeQR from '@paulmillr/qr/decode.js';
import { setUpBrowserServer, inspectScreen, watchForProblems } from '../helpers/browser.ts';
import { publishedAcceptance, v1Bundle } from '../helpers/published-meeting.ts';
import { ORGANIZER_PASSWORD, organizerClient } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });
const groupHex = (hex: string) => hex.match(/.{1,4}/g)!.join(' ');

let pollId: string;

/** A member-acceptance poll, voted and closed (not yet published). */
beforeAll(async () => {
  ({ pollId } = await publishedAcceptance(harness.t, { title: '第二党支部党员大会', numberPrefix: '2025000', publish: false }));
}, 90_000);

async function openSheet(poll: string, options: { cookie?: string; bundle?: unknown } = {}) {
  const context = await harness.browser.newContext({ viewport: { width: 900, height: 1200 } });
  context.setDefaultTimeout(15_000);
  if (options.cookie) {
    const [name, value] = options.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: harness.server.url }]);
  }
  const page = await context.newPage();
  const problems = watchForProblems(page);
  if (options.bundle) await page.route(`**/api/public/polls/${poll}/bundle`, (route) => route.fulfill({ json: options.bundle }));
  await page.goto(`${harness.server.url}/tally-sheet?poll=${poll}`);
  return { context, page, problems };
}

async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, name)).toEqual([]);
}

/** The sheet on A4 paper: print media, the width of A4 less 14 mm margins each side at 96 dpi. */
async function shootPrinted(page: Page, name: string) {
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('.topbar').isVisible()).toBe(false);
  expect(await page.getByRole('button', { name: '打印' }).isVisible()).toBe(false);
  await page.setViewportSize({ width: 688, height: 1123 });
  await shoot(page, name);
}

const facts = (page: Page) =>
  page.locator('tr[data-fact]').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-fact'), r.querySelector('td')!.textContent])));
const resultRow = (page: Page, id: string) => page.locator(`.sheet-results tr[data-row="${id}"] td`).allTextContents();

describe('the tally sheet', () => {
  it('of a closed poll not yet published: refused to the public, shown to the signed-in organizer', async () => {
    const anonymous = await openSheet(pollId);
    await expect.poll(() => anonymous.page.getByRole('alert').textContent()).toBe('这项投票尚未公布。支部书记、组织委员登录后才能打印其计票单。');
    await shoot(anonymous.page, 'tally-sheet-01-not-published');
    await anonymous.context.close();

    const session = await signInOverHttp(harness.server.url, 'secretary', ORGANIZER_PASSWORD);
    const organizer = await openSheet(pollId, { cookie: session.cookie });
    await organizer.page.getByRole('heading', { level: 1, name: '计票单' }).waitFor();
    expect(await organizer.page.locator('.sheet-header').textContent()).toContain('尚未公布');
    expect((await facts(organizer.page))['expected']).toBe('5 人');
    expect(organizer.problems).toEqual([]);
    await organizer.context.close();
  });

  it('of a published poll: the facts of the record, counts with tokens issued and ballots returned, verdicts, scrutineers, audit anchors and the bundle digest, on screen and on A4', async () => {
    const org = await organizerClient(harness.t);
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);
    const served = (await (await fetch(`${harness.server.url}/api/public/polls/${pollId}/bundle`)).json()) as BundleV2;
    const { page, problems, context } = await openSheet(pollId);
    await page.getByRole('heading', { level: 1, name: '计票单' }).waitFor();
    expect(await page.locator('.sheet-header').textContent()).toContain('第二党支部党员大会');
    // 5 expected, head count 4, 4 checked in, 3 submitted, 1 said they did not vote; 2 tokens each: 8 issued, 6 returned.
    expect(await facts(page)).toEqual({
      expected: '5 人',
      excluded: '无',
      headCount: '4 人',
      present: '4 人',
      checkedIn: '4 人',
      struck: '0 人',
      late: '0 人',
      writtenOpinions: '1 份',
      submitted: '3 人',
      declaredNotVoted: '1 人',
      refused: '0 次',
      issued: '8 张',
      returned: '6 张',
      valid: '6 张',
      invalid: '0 张',
    });
    expect(await page.locator('.sheet-warning').count()).toBe(0);
    expect(await page.locator('.sheet-results thead th').allTextContents()).toEqual([
      '候选人或题目',
      '发出选票凭证',
      '收回选票',
      '同意',
      '不同意',
      '弃权',
      '其中书面意见',
      '所需票数',
      '计算基数',
      '结果',
      '说明',
    ]);
    // 张三: 2 + 1 written = 3 for, 3 needed (more than half of 5): passed. 李四: 1 + 1 = 2: not passed.
    expect(await resultRow(page, 'c1')).toEqual(['张三', '4', '3', '3', '1', '0', '1', '3', '应到 5', '通过', expect.stringContaining('同意 3 票')]);
    expect(await resultRow(page, 'c2')).toEqual(['李四', '4', '3', '2', '1', '1', '1', '3', '应到 5', '未通过', expect.stringContaining('同意 2 票')]);
    expect(await page.locator('.sheet-facts + p, .sheet-facts ~ p').first().textContent()).toMatch(/^到会人数：/);
    expect(await page.locator('.sheet-signatures tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)))).toEqual([
      ['监票人', '王芳'],
      ['计票人', '李明'],
    ]);
    // The audit log's anchors, as signed in the bundle.
    expect(await page.locator('.sheet-record tr[data-anchor] td').allTextContents()).toEqual([
      `第 ${served.record.opening.seq} 条，${groupHex(served.record.opening.digest.slice(0, 16))}`,
      `第 ${served.record.close.seq} 条，${groupHex(served.record.close.digest.slice(0, 16))}`,
    ]);
    // The digest printed is the SHA-256 of the canonical bundle the server serves, in hex and in the QR code.
    const digest = bundleDigestHex(served);
    expect((await page.locator('.digest-hex').textContent())!.replaceAll(' ', '')).toBe(digest);
    const qr = await page.locator('.sheet-digest svg.qr').screenshot();
    expect(await decodeQrPng(page, qr)).toBe(digest);
    expect(await page.locator('.sheet-notes').textContent()).toMatch(/^说明：清点人数为开始投票前在场清点的有表决权人数/);
    await shoot(page, 'tally-sheet-02-screen');
    await shootPrinted(page, 'tally-sheet-03-print');
    expect(await page.locator('.digest-hex').isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('warns when more submitted than checked in less those who said in the room they did not vote', async () => {
    // 4 checked in, 3 submitted, yet the scrutineers recorded 2 who said they did not vote.
    const other = await publishedAcceptance(harness.t, { title: '第三党支部党员大会', numberPrefix: '2026000', declaredNotVoted: 2 });
    const { page, problems, context } = await openSheet(other.pollId);
    await page.getByRole('heading', { level: 1, name: '计票单' }).waitFor();
    expect((await facts(page))['declaredNotVoted']).toBe('2 人');
    expect(await page.locator('.sheet-warning').textContent()).toBe('注意：提交选票 3 人，多于签到 4 人减去当场声明未投票 2 人，多出 1 人。请监票人核查。');
    await shootPrinted(page, 'tally-sheet-04-warning-print');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('still prints a protocol v1 bundle, with v1’s facts and no audit anchors', async () => {
    const v1 = v1Bundle();
    const { page, problems, context } = await openSheet('v1poll000000', { bundle: v1 });
    await page.getByRole('heading', { level: 1, name: '计票单' }).waitFor();
    // The facts table can come a moment after the heading: read it once it is there.
    await page.locator('tr[data-fact]').first().waitFor();
    expect(await facts(page)).toEqual({
      expected: '3 人',
      excluded: '无',
      present: '3 人',
      writtenOpinions: '0 份',
      issued: '3 张',
      returned: '3 张',
      valid: '3 张',
      invalid: '0 张',
    });
    expect(await resultRow(page, 'c1')).toEqual(['张三', '2', '1', '0', '0', '2', '应到 3', '通过', expect.stringContaining('同意 2 票')]);
    expect(await page.locator('.sheet-record').count()).toBe(0);
    expect((await page.locator('.digest-hex').textContent())!.replaceAll(' ', '')).toBe(bundleDigestHex(v1));
    expect(await page.locator('.sheet-notes').textContent()).toMatch(/^说明：发出选票为已发放的选票凭证数/);
    await shootPrinted(page, 'tally-sheet-05-v1-print');
    expect(problems).toEqual([]);
    await context.close();
  });
});

/** Decodes a PNG screenshot of the QR code: the browser turns it into pixels, @paulmillr/qr reads them. */
async function decodeQrPng(sheet: Page, png: Buffer): Promise<string> {
  // On a blank page of its own, so that nothing here runs under the sheet's CSP or its watch.
  const page = await sheet.context().newPage();
  const image = await page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const data = context.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: data.width, height: data.height, data: [...data.data] };
  }, png.toString('base64'));
  await page.close();
  return decodeQR({ width: image.width, height: image.height, data: Uint8Array.from(image.data) });
}
