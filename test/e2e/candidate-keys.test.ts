/**
 * A candidate's own keys in the three evaluations, in real browsers: someone holding 李明's
 * printed code (the organizer who printed it) registers keys for him before he arrives. His phone
 * then checks in: it shows its own fingerprint and says it is not in force yet, and the projector
 * keeps showing the first keys. The scrutineer named for the poll sees the waiting fingerprint on
 * /cosign, compares it with 李明's phone and approves it; the phone says nothing more is needed and
 * the projector shows his fingerprint.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { heldCandidateFingerprint } from '../../shared/protocol/voter-flow.ts';
import { newPhoneContext, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { shoot } from '../helpers/console-browser.ts';
import { checkInSlip, roomCodeOf } from '../helpers/meeting.ts';
import { checkIn, openPhone } from '../helpers/voter-page.ts';
import { ORGANIZER_PASSWORD, organizerClient, seedUser } from '../helpers/test-server.ts';

const harness = setUpBrowserServer();
const grouped = (hex: string) => hex.match(/.{4}/g)!.join(' ');

async function projectorFingerprint(page: Page, questionId: string) {
  return page.locator(`[data-candidate="${questionId}"] .pj-candidate-fingerprint`).textContent();
}

describe("a candidate's own keys, replaced only with a scrutineer's approval", () => {
  it('keeps the first keys in force, shows the waiting phone and the scrutineer the same fingerprint, and switches when the scrutineer approves it', { timeout: 150_000 }, async () => {
    const { t, server, browser } = harness;
    seedUser(t, 'orgdept', 'admin');
    const admin = await organizerClient(t, 'orgdept');
    const unitId = (await admin.call('POST', '/api/units', { name: '计算机学院学生党支部' })).body.id;
    for (const [username, role] of [['secretary', 'organizer'], ['zhao', 'scrutineer']])
      expect((await admin.call('POST', '/api/users', { username, password: ORGANIZER_PASSWORD, role, unitId })).status).toBe(201);
    const org = await organizerClient(t, 'secretary');
    const meetingId = (await org.call('POST', '/api/meetings', { title: '2024 级发展对象评议' })).body.id as string;
    const pollId = (
      await org.call('POST', `/api/meetings/${meetingId}/polls`, {
        title: '发展对象“三评”',
        kind: 'three_evaluations',
        candidates: [
          { id: 'c1', name: '王芳', number: 's01' },
          { id: 'c2', name: '李明', number: 's02' },
        ],
      })
    ).body.id as string;
    const roster = [
      { name: '陈老师', number: 't01', groups: ['representatives'] },
      { name: '王芳', number: 's01', groups: ['members'] },
      { name: '李明', number: 's02', groups: ['members'] },
      { name: '张伟', number: 's03', groups: ['members'] },
    ];
    expect((await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: roster })).status).toBe(201);
    expect((await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '赵监票', role: 'supervisor', account: 'zhao' }] })).status).toBe(200);
    expect((await org.call('POST', `/api/meetings/${meetingId}/transition`, { to: 'checkin' })).status).toBe(200);
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips as { name: string; code: string; link: string }[];
    const slipOf = (name: string) => slips.find((s) => s.name === name)!;
    const roomCode = await roomCodeOf(org, meetingId);

    // The projector, as the room sees it.
    const screen = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const projector = await screen.newPage();
    const projectorProblems = watchForProblems(projector);
    await projector.goto(`${server.url}/projector?meeting=${meetingId}`);

    // Someone with 李明's printed code registers keys before he arrives: they are the first, so they hold.
    const first = await checkInSlip(t, slipOf('李明'), roomCode);
    const pre = heldCandidateFingerprint(first.store, first.voter, pollId)!;
    await expect.poll(() => projectorFingerprint(projector, 'c2'), { timeout: 10_000 }).toBe(grouped(pre));

    // 李明's own phone checks in with the link on his slip.
    const phone = await openPhone(browser);
    await phone.page.goto(`${server.url}/vote${new URL(slipOf('李明').link).hash}`);
    await checkIn(phone.page, roomCode, { typed: false });
    await phone.page.getByRole('heading', { name: '已签到，等待投票开始' }).waitFor();
    const own = (await phone.page.locator('[data-candidate-key]').textContent())!;
    expect(own).not.toBe(grouped(pre));
    await phone.page.locator('[data-candidate-key-waiting]').getByText('这把密钥还没有生效', { exact: false }).waitFor();
    await shoot(phone.page, 'candidate-key-1-phone-waiting');
    // The projector still shows the first keys: the second device changed nothing by itself.
    expect(await projectorFingerprint(projector, 'c2')).toBe(grouped(pre));

    // The scrutineer's phone: the waiting fingerprint, the one 李明's phone shows, on a button.
    const desk = await newPhoneContext(browser);
    const scrutineer = await desk.newPage();
    const scrutineerProblems = watchForProblems(scrutineer);
    await scrutineer.goto(`${server.url}/cosign?poll=${pollId}`);
    await scrutineer.getByLabel('用户名').fill('zhao');
    await scrutineer.getByLabel('密码').fill(ORGANIZER_PASSWORD);
    await scrutineer.getByRole('button', { name: '登录' }).click();
    await scrutineer.getByRole('heading', { name: '被评人更换个人密钥，等你核对' }).waitFor();
    const button = scrutineer.getByRole('button', { name: `李明本人手机上显示 ${own}：批准更换` });
    await button.waitFor();
    await shoot(scrutineer, 'candidate-key-2-scrutineer');
    await button.click();
    await scrutineer.getByText(`已为李明换上指纹为 ${own} 的密钥`, { exact: false }).waitFor();
    await scrutineer.getByText('目前没有等待核对的新密钥。').waitFor();

    // The room sees 李明's own fingerprint; his phone no longer says it waits.
    await expect.poll(() => projectorFingerprint(projector, 'c2'), { timeout: 10_000 }).toBe(own);
    await expect.poll(() => phone.page.locator('[data-candidate-key-waiting]').count(), { timeout: 15_000 }).toBe(0);
    await shoot(phone.page, 'candidate-key-3-phone-in-force');

    expect(phone.problems).toEqual([]);
    expect(scrutineerProblems).toEqual([]);
    expect(projectorProblems).toEqual([]);
    await Promise.all([phone.context.close(), desk.close(), screen.close()]);
  });
});
