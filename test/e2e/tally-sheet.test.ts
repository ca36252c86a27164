/**
 * The printable tally sheet (计票单) in a real browser: a branch meeting through the HTTP API
 * (five members, one written opinion, four check in, three vote, two scrutineers named), then
 *   - closed but not published: nobody but the signed-in organizer gets the sheet;
 *   - published: anyone gets it, with the right facts and counts, and the digest printed (hex
 *     and QR) equals bundleDigestHex of the bundle the server serves;
 *   - printed: A4 print CSS leaves the site's frame and the buttons off the paper.
 * Screens pass axe-core with zero violations and are saved as screenshots, the print one too.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signInOverHttp } from '../../server/cli/organizer-http.ts';
import { bundleDigestHex } from '../../shared/crypto/bundle-digest.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import { castWithToken } from '../../shared/protocol/voter-flow.ts';
import decodeQR from '@paulmillr/qr/decode.js';
import { setUpBrowserServer, inspectScreen, watchForProblems } from '../helpers/browser.ts';
import { checkInSlip } from '../helpers/meeting.ts';
import { inProcessFetch, ORGANIZER_PASSWORD, organizerClient } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });

let org: Awaited<ReturnType<typeof organizerClient>>;
let pollId: string;
let meetingId: string;

/** A member-acceptance poll, voted and closed (not yet published). */
beforeAll(async () => {
  const { t } = harness;
  org = await organizerClient(t);
  meetingId = (await org.call('POST', '/api/meetings', { title: '第二党支部党员大会' })).body.id;
  const poll = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
    title: '接收预备党员',
    kind: 'member_acceptance',
    candidates: [
      { id: 'c1', name: '张三' },
      { id: 'c2', name: '李四' },
    ],
  });
  pollId = poll.body.id;
  const voters = (
    await org.call('POST', `/api/meetings/${meetingId}/voters`, {
      voters: ['党员甲', '党员乙', '党员丙', '党员丁', '党员戊'].map((name, i) => ({ name, number: `2025000${i}` })),
    })
  ).body.voters as { id: string }[];
  expect((await org.call('PUT', `/api/polls/${pollId}/written-opinions/${voters[4]!.id}`, { choices: { c1: 'agree', c2: 'agree' } })).status).toBe(200);
  expect((await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '王芳', role: 'supervisor' }, { name: '李明', role: 'counter' }] })).status).toBe(200);
  await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
  const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { voterId: string; link: string }[];
  const held = await Promise.all(slips.filter((s) => s.voterId !== voters[4]!.id).map((slip) => checkInSlip(t, slip)));
  await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'voting' });
  const api = createVoterApi('', inProcessFetch(t));
  const votes = [
    { c1: 'agree', c2: 'agree' },
    { c1: 'agree', c2: 'disagree' },
    { c1: 'disagree', c2: 'abstain' },
  ];
  await Promise.all(votes.map((choices, i) => castWithToken(api, held[i]!.store, held[i]!.token, choices)));
  expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
}, 60_000);

async function openSheet(options: { cookie?: string } = {}) {
  const context = await harness.browser.newContext({ viewport: { width: 900, height: 1200 } });
  context.setDefaultTimeout(15_000);
  if (options.cookie) {
    const [name, value] = options.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: harness.server.url }]);
  }
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(`${harness.server.url}/tally-sheet?poll=${pollId}`);
  return { context, page, problems };
}

async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, name)).toEqual([]);
}

const facts = (page: Page) =>
  page.locator('tr[data-fact]').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-fact'), r.querySelector('td')!.textContent])));
const resultRow = (page: Page, id: string) => page.locator(`.sheet-results tr[data-row="${id}"] td`).allTextContents();

describe('the tally sheet', () => {
  it('of a closed poll not yet published: refused to the public, shown to the signed-in organizer', async () => {
    const anonymous = await openSheet();
    await expect.poll(() => anonymous.page.getByRole('alert').textContent()).toBe('这项投票尚未公布。组织者登录后才能打印其计票单。');
    await shoot(anonymous.page, 'tally-sheet-01-not-published');
    await anonymous.context.close();

    const session = await signInOverHttp(harness.server.url, 'secretary', ORGANIZER_PASSWORD);
    const organizer = await openSheet({ cookie: session.cookie });
    await organizer.page.getByRole('heading', { level: 1, name: '计票单' }).waitFor();
    expect(await organizer.page.locator('.sheet-header').textContent()).toContain('尚未公布');
    expect((await facts(organizer.page))['expected']).toBe('5');
    expect(organizer.problems).toEqual([]);
    await organizer.context.close();
  });

  it('of a published poll: facts, counts, verdicts, scrutineers and the bundle digest, on screen and on A4', async () => {
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);
    const served = await (await fetch(`${harness.server.url}/api/public/polls/${pollId}/bundle`)).json();
    const { page, problems, context } = await openSheet();
    await page.getByRole('heading', { level: 1, name: '计票单' }).waitFor();
    expect(await page.locator('.sheet-header').textContent()).toContain('第二党支部党员大会');
    // 5 expected, 4 checked in (the fifth sent a written opinion), 4 tokens issued, 3 ballots returned.
    expect(await facts(page)).toEqual({
      expected: '5',
      excluded: '无',
      present: '4',
      writtenOpinions: '1',
      issued: '4',
      returned: '3',
      valid: '3',
      invalid: '0',
    });
    // 张三: 2 + 1 written = 3 for, 3 needed (more than half of 5): passed. 李四: 1 + 1 = 2: not passed.
    expect(await resultRow(page, 'c1')).toEqual(['张三', '3', '1', '0', '1', '3', '应到 5', '通过', expect.stringContaining('同意 3 票')]);
    expect(await resultRow(page, 'c2')).toEqual(['李四', '2', '1', '1', '1', '3', '应到 5', '未通过', expect.stringContaining('同意 2 票')]);
    expect(await page.locator('.sheet-signatures tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)))).toEqual([
      ['监票人', '王芳'],
      ['计票人', '李明'],
    ]);
    // The digest printed is the SHA-256 of the canonical bundle the server serves, in hex and in the QR code.
    const digest = bundleDigestHex(served);
    expect((await page.locator('.digest-hex').textContent())!.replaceAll(' ', '')).toBe(digest);
    const qr = await page.locator('.sheet-digest svg.qr').screenshot();
    expect(await decodeQrPng(page, qr)).toBe(digest);
    await shoot(page, 'tally-sheet-02-screen');

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.topbar').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: '打印' }).isVisible()).toBe(false);
    expect(await page.locator('.digest-hex').isVisible()).toBe(true);
    await page.setViewportSize({ width: 688, height: 1123 }); // A4 less 14 mm margins each side, at 96 dpi
    await shoot(page, 'tally-sheet-03-print');
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
