/**
 * The scrutineer's page (/cosign) in a real browser, under protocol v2.
 *  - Co-signing: the scrutineer signs in, generates and registers a key before close (the secret
 *    stays in this browser), and after close compares the digest and signs. The exported bundle
 *    then carries a co-signature that the verifier accepts.
 *  - Late check-in: the branch secretary allows it in the console (after a confirmation that
 *    names the timing exposure); voting opens; a member who arrives late checks in on their
 *    phone, which shows a confirmation code while it waits; the console's sign-in sheet shows
 *    them waiting; the scrutineer named for the poll sees their name, number and that code on
 *    /cosign. The organizer, who holds every slip, checks in again with the member's code: the
 *    scrutineer's approval with the code they compared is refused, the page says why, and the
 *    member's phone says its check-in was replaced. The member checks in again on their phone,
 *    the scrutineer approves the new code, the phone votes, and the bundle counts one late
 *    check-in; both replacements are in the record.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { bundleDigestHex } from '../../shared/crypto/bundle-digest.ts';
import { fromBase64, toBase64 } from '../../shared/encoding.ts';
import type { Bundle, BundleV2, OpeningStatement } from '../../shared/protocol/bundle.ts';
import { openingStatementDigestHex } from '../../shared/crypto/opening-statement.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { newPhoneContext, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { shoot, signInToConsole } from '../helpers/console-browser.ts';
import { castAll, checkInSlip, collect, openVoting, roomCodeOf, tokensOf, type Slip } from '../helpers/meeting.ts';
import { checkIn, openPhone } from '../helpers/voter-page.ts';
import { groupLateCheckInCode } from '../../shared/protocol/late-checkin-code.ts';
import { pendingCheckinCode } from '../../shared/protocol/voter-flow.ts';
import { ORGANIZER_PASSWORD, organizerClient, seedUser, type TestServer } from '../helpers/test-server.ts';

const harness = setUpBrowserServer();

/** A branch with its secretary and one scrutineer account, and a meeting accepting 张三 with `voters` full members. */
async function branchMeeting(t: TestServer, tag: 'a' | 'b' | 'c', voters: number) {
  if (!t.deps.db.$client.prepare('SELECT 1 FROM users WHERE username = ?').get('orgdept')) seedUser(t, 'orgdept', 'admin');
  const admin = await organizerClient(t, 'orgdept');
  const unitId = (await admin.call('POST', '/api/units', { name: `第${{ a: '一', b: '二', c: '三' }[tag]}党支部` })).body.id;
  for (const [username, role] of [[`sec-${tag}`, 'organizer'], [`zhao-${tag}`, 'scrutineer']])
    expect((await admin.call('POST', '/api/users', { username, password: ORGANIZER_PASSWORD, role, unitId })).status).toBe(201);
  const org = await organizerClient(t, `sec-${tag}`);
  const meetingId = (await org.call('POST', '/api/meetings', { title: '党员大会' })).body.id as string;
  const pollId = (await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] })).body
    .id as string;
  const roster = Array.from({ length: voters }, (_, i) => ({ name: `党员${'甲乙丙丁戊'[i]}`, number: `${tag}-${i}` }));
  expect((await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster })).status).toBe(201);
  expect((await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '赵监票', role: 'supervisor', account: `zhao-${tag}` }] })).status).toBe(200);
  return { org, meetingId, pollId, scrutineer: `zhao-${tag}`, secretary: `sec-${tag}` };
}

/** The scrutineer's phone, signed in on /cosign for the poll. */
async function scrutineerPage(pollId: string, username: string) {
  const context = await newPhoneContext(harness.browser);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(`${harness.server.url}/cosign?poll=${pollId}`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
  return { context, page, problems };
}

async function shootPhone(page: Page, name: string) {
  await shoot(page, name);
}

describe('the scrutineer’s page', () => {
  it('registers a key generated in the page before close, then signs the digest after close', { timeout: 120_000 }, async () => {
    const { t } = harness;
    const { org, meetingId, pollId, scrutineer } = await branchMeeting(t, 'a', 3);
    const { context, page, problems } = await scrutineerPage(pollId, scrutineer);
    await shootPhone(page, 'cosign-01-sign-in');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('赵监票（监票人）').waitFor();
    await shootPhone(page, 'cosign-02-register');
    await page.getByRole('button', { name: '生成并登记我的签名密钥' }).click();
    await page.getByText('本设备保存着对应的签名密钥', { exact: false }).waitFor();

    // The page registered the public key of a secret that only this browser holds.
    const secret = await page.evaluate(({ id, user }) => localStorage.getItem(`anon-ballot.cosign:${id}:${user}`), { id: pollId, user: scrutineer });
    expect(JSON.stringify((await org.call('GET', `/api/polls/${pollId}/record`)).body)).not.toContain(secret!);
    const publicKey = toBase64(ed25519.getPublicKey(fromBase64(secret!)));
    expect(await page.locator('.key-text').textContent()).toBe(publicKey);

    // The meeting runs (v2): three members check in, voting opens with the head count, they submit, the poll closes.
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as Slip[];
    const roomCode = await roomCodeOf(org, meetingId);
    const devices = [];
    for (const slip of slips) devices.push(await checkInSlip(t, slip, roomCode));
    await openVoting(org, pollId, 3);

    // While voting is open: the opening statement, its fingerprint computed in the page from the
    // facts it shows (the projector shows the same), and the co-signature.
    const statement = (await org.call('GET', `/api/cosign/${pollId}`)).body.opening.statement as OpeningStatement;
    await page.getByRole('heading', { name: '开始投票声明' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-statement="facts"] li').allTextContents()).toEqual(['清点人数 3 人', '已签到 3 人', '划去 0 人', '发出选票凭证 3 张（每人每项各一张）']);
    expect((await page.locator('[data-statement="digest"]').textContent())?.replace(/ /g, '')).toBe(openingStatementDigestHex(statement).slice(0, 16));
    await shootPhone(page, 'cosign-03-opening');
    await page.getByRole('button', { name: '核对无误，联署开始投票声明' }).click();
    await page.getByText('你已联署开始投票声明。').waitFor();
    await page.getByText('已联署：赵监票').waitFor();
    await shootPhone(page, 'cosign-04-opening-signed');

    for (const device of devices) {
      await collect(device);
      await castAll(device, pollId);
    }
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });

    await page.reload();
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as Bundle;
    await page.getByText('计票文件摘要（SHA-256）').waitFor();
    await expect.poll(() => page.locator('.digest-text').textContent().then((d) => d?.replace(/ /g, '')), { timeout: 10_000 }).toBe(bundleDigestHex(bundle));
    await page.getByText('张三：通过', { exact: false }).waitFor();
    await shootPhone(page, 'cosign-05-sign');
    await page.getByRole('button', { name: '核对无误，签名' }).click();
    await page.getByText('你已为这份计票文件签名。').waitFor();
    await page.getByText('已联署：赵监票').waitFor();
    await shootPhone(page, 'cosign-06-signed');

    const cosigned = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as Bundle;
    expect(cosigned.cosignatures).toEqual([{ name: '赵监票', role: 'supervisor', publicKey, signature: expect.any(String) }]);
    expect((cosigned as BundleV2).opening).toEqual({ statement, cosignatures: [{ name: '赵监票', role: 'supervisor', publicKey, signature: expect.any(String) }] });
    const report = await verifyBundle(cosigned, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.ok).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses to co-sign a result whose opening statement is not the one co-signed on this device', { timeout: 120_000 }, async () => {
    const { t } = harness;
    const { org, meetingId, pollId, scrutineer } = await branchMeeting(t, 'c', 4);
    const { context, page, problems } = await scrutineerPage(pollId, scrutineer);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('button', { name: '生成并登记我的签名密钥' }).click();
    await page.getByText('本设备保存着对应的签名密钥', { exact: false }).waitFor();
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as Slip[];
    const roomCode = await roomCodeOf(org, meetingId);
    const devices = [];
    for (const slip of slips.slice(0, 3)) devices.push(await checkInSlip(t, slip, roomCode));
    await openVoting(org, pollId, 3);
    await page.getByRole('button', { name: '核对无误，联署开始投票声明' }).click({ timeout: 15_000 });
    await page.getByText('你已联署开始投票声明。').waitFor();
    // The operator, with the database, rewrites the opening (a head count of 4, with a note) and drops the co-signatures.
    t.deps.db.$client
      .prepare(`UPDATE polls SET opening = json_set(opening, '$.headCount', 4, '$.headCountNote', '一人迟到', '$.cosignatures', json('[]')) WHERE id = ?`)
      .run(pollId);
    for (const device of devices) {
      await collect(device);
      await castAll(device, pollId);
    }
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });
    // Every check of the verifier passes (the statement agrees with the rewritten electorate)...
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as BundleV2;
    expect(bundle.opening.statement.headCount).toBe(4);
    expect((await verifyBundle(bundle, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 })).firstFailure).toBeUndefined();
    // ...but this device co-signed another statement: it says so, and offers no signature.
    await page.reload();
    await page.getByText('计票文件中的开始投票声明不是你在这台设备上联署的那一份', { exact: false }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('button', { name: '核对无误，签名' }).count()).toBe(0);
    await shoot(page, 'cosign-07-opening-changed');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('approves a late check-in of a member in the room by name, number and the code on their phone, not a device that replaced theirs; the member then votes', { timeout: 150_000 }, async () => {
    const { t, server } = harness;
    const { org, meetingId, pollId, scrutineer, secretary } = await branchMeeting(t, 'b', 3);

    // ---- the secretary allows late check-in in the console, after reading what it exposes ----
    const desk = await signInToConsole(harness.browser, server.url, secretary, `/console?meeting=${meetingId}`);
    const consolePage = desk.page;
    const checkinPanel = consolePage.locator('section.checkin-panel');
    await checkinPanel.getByRole('button', { name: '允许迟到签到…' }).click();
    const lateDialog = consolePage.getByRole('dialog', { name: '允许迟到签到？' });
    await lateDialog.getByText('投影上的“已提交选票”人数会在他提交时加一', { exact: false }).waitFor();
    await lateDialog.getByText('发放选票凭证的签名私钥要保留到投票结束才销毁', { exact: false }).waitFor();
    await lateDialog.getByRole('button', { name: '我知道，允许迟到签到' }).click();
    await lateDialog.waitFor({ state: 'hidden' });
    await checkinPanel.getByText('允许：开始投票后仍可签到', { exact: false }).waitFor();
    expect((await org.call('GET', `/api/meetings/${meetingId}`)).body.lateCheckIn).toBe(true);

    // ---- check-in, two members, voting opens with their head count ----
    expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as Slip[];
    const roomCode = await roomCodeOf(org, meetingId);
    const onTime = [await checkInSlip(t, slips[0]!, roomCode), await checkInSlip(t, slips[1]!, roomCode)];
    await consolePage.getByRole('button', { name: '开始投票' }).click();
    const opening = consolePage.getByRole('dialog', { name: '开始投票？' });
    await opening.getByText('发放选票凭证用的签名私钥保留到投票结束', { exact: false }).waitFor();
    await opening.getByText('此后的迟到签到要由监票人逐一确认', { exact: false }).waitFor();
    await opening.getByLabel('清点人数', { exact: true }).fill('2');
    await opening.getByRole('button', { name: '开始投票' }).click();
    await opening.waitFor({ state: 'hidden' });
    for (const device of onTime) expect((await collect(device)).ready).toEqual([pollId]);
    // The room code still shows while late check-in is open.
    await checkinPanel.locator('[data-room-code]').waitFor();

    // ---- 党员丙 arrives late and checks in on their phone: waiting for a scrutineer, with a code ----
    const phone = await openPhone(harness.browser);
    await phone.page.goto(`${server.url}/vote${new URL(slips[2]!.link).hash}`);
    await checkIn(phone.page, roomCode, { typed: false });
    await phone.page.getByText('你是在投票开始后签到的', { exact: false }).waitFor();
    await phone.page.getByRole('heading', { name: '确认码' }).waitFor();
    const shownOnPhone = async () => (await phone.page.locator('[data-late-code]').getAttribute('data-late-code'))!;
    const firstCode = await shownOnPhone();
    expect(firstCode).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
    expect(await phone.page.locator('[data-late-code]').textContent()).toBe(groupLateCheckInCode(firstCode));
    await shoot(phone.page, 'cosign-13-phone-late-code');
    const sheet = consolePage.locator(`article[data-poll="${pollId}"] .sign-in-sheet`);
    await sheet.locator('[data-list="awaiting"]').getByText('党员丙（b-2）').waitFor();
    await shoot(consolePage, 'cosign-10-console-late-waiting');

    // ---- the scrutineer sees the name, the number and the code ----
    const { context, page, problems } = await scrutineerPage(pollId, scrutineer);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '迟到签到，等你确认' }).waitFor();
    await page.getByText('只确认你亲眼看到在会场的人', { exact: false }).waitFor();
    await page.getByText('核对手机上显示的确认码与这里列出的完全一致', { exact: false }).waitFor();
    const listedCode = () => page.locator('li[data-voter="b-2"] [data-confirmation-code]').getAttribute('data-confirmation-code');
    expect(await listedCode()).toBe(firstCode);
    const approveButton = (code: string) => page.getByRole('button', { name: `确认码 ${groupLateCheckInCode(code)} 一致：确认 党员丙（b-2）在会场` });
    await approveButton(firstCode).waitFor();
    await shoot(page, 'cosign-11-late-check-in');

    // ---- the organizer checks in again with 党员丙's code while the scrutineer compares ----
    // The page's list is held still, as if the organizer were quicker than its next update.
    await page.route('**/late-checkins', (route) => route.abort());
    const organizerDevice = await checkInSlip(t, slips[2]!, roomCode);
    const organizerCode = pendingCheckinCode(organizerDevice.store, organizerDevice.voter)!;
    expect(organizerCode).not.toBe(firstCode);
    await approveButton(firstCode).click();
    await page.getByText('没有确认：党员丙（b-2）的签到在你核对后变了', { exact: false }).waitFor();
    expect((await collect(organizerDevice)).waiting).toEqual([pollId]);
    expect(tokensOf(organizerDevice, pollId)).toEqual([]);
    await page.unroute('**/late-checkins');
    await expect.poll(listedCode, { timeout: 10_000 }).toBe(organizerCode);
    await page.getByText('党员丙（b-2）的签到刚被另一台设备上的重新签到替换', { exact: false }).waitFor();
    await shoot(page, 'cosign-12-late-replaced');
    // The phone says its check-in was replaced, and what a late member does.
    await phone.page.getByRole('heading', { level: 1, name: '本机的签到已失效' }).waitFor();
    await phone.page.getByText('请告诉监票人有人用你的投票码在别处签到了', { exact: false }).waitFor();
    await shoot(phone.page, 'cosign-14-phone-late-replaced');

    // ---- 党员丙 checks in again on their phone; the scrutineer approves the new code ----
    await phone.page.getByRole('button', { name: '在本机重新签到' }).click();
    await checkIn(phone.page, roomCode, { typed: false });
    await phone.page.getByRole('heading', { name: '确认码' }).waitFor();
    const secondCode = await shownOnPhone();
    expect([firstCode, organizerCode]).not.toContain(secondCode);
    await expect.poll(listedCode, { timeout: 10_000 }).toBe(secondCode);
    await approveButton(secondCode).click();
    await page.getByText('已确认 党员丙（b-2）：此人现在可以投票。').waitFor();
    await page.getByText('目前没有等待确认的迟到签到。').waitFor();
    await shoot(page, 'cosign-15-late-approved');

    // ---- the late member's phone now holds tokens and votes; the organizer's device holds nothing ----
    await phone.page.getByRole('group', { name: '张三' }).getByRole('radio', { name: '同意', exact: true }).check({ timeout: 15_000 });
    await phone.page.getByRole('button', { name: '下一步：核对选票' }).click();
    await phone.page.getByRole('button', { name: '提交选票' }).click();
    await phone.page.getByRole('heading', { level: 1, name: '投票完成' }).waitFor();
    expect(await collect(organizerDevice)).toEqual({ ready: [], waiting: [], lost: [pollId], struck: [] });
    expect(tokensOf(organizerDevice, pollId)).toEqual([]);
    await sheet.getByText('完整签到表（3 人）').click();
    await expect.poll(() => sheet.locator('tr[data-voter="b-2"] td').last().textContent(), { timeout: 10_000 }).toBe('已领到选票凭证（迟到签到）');
    const audit = (await org.call('GET', `/api/meetings/${meetingId}/audit`)).body.entries as { action: string; actor: string; details: string }[];
    expect(audit.filter((e) => e.action === 'approve_late_checkin').map((e) => [e.actor, JSON.parse(e.details)])).toEqual([
      [scrutineer, { voter: '党员丙', number: 'b-2', scrutineer: '赵监票', confirmationCode: secondCode }],
    ]);
    expect(audit.filter((e) => e.action === 'replace_checkin').map((e) => JSON.parse(e.details))).toEqual([
      { voter: '党员丙', number: 'b-2', replaced: 'awaiting_approval', by: 'another device' },
      { voter: '党员丙', number: 'b-2', replaced: 'awaiting_approval', by: 'another device' },
    ]);
    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' })).status).toBe(200);
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as Bundle & { electorate: { lateCheckIns: number; present: number; submitted: number } };
    expect(bundle.electorate).toMatchObject({ headCount: 2, lateCheckIns: 1, present: 3, submitted: 1 });
    await consolePage.locator(`article[data-poll="${pollId}"] .result-facts [data-fact="late"]`).getByText('1 人').waitFor();
    expect(problems).toEqual([]);
    expect(desk.problems).toEqual([]);
    expect(phone.problems).toEqual([]);
    await context.close();
    await desk.context.close();
    await phone.context.close();
  });
});
