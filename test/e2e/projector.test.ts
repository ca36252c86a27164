/**
 * The projector page in Chromium, against the real server with its production CSP, at the two
 * sizes of a meeting room's projector (1920×1080 and 1280×720), protocol v2. A branch meeting
 * accepting three candidates:
 *   - check-in: with the organizer signed in in the browser, the room code very large and the
 *     names not yet checked in; signed out, counts only and a note (neither the code nor a name
 *     anywhere in the page); the one key set fingerprint grouped by four; a new room code shows
 *     without a reload;
 *   - voting: the opening statement (head count, checked in, struck, tokens issued, the audit
 *     log's head), then checked in / submitted / not yet submitted, and never a count of choices;
 *   - close: each candidate's bars, threshold and verdict, with `present` as the quorum's base.
 * The three evaluations with ten candidates: each candidate's registered key fingerprint beside
 * their name (未登记 before), following a registration, and not another device's keys (they wait for a scrutineer),
 * through check-in and voting.
 * When the server refuses the stream (429: here the organizer's account has its 5 live pages
 * open) the corner says the server's reason and that the page reads every 15 s, never 连接中断;
 * the page keeps following by reading and listens again after Retry-After; a bare 429 is said from
 * its code; a stream closed by another answer is asked about once and opened again on 200. After
 * the server ends the stream as idle, the corner says the page reads every 15 s, not 实时更新,
 * until check-in opens.
 * The page follows all of it without reloading (a marker set on `window` survives, and there is
 * one navigation). Each screen: axe-core with zero violations, no scrolling, a screenshot in
 * test-output/screenshots/, no CSP violation or page error.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { signInOverHttp } from '../../server/cli/organizer-http.ts';
import type { LiveMeetingState } from '../../shared/protocol/live.ts';
import type { OpeningStatement } from '../../shared/protocol/bundle.ts';
import { openingStatementDigestHex } from '../../shared/crypto/opening-statement.ts';
import { inspectScreen, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { heldCandidateFingerprint, memoryStore } from '../../shared/protocol/voter-flow.ts';
import { castAll, checkInSlip, collect, createMeeting, openAcceptanceMeeting, openEvaluationMeeting, openVoting, roomCodeOf, type Device } from '../helpers/meeting.ts';
import { ORGANIZER_PASSWORD, organizerClient, seedUser, type TestServer } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });
let t: TestServer;
let url: string;
let browser: Browser;
beforeAll(() => {
  ({ t, browser } = harness);
  url = harness.server.url;
});

const SIZES = [
  { name: '1080p', viewport: { width: 1920, height: 1080 } },
  { name: '720p', viewport: { width: 1280, height: 720 } },
];
const groupHex = (hex: string) => hex.match(/.{4}/g)!.join(' ');
const spacedRoomCode = (code: string) => `${code.slice(0, 3)} ${code.slice(3)}`;

const acceptanceMeeting = () =>
  openAcceptanceMeeting(t, { title: '计算机学院第一党支部党员大会', candidates: ['张三', '李四', '王五'], voters: 5, numberPrefix: '2024' });

interface Screen {
  name: string;
  page: Page;
  problems: string[];
}

/** A projector screen; `signedIn`: the organizer's session cookie is in this browser, as after signing in to the console. */
async function openProjector(meetingId: string, size: (typeof SIZES)[number], options: { signedIn: boolean; title?: string }): Promise<Screen> {
  const context = await browser.newContext({ viewport: size.viewport });
  context.setDefaultTimeout(10_000);
  if (options.signedIn) await signIn(context);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(`${url}/projector?meeting=${meetingId}`);
  await page.getByRole('heading', { level: 1, name: options.title ?? '计算机学院第一党支部党员大会' }).waitFor();
  // Survives only if the page is never reloaded.
  await page.evaluate(() => Object.assign(window, { projectorMarker: 'not reloaded' }));
  return { name: `${size.name}${options.signedIn ? '' : '-signed-out'}`, page, problems };
}

async function signIn(context: BrowserContext, username = 'secretary') {
  const session = await signInOverHttp(url, username, ORGANIZER_PASSWORD);
  const [name, value] = session.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url }]);
}

const figure = (page: Page, which: string) => page.locator(`[data-figure="${which}"] .pj-figure-value`).textContent();
const figures = (page: Page, which: string) => page.locator(`[data-figure="${which}"] .pj-figure-value`).allTextContents();
const absentNames = (page: Page) => page.locator('.pj-absent-names li').allTextContents();
const notReloaded = (page: Page) =>
  page.evaluate(() => [(window as unknown as { projectorMarker?: string }).projectorMarker, performance.getEntriesByType('navigation').length]);
/** The page fits the screen: no scrolling either way. */
const fitsScreen = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight);

async function shoot(screen: Screen, stage: string) {
  expect(await inspectScreen(screen.page, `projector-${screen.name}-${stage}`, { fullPage: false })).toEqual([]);
  expect(await fitsScreen(screen.page), `${screen.name} ${stage} needs scrolling`).toBe(true);
}

describe('the projector page', () => {
  it('shows the room code and the names not yet checked in to the signed-in organizer only, follows the opening and voting by itself, then bars and verdicts', async () => {
    const { org, meetingId, pollId, slips, keySetFingerprint, roomCode } = await acceptanceMeeting();
    const screens: Screen[] = [];
    for (const size of SIZES) screens.push(await openProjector(meetingId, size, { signedIn: true }));
    const outside = await openProjector(meetingId, SIZES[1]!, { signedIn: false });
    const all = [...screens, outside];

    for (const { page } of all) {
      expect(await page.getByRole('img', { name: `签到网址的二维码：${url}/vote` }).count()).toBe(1);
      // One fingerprint for the whole meeting, as printed on every slip.
      expect(await page.locator('.pj-fingerprint').allTextContents()).toEqual([groupHex(keySetFingerprint)]);
      expect(await figure(page, 'checked-in')).toBe('0');
      expect(await page.locator('.pj-figure-of').first().textContent()).toBe('应到 5 人');
    }
    for (const { page } of screens) {
      await expect.poll(() => page.locator('.pj-room-code').textContent()).toBe(spacedRoomCode(roomCode));
      await expect.poll(() => absentNames(page)).toEqual(['党员1', '党员2', '党员3', '党员4', '党员5']);
      expect(await page.locator('.pj-absent h3').textContent()).toBe('未签到名单（5 人）');
    }
    // Nobody signed in: counts only, a note, and neither the code nor a name anywhere in the page.
    await outside.page.getByText('会场码和未签到名单只在支部书记或组织委员登录本浏览器后显示。').waitFor();
    expect(await outside.page.locator('.pj-room-code, .pj-absent').count()).toBe(0);
    expect(await outside.page.content()).not.toContain(roomCode);
    expect(await outside.page.content()).not.toContain('党员1');
    for (const screen of all) await shoot(screen, '1-checkin-empty');

    const devices: Device[] = [];
    for (const slip of slips.slice(0, 4)) devices.push(await checkInSlip(t, slip, roomCode));
    for (const { page } of all) await expect.poll(() => figure(page, 'checked-in'), { timeout: 8000 }).toBe('4');
    for (const { page } of screens) {
      await expect.poll(() => absentNames(page), { timeout: 8000 }).toEqual(['党员5']);
      expect(await page.locator('.pj-absent h3').textContent()).toBe('未签到名单（1 人）');
    }
    expect(await outside.page.content()).not.toContain('党员5');
    for (const screen of all) await shoot(screen, '2-checkin-four');

    // The organizer draws a new room code (the old one was seen outside): the screen follows.
    const drawn = (await org.call('POST', `/api/meetings/${meetingId}/room-code`)).body.roomCode as string;
    expect(drawn).toBe(await roomCodeOf(org, meetingId));
    for (const { page } of screens) await expect.poll(() => page.locator('.pj-room-code').textContent(), { timeout: 15_000 }).toBe(spacedRoomCode(drawn));

    // Voting opens with a head count of 4: the opening statement; the code and the names go.
    await openVoting(org, pollId, 4);
    const statement = (await org.call('GET', `/api/cosign/${pollId}`)).body.opening.statement as OpeningStatement;
    for (const { page } of all) {
      await expect.poll(() => page.locator('.pj-phase').textContent(), { timeout: 8000 }).toBe('投票中');
      expect(await page.locator('[data-opening]').evaluateAll((items) => items.map((i) => [i.getAttribute('data-opening'), i.textContent]))).toEqual([
        ['headCount', '清点人数 4 人'],
        ['checkedIn', '已签到 4 人'],
        ['struck', '划去 0 人'],
        // One token per voter and candidate: 4 × 3.
        ['issued', '发出选票凭证 12 张（每人每项各一张）'],
        // The statement the scrutineers' pages show and sign: its digest, computed here from it.
        ['statement', `声明指纹 ${groupHex(openingStatementDigestHex(statement).slice(0, 16))}`],
        ['record', expect.stringMatching(/^操作记录：第 \d+ 条，[0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4} [0-9a-f]{4}$/)],
      ]);
      expect(await page.locator('.pj-room-code, .pj-absent, .pj-room-note').count()).toBe(0);
      expect([await figure(page, 'checked-in'), await figure(page, 'submitted'), await figure(page, 'not-submitted')]).toEqual(['4', '0', '4']);
    }
    const answers: Record<string, string>[] = [
      { c1: 'agree', c2: 'agree', c3: 'agree' },
      { c1: 'agree', c2: 'disagree', c3: 'agree' },
      { c1: 'agree', c2: 'agree', c3: 'agree' },
      { c1: 'agree', c2: 'disagree', c3: 'abstain' },
    ];
    for (const device of devices) await collect(device);
    for (const [i, device] of devices.slice(0, 3).entries()) await castAll(device, pollId, (q) => answers[i]![q]!);
    for (const { page } of all) await expect.poll(() => figure(page, 'submitted'), { timeout: 8000 }).toBe('3');
    for (const { page } of all) {
      expect(await figure(page, 'not-submitted')).toBe('1');
      // Turnout only: no bar, no verdict, nothing that counts choices.
      expect(await page.locator('.pj-bar, .pj-verdict-badge, .pj-threshold').count()).toBe(0);
      expect(await page.locator('main').textContent()).not.toMatch(/同意|不同意|弃权|通过/);
    }
    for (const screen of all) await shoot(screen, '3-voting');

    await castAll(devices[3]!, pollId, (q) => answers[3]![q]!);
    for (const { page } of all) await expect.poll(() => figure(page, 'submitted'), { timeout: 8000 }).toBe('4');
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);

    for (const screen of all) {
      const { page } = screen;
      await page.locator('.pj-question').first().waitFor({ timeout: 8000 });
      const cards = page.locator('.pj-question');
      expect(await cards.count()).toBe(3);
      expect(await cards.locator('.pj-bar-count').allTextContents()).toEqual(['4', '0', '0', '2', '2', '0', '3', '0', '1']);
      // 5 expected voting members: more than half is 3.
      expect(await cards.locator('.pj-threshold-label').allTextContents()).toEqual(['需 3 票', '需 3 票', '需 3 票']);
      expect(await cards.locator('.pj-verdict .pj-verdict-badge').allTextContents()).toEqual(['通过', '未通过', '通过']);
      expect(await cards.nth(0).locator('.pj-sentence').textContent()).toMatch(/^张三：通过：同意 4 票，超过应到会有表决权正式党员 5 人的半数/);
      // The quorum's base is the head count (present), from the bundle.
      expect(await page.locator('.pj-result-meta').textContent()).toBe('应到 5 人 · 实到 4 人 · 提交选票 4 人');
      expect(await page.locator('.pj-qr').count()).toBe(0);
      expect(await notReloaded(page)).toEqual(['not reloaded', 1]);
      await shoot(screen, '4-result');
    }

    // English, switched on the page itself: still no reload.
    const [large] = screens;
    await large!.page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => large!.page.locator('.pj-question .pj-verdict .pj-verdict-badge').first().textContent()).toBe('Passed');
    expect(await large!.page.locator('.pj-question').first().locator('.pj-sentence').textContent()).toMatch(/^张三: Passed/);
    expect(await large!.page.locator('.pj-result-meta').textContent()).toBe('5 expected · 4 present · 4 submitted');
    await shoot(large!, '5-result-en');
    expect(await notReloaded(large!.page)).toEqual(['not reloaded', 1]);

    for (const screen of all) expect(screen.problems).toEqual([]);
    for (const screen of all) await screen.page.context().close();
  });

  it('says plainly when the meeting does not exist or the address has none', async () => {
    const context = await browser.newContext({ viewport: SIZES[1]!.viewport });
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${url}/projector?meeting=nosuchmeeting000`);
    await page.getByRole('heading', { name: '没有这个会议，请检查地址中的会议编号' }).waitFor();
    await page.goto(`${url}/projector`);
    await page.getByRole('heading', { name: /地址中缺少会议编号/ }).waitFor();
    expect(await inspectScreen(page, 'projector-720p-no-meeting', { fullPage: false })).toEqual([]);
    expect(problems.filter((p) => !/404/.test(p))).toEqual([]);
    await context.close();
  });

  it('keeps the room code on the screen after the opening when the meeting allows late check-in, for the signed-in organizer only', async () => {
    const { org, meetingId, pollId, slips, roomCode } = await openAcceptanceMeeting(t, { title: '计算机学院第四党支部党员大会', candidates: ['张三'], voters: 3, numberPrefix: '2028' });
    expect((await org.call('PUT', `/api/meetings/${meetingId}/late-check-in`, { allowed: true, exposureAccepted: true })).status).toBe(200);
    for (const slip of slips.slice(0, 2)) await checkInSlip(t, slip, roomCode);
    await openVoting(org, pollId, 2);
    const screen = await openProjector(meetingId, SIZES[1]!, { signedIn: true, title: '计算机学院第四党支部党员大会' });
    const outside = await openProjector(meetingId, SIZES[1]!, { signedIn: false, title: '计算机学院第四党支部党员大会' });
    await expect.poll(() => screen.page.locator('.pj-room-code').textContent()).toBe(spacedRoomCode(roomCode));
    expect(await screen.page.locator('.pj-room-label').textContent()).toBe('补签到会场码');
    expect(await screen.page.locator('.pj-phase').textContent()).toBe('投票中');
    await shoot(screen, 'late-checkin');
    await outside.page.locator('[data-opening="headCount"]').waitFor();
    expect(await outside.page.content()).not.toContain(roomCode);
    for (const s of [screen, outside]) {
      expect(s.problems).toEqual([]);
      await s.page.context().close();
    }
  });

  it('names refused submissions, those who said they did not vote, and the note on the head count', async () => {
    // A state the room could see only if the ballot box refused submissions (no token left
    // under a key): served in place of the stream, since an honest server cannot be made to.
    // `final`, so that the page reads it once and opens no stream.
    const state: LiveMeetingState = {
      meetingId: 'm-refused',
      title: '第三党支部党员大会',
      checkinUrl: `${url}/vote`,
      keySetFingerprint: '0123456789abcdef',
      final: true,
      polls: [
        {
          id: 'p-refused',
          title: '接收预备党员',
          kind: 'member_acceptance',
          phase: 'voting',
          questions: [{ id: 'c1', type: 'single', title: '张三', options: ['agree', 'disagree', 'abstain'] }],
          expected: 9,
          checkedIn: 7,
          submitted: 6,
          refusedOverIssued: 2,
          declaredNotVoted: 1,
          opening: { headCount: 8, headCountNote: '一位党员手机没电，在场未签到', checkedIn: 7, struck: 1, issued: 7, recordSeq: 41, recordDigest: '9f0c3e1d2b4a6c8e', statementDigest: '3c9a0f1e7d2b5a64', cosigned: 1, cosigners: 2 },
        },
      ],
    };
    for (const size of SIZES) {
      const context = await browser.newContext({ viewport: size.viewport });
      const page = await context.newPage();
      const problems = watchForProblems(page);
      await page.route('**/api/public/live/meetings/m-refused/events', (route) => route.fulfill({ json: state }));
      await page.route('**/api/meetings/m-refused/room-code', (route) => route.fulfill({ status: 401, json: { error: { code: 'unauthenticated', message: 'sign in first' } } }));
      await page.goto(`${url}/projector?meeting=m-refused`);
      await page.getByRole('heading', { level: 1, name: '第三党支部党员大会' }).waitFor();
      expect(await page.locator('[data-turnout="refused"]').textContent()).toBe('因选票凭证已用完而被拒绝的提交：2 次');
      expect(await page.locator('[data-turnout="declared"]').textContent()).toBe('当场声明未投票：1 人');
      expect(await page.locator('.pj-opening-note').textContent()).toBe('说明：一位党员手机没电，在场未签到');
      expect(await page.locator('[data-opening="struck"]').textContent()).toBe('划去 1 人');
      expect(await page.locator('[data-opening="statement"]').textContent()).toBe('声明指纹 3c9a 0f1e 7d2b 5a64');
      expect(await page.locator('[data-opening="cosigned"]').textContent()).toBe('监票人联署 1/2');
      expect([await figure(page, 'checked-in'), await figure(page, 'submitted'), await figure(page, 'not-submitted')]).toEqual(['7', '6', '1']);
      await shoot({ name: size.name, page, problems }, 'refused');
      // In English too, where the words are longer: still no scrolling.
      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('[data-opening="cosigned"]').getByText('co-signed by 1 of 2 scrutineers').waitFor();
      await shoot({ name: size.name, page, problems }, 'refused-en');
      expect(problems).toEqual([]);
      await context.close();
    }
  });
});

describe('a meeting with two polls', () => {
  it('shows both polls’ turnout with one QR code, one fingerprint and one room code, their openings (one with a check-in struck), then a closed poll’s result beside the open one', async () => {
    const org = await organizerClient(t);
    const meetingId = (await org.call('POST', '/api/meetings', { title: '计算机学院第二党支部党员大会' })).body.id as string;
    const acceptance = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '接收预备党员',
      kind: 'member_acceptance',
      candidates: [
        { id: 'c1', name: '张三' },
        { id: 'c2', name: '李四' },
      ],
    });
    const recommendation = await org.call('POST', `/api/meetings/${meetingId}/polls`, {
      title: '推荐优秀团员作为入党积极分子',
      kind: 'league_recommendation',
      candidates: [
        { id: 'w', name: '王五' },
        { id: 'z', name: '赵六' },
        { id: 'q', name: '钱七' },
      ],
      maxChoices: 2,
    });
    expect([acceptance.status, recommendation.status]).toEqual([201, 201]);
    const roster = Array.from({ length: 5 }, (_, i) => ({ name: `党员${i + 1}`, number: `2025${i}` }));
    await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster });
    await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { voterId: string; link: string }[];
    const roomCode = await roomCodeOf(org, meetingId);
    const screens = [];
    for (const size of SIZES) screens.push(await openProjector(meetingId, size, { signedIn: true, title: '计算机学院第二党支部党员大会' }));
    for (const { page } of screens) {
      expect(await page.locator('.pj-turnout').count()).toBe(2);
      expect(await page.locator('.pj-qr').count()).toBe(1);
      expect(await page.locator('.pj-fingerprint').count()).toBe(1);
      await expect.poll(() => page.locator('.pj-room-code').allTextContents()).toEqual([spacedRoomCode(roomCode)]);
    }

    for (const slip of slips.slice(0, 4)) await checkInSlip(t, slip, roomCode);
    for (const { page } of screens) {
      await expect.poll(() => figures(page, 'checked-in'), { timeout: 8000 }).toEqual(['4', '4']);
      await expect.poll(() => page.locator('.pj-absent-names').evaluateAll((lists) => lists.map((l) => l.textContent)), { timeout: 8000 }).toEqual(['党员5', '党员5']);
    }
    for (const screen of screens) await shoot(screen, 'two-polls-1-checkin');

    // The recommendation strikes the third voter's check-in (not in the room); 3 counted there,
    // still more than half of the 5.
    const opened = await org.call('POST', `/api/meetings/${meetingId}/transition`, {
      to: 'voting',
      openings: { [acceptance.body.id]: { headCount: 4 }, [recommendation.body.id]: { headCount: 3, strike: [slips[2]!.voterId] } },
    });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    for (const { page } of screens) {
      await expect.poll(() => page.locator('[data-opening="struck"]').allTextContents(), { timeout: 8000 }).toEqual(['划去 0 人', '划去 1 人']);
      expect(await page.locator('[data-opening="headCount"]').allTextContents()).toEqual(['清点人数 4 人', '清点人数 3 人']);
      expect(await figures(page, 'checked-in')).toEqual(['4', '3']);
    }
    for (const screen of screens) await shoot(screen, 'two-polls-2-voting');

    await org.call('POST', `/api/polls/${acceptance.body.id}/transition`, { to: 'closed' });
    for (const screen of screens) {
      await screen.page.locator('.pj-question').first().waitFor({ timeout: 8000 });
      expect(await screen.page.locator('.pj-turnout').count()).toBe(1);
      expect(await screen.page.locator('.pj-qr').count()).toBe(1);
      await shoot(screen, 'two-polls-3-one-closed');
      expect(await notReloaded(screen.page)).toEqual(['not reloaded', 1]);
      expect(screen.problems).toEqual([]);
      await screen.page.context().close();
    }
  });
});

describe('the three evaluations', () => {
  const NAMES = ['王芳', '李明', '张伟', '刘洋', '陈静', '杨帆', '赵磊', '黄丽', '周杰', '阿依古丽·买买提'];
  /** Each candidate's line as the room reads it: name, then fingerprint or 未登记. */
  const keyLines = (page: Page) =>
    page.locator('.pj-candidate-key-list li').evaluateAll((items) => items.map((li) => [li.querySelector('.pj-candidate-name')?.textContent, li.lastElementChild?.textContent]));

  it('shows each candidate’s own key fingerprint beside their name, 未登记 before, follows a registration, keeps it when another device registers for the same candidate, through check-in and voting', async () => {
    const title = '计算机学院 2024 级发展对象评议';
    const { org, meetingId, pollId, slipOf, roomCode } = await openEvaluationMeeting(t, { title, candidates: NAMES, numberPrefix: '2030' });
    const screens: Screen[] = [];
    for (const size of SIZES) screens.push(await openProjector(meetingId, size, { signedIn: true, title }));
    const outside = await openProjector(meetingId, SIZES[1]!, { signedIn: false, title });
    const all = [...screens, outside];
    for (const { page } of all) {
      await page.locator('.pj-candidate-keys h3').getByText('被评人的个人密钥指纹').waitFor();
      expect(await keyLines(page)).toEqual(NAMES.map((name) => [name, '未登记']));
      expect(await page.locator('.pj-candidate-keys .pj-hint').textContent()).toBe('被评人请核对手机上“你的个人密钥”与此一致；不一致请马上告诉监票人');
    }
    for (const { page } of screens) await expect.poll(() => page.locator('.pj-room-code').textContent()).toBe(spacedRoomCode(roomCode));
    for (const screen of all) await shoot(screen, 'eval-1-checkin-none');

    // 李明 checks in on his phone: the very fingerprint his phone shows under 你的个人密钥.
    const phone = await checkInSlip(t, slipOf('李明'), roomCode);
    const fingerprint = heldCandidateFingerprint(phone.store, phone.voter, pollId)!;
    for (const { page } of all) {
      await expect.poll(() => page.locator('[data-candidate="c2"] .pj-candidate-fingerprint').textContent(), { timeout: 8000 }).toBe(groupHex(fingerprint));
      expect(await keyLines(page)).toEqual(NAMES.map((name) => [name, name === '李明' ? groupHex(fingerprint) : '未登记']));
    }
    // Someone checks in with his code on another device: its keys only wait for a scrutineer
    // (test/e2e/candidate-keys.test.ts); the room keeps seeing his.
    const other = await checkInSlip(t, slipOf('李明'), roomCode, memoryStore());
    const waiting = heldCandidateFingerprint(other.store, other.voter, pollId)!;
    expect(waiting).not.toBe(fingerprint);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // more than the stream's interval
    for (const { page } of all) expect(await page.locator('[data-candidate="c2"] .pj-candidate-fingerprint').textContent()).toBe(groupHex(fingerprint));

    // Everyone but 阿依古丽·买买提 and the teachers checks in: nine fingerprints, one 未登记, on every screen size.
    const expected = new Map<string, string>([['李明', groupHex(fingerprint)]]);
    for (const name of NAMES.slice(0, 9).filter((n) => n !== '李明')) {
      const device = await checkInSlip(t, slipOf(name), roomCode);
      expected.set(name, groupHex(heldCandidateFingerprint(device.store, device.voter, pollId)!));
    }
    const lines = NAMES.map((name) => [name, expected.get(name) ?? '未登记']);
    for (const { page } of all) await expect.poll(() => keyLines(page), { timeout: 8000 }).toEqual(lines);
    for (const screen of all) await shoot(screen, 'eval-2-checkin-nine');
    const [large] = screens;
    await large!.page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => large!.page.locator('.pj-candidate-keys h3').textContent()).toBe('Candidates’ own key fingerprints');
    expect(await keyLines(large!.page)).toEqual(lines.map(([name, key]) => [name, key === '未登记' ? 'not registered' : key]));
    // The check-in panel's English already runs a few pixels below 1080 lines (its own texts, not the
    // list): here the list is held to its panel and the screen, with axe and the width checked.
    expect(await inspectScreen(large!.page, 'projector-1080p-eval-3-checkin-nine-en', { fullPage: false })).toEqual([]);
    expect(await large!.page.evaluate(() => document.querySelector('.pj-candidate-keys')!.getBoundingClientRect().bottom <= Math.min(innerHeight, document.querySelector('.pj-turnout')!.getBoundingClientRect().bottom))).toBe(true);
    await large!.page.getByRole('button', { name: '中文' }).click();

    await openVoting(org, pollId, 9);
    for (const { page } of all) {
      await expect.poll(() => page.locator('.pj-phase').textContent(), { timeout: 8000 }).toBe('投票中');
      expect(await keyLines(page)).toEqual(lines);
    }
    for (const screen of all) await shoot(screen, 'eval-4-voting');

    for (const screen of all) {
      expect(await notReloaded(screen.page)).toEqual(['not reloaded', 1]);
      expect(screen.problems).toEqual([]);
      await screen.page.context().close();
    }
  });
});

describe('when the server refuses the live stream or ends it', () => {
  const liveText = (page: Page) => page.locator('.pj-live').textContent();
  const eventsUrl = (meetingId: string) => `${url}/api/public/live/meetings/${meetingId}/events`;
  /** The page's requests for the stream: the EventSource's, and the fetch that asks why one closed. */
  function streamRequests(page: Page) {
    const seen = { eventSource: 0, asked: 0 };
    page.on('request', (request) => {
      if (!/\/api\/public\/live\/meetings\/[^/]+\/events$/.test(request.url())) return;
      if (request.resourceType() === 'eventsource') seen.eventSource++;
      else if (/text\/event-stream/.test(request.headers()['accept'] ?? '')) seen.asked++;
    });
    return seen;
  }
  /** Every text the corner indicator shows from now on, to show what it never said on the way. */
  const recordLiveTexts = (page: Page) =>
    page.evaluate(() => {
      const texts: string[] = [];
      Object.assign(window, { liveTexts: texts });
      new MutationObserver(() => {
        const text = document.querySelector('.pj-live')?.textContent;
        if (text && texts.at(-1) !== text) texts.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  const liveTexts = (page: Page) => page.evaluate(() => (window as unknown as { liveTexts: string[] }).liveTexts);

  /**
   * The page's next read of the state: its 15-second timer moved on without waiting for it (the
   * page's clock is Playwright's), and that read's answer arrived.
   */
  async function nextRead(page: Page) {
    const read = page.waitForEvent('requestfinished', (request) => request.url().endsWith('/events') && request.resourceType() === 'fetch' && request.headers()['accept'] === 'application/json');
    await page.clock.fastForward(16_000);
    await read;
  }
  /** The server reads a meeting's state at most once a second: a change shows in the next read once the server's copy has it. */
  async function serverSees(meetingId: string, seen: (poll: LiveMeetingState['polls'][number] | undefined) => boolean) {
    await expect.poll(async () => seen(((await (await fetch(eventsUrl(meetingId))).json()) as LiveMeetingState).polls[0])).toBe(true);
  }

  it('says the server’s reason and that it reads every 15 s (never 连接中断), keeps the room code, follows check-ins by reading, and listens again after Retry-After once a stream is free', async () => {
    // An organizer of their own (the other tests' pages, closing, are not counted with theirs),
    // whose account already has its 5 live pages open: another room, other tabs.
    const title = '计算机学院第五党支部党员大会';
    seedUser(t, 'chair');
    const org = await organizerClient(t, 'chair');
    const meetingId = (await org.call('POST', '/api/meetings', { title })).body.id as string;
    expect((await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] })).status).toBe(201);
    const roster = Array.from({ length: 3 }, (_, i) => ({ name: `党员${i + 1}`, number: `2031${i}` }));
    expect((await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster })).status).toBe(201);
    expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { link: string }[];
    const roomCode = await roomCodeOf(org, meetingId);
    const { cookie } = await signInOverHttp(url, 'chair', ORGANIZER_PASSWORD);
    const held: AbortController[] = [];
    onTestFinished(() => held.forEach((abort) => abort.abort()));
    const openStream = async () => {
      const abort = new AbortController();
      const answer = await fetch(eventsUrl(meetingId), { headers: { accept: 'text/event-stream', cookie }, signal: abort.signal });
      held.push(abort);
      return answer;
    };
    for (let i = 0; i < 5; i++) expect((await openStream()).status).toBe(200);
    const sixth = await openStream();
    expect(sixth.status).toBe(429);
    expect((await sixth.json()).error).toMatchObject({ code: 'rate_limited', messageZh: expect.stringContaining('这个账号已打开 5 个实时页面') });

    const context = await browser.newContext({ viewport: SIZES[0]!.viewport });
    context.setDefaultTimeout(10_000);
    await signIn(context, 'chair');
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const seen = streamRequests(page);
    await page.clock.install();
    await page.goto(`${url}/projector?meeting=${meetingId}`);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.evaluate(() => Object.assign(window, { projectorMarker: 'not reloaded' }));
    await recordLiveTexts(page);
    // The server's reason, without its "try again in 30 seconds": the page tries again by itself.
    await expect.poll(() => liveText(page)).toMatch(/^实时连接已满：这个账号已打开 5 个实时页面[^。]*。每 15 秒刷新一次$/);
    expect(await liveText(page)).not.toContain('再试');
    expect(await page.locator('.pj-live').getAttribute('class')).not.toContain('pj-live-lost');
    expect(await page.locator('main').textContent()).not.toContain('连接中断');
    // Asked once why the stream closed; the room code is there as always for the signed-in organizer.
    expect(seen).toEqual({ eventSource: 1, asked: 1 });
    await expect.poll(() => page.locator('.pj-room-code').textContent()).toBe(spacedRoomCode(roomCode));
    const screen = { name: '1080p', page, problems };
    await shoot(screen, 'stream-refused');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => liveText(page)).toMatch(/^Live updates are full: this account has 5 live pages open already[^.]*\. Refreshing every 15 s$/);
    expect(await liveText(page)).not.toMatch(/try again/i);
    await shoot(screen, 'stream-refused-en');
    await page.getByRole('button', { name: '中文' }).click();

    // Still following the meeting, by reading: a check-in shows at the next read. Before
    // Retry-After (30 s) has passed, the stream is not asked for again.
    await checkInSlip(t, slips[0]!, roomCode);
    await serverSees(meetingId, (poll) => poll?.checkedIn === 1);
    await nextRead(page);
    await expect.poll(() => figure(page, 'checked-in')).toBe('1');
    expect(seen).toEqual({ eventSource: 1, asked: 1 });
    expect(await liveText(page)).toMatch(/^实时连接已满/);

    // Two pages are closed: at the next read after Retry-After the page listens again, and a
    // check-in then arrives by the stream, with no read due.
    for (const abort of held.splice(0, 2)) abort.abort();
    await nextRead(page);
    await expect.poll(() => liveText(page)).toBe('实时更新');
    expect(seen.eventSource).toBe(2);
    await checkInSlip(t, slips[1]!, roomCode);
    await expect.poll(() => figure(page, 'checked-in'), { timeout: 8000 }).toBe('2');
    await shoot(screen, 'stream-free-again');
    expect((await liveTexts(page)).filter((text) => /连接中断|Connection lost/.test(text))).toEqual([]);
    // (The fake clock replaces `performance` too: the marker alone shows there was no reload.)
    expect((await notReloaded(page))[0]).toBe('not reloaded');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says a bare 429 (no reason given, as from a proxy) from its code; a stream closed by another answer is asked about once and, answered 200, opened again', async () => {
    const title = '计算机学院第六党支部党员大会';
    const { meetingId, slips, roomCode } = await openAcceptanceMeeting(t, { title, candidates: ['张三'], voters: 2, numberPrefix: '2032' });
    const context = await browser.newContext({ viewport: SIZES[1]!.viewport });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const seen = streamRequests(page);
    let answer: 'bare 429' | '503' | 'server' = 'bare 429';
    await page.route(`**/api/public/live/meetings/${meetingId}/events`, (route) => {
      const streamWanted = /text\/event-stream/.test(route.request().headers()['accept'] ?? '');
      if (!streamWanted || answer === 'server') return route.fallback();
      if (answer === 'bare 429') return route.fulfill({ status: 429, contentType: 'text/plain', body: 'Too Many Requests' });
      // The EventSource gets a 503 once; the fetch that asks why goes to the server and gets 200.
      if (route.request().resourceType() === 'eventsource') {
        answer = 'server';
        return route.fulfill({ status: 503, contentType: 'text/plain', body: 'Service Unavailable' });
      }
      return route.fallback();
    });
    await page.clock.install();
    await page.goto(`${url}/projector?meeting=${meetingId}`);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await recordLiveTexts(page);
    await expect.poll(() => liveText(page)).toBe('实时连接已满：服务器限制了同时打开的实时页面数。每 15 秒刷新一次');
    expect(seen).toEqual({ eventSource: 1, asked: 1 });
    await shoot({ name: '720p-signed-out', page, problems }, 'stream-refused-bare');

    // No Retry-After: the next read (15 s) asks for the stream again; it closes with a 503, the
    // page asks once, the server answers 200, and the page listens again (no 连接中断 on the way).
    answer = '503';
    await nextRead(page);
    await expect.poll(() => liveText(page)).toBe('实时更新');
    expect(seen).toEqual({ eventSource: 3, asked: 2 });
    await checkInSlip(t, slips[0]!, roomCode);
    await expect.poll(() => figure(page, 'checked-in'), { timeout: 8000 }).toBe('1');
    expect((await liveTexts(page)).filter((text) => /连接中断/.test(text))).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('after the server ends the stream as idle (nothing open), says it reads every 15 s instead of 实时更新, and listens again once check-in opens', async () => {
    const { org, meetingId } = await createMeeting(t, { voters: 2, open: 'draft' });
    const context = await browser.newContext({ viewport: SIZES[0]!.viewport });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const seen = streamRequests(page);
    // The server ends an idle meeting's stream after LIVE_IDLE_MINUTES; here at once, with the
    // very state it would send first.
    const state = await (await fetch(eventsUrl(meetingId))).text();
    let ended = false;
    await page.route(`**/api/public/live/meetings/${meetingId}/events`, (route) => {
      if (ended || route.request().resourceType() !== 'eventsource') return route.fallback();
      ended = true;
      return route.fulfill({ status: 200, contentType: 'text/event-stream', body: `event: state\ndata: ${state}\n\nevent: idle\ndata: {}\n\n` });
    });
    await page.clock.install();
    await page.goto(`${url}/projector?meeting=${meetingId}`);
    await page.getByRole('heading', { level: 1, name: 'Branch meeting' }).waitFor();
    await expect.poll(() => liveText(page)).toBe('暂无进行中的签到或投票，每 15 秒刷新一次');
    expect(await page.locator('.pj-live').getAttribute('data-live')).toBe('idle');
    await shoot({ name: '1080p-signed-out', page, problems }, 'idle');
    // Nothing opens: the page reads and does not listen.
    await nextRead(page);
    await nextRead(page);
    expect(seen.eventSource).toBe(1);
    expect(await liveText(page)).toBe('暂无进行中的签到或投票，每 15 秒刷新一次');

    expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
    await serverSees(meetingId, (poll) => poll?.phase === 'checkin');
    await nextRead(page);
    await expect.poll(() => liveText(page)).toBe('实时更新');
    expect(seen.eventSource).toBe(2);
    await expect.poll(() => page.locator('.pj-phase').textContent()).toBe('签到中');
    expect(problems).toEqual([]);
    await context.close();
  });
});
