/**
 * The console for the organization department and across units, in Chromium against the real
 * server: the admin builds the unit tree and opens accounts; a branch secretary answers an
 * objection to a published result and sees the hash-chained record of the meeting (and that a
 * changed entry is caught); a secretary of another branch gets 403 for that meeting; the
 * branch's scrutineer reads everything and is offered nothing that changes it.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { inspectScreen, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { publishedOnLatestWorkingDay } from '../helpers/publicity.ts';
import { ORGANIZER_PASSWORD, organizerClient, seedUser } from '../helpers/test-server.ts';

const harness = setUpBrowserServer();
const DESK = { width: 1280, height: 900 };

async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, `console-admin-${name}`)).toEqual([]);
}

async function signIn(username: string) {
  const context = await harness.browser.newContext({ viewport: DESK });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = watchForProblems(page);
  await page.goto(`${harness.server.url}/console`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByText(`已登录：${username}`).waitFor();
  return { context, page, problems };
}

describe('the console across units', () => {
  it('the admin builds units and accounts; a secretary answers an objection and checks the record; others are kept out', { timeout: 180_000 }, async () => {
    const { t } = harness;
    seedUser(t, 'orgdept', 'admin');

    // ---- the organization department ----
    const admin = await signIn('orgdept');
    const { page } = admin;
    await page.getByRole('heading', { name: '组织与账号' }).waitFor();
    for (const [name, parent] of [
      ['某大学党委', ''],
      ['计算机学院党委', '某大学党委'],
      ['本科生第一党支部', '计算机学院党委'],
      ['本科生第二党支部', '计算机学院党委'],
    ] as const) {
      await page.getByLabel('名称', { exact: true }).fill(name);
      const parentSelect = page.getByLabel('上级组织');
      if (parent) await parentSelect.selectOption({ label: (await parentSelect.locator('option', { hasText: parent }).textContent())! });
      await page.getByRole('button', { name: '建立', exact: true }).click();
      await page.locator('.unit-tree li', { hasText: name }).waitFor();
    }
    expect(await page.locator('.unit-tree li').allTextContents()).toEqual(['某大学党委', '\u3000计算机学院党委', '\u3000\u3000本科生第一党支部', '\u3000\u3000本科生第二党支部']);
    for (const [username, role, unit] of [
      ['secretary-a', '支部书记、组织委员', '本科生第一党支部'],
      ['secretary-b', '支部书记、组织委员', '本科生第二党支部'],
      ['zhao', '监票人、计票人', '本科生第一党支部'],
    ] as const) {
      await page.getByLabel('用户名（3–64 位字母、数字、. _ -）').fill(username);
      await page.getByLabel('初始密码（至少 10 位）').fill(ORGANIZER_PASSWORD);
      await page.getByLabel('角色').selectOption({ label: role });
      const unitSelect = page.getByLabel('所属组织');
      await unitSelect.selectOption({ label: (await unitSelect.locator('option', { hasText: unit }).textContent())! });
      await page.getByRole('button', { name: '开设账号' }).click();
      await page.getByText(`已开设账号 ${username}。`).waitFor();
    }
    // The confirmation shows before the list is read again: wait for the list.
    await expect
      .poll(() => page.locator('.account-table tbody tr').allTextContents())
      .toEqual(expect.arrayContaining(['secretary-a支部书记、组织委员本科生第一党支部', 'zhao监票人、计票人本科生第一党支部']));
    await shoot(page, '01-units-and-accounts');

    // ---- the work calendar of the publicity periods: 2026 ships; the next year is entered ----
    const calendar = page.locator('[data-panel="calendar"]');
    await calendar.locator('tr[data-year="2026"]').getByText('随系统提供').waitFor();
    expect(await calendar.locator('tr[data-year="2026"] td').nth(1).textContent()).toContain('2026-10-01 至 2026-10-07');
    await calendar.getByLabel('年份').fill('2027');
    await calendar.getByLabel('依据').fill('测试用的 2027 年安排');
    await calendar.getByLabel('放假日期').fill('2027-01-01\n2027-02-06 至 2027-02-12\n2027-02-30');
    await calendar.getByRole('button', { name: '保存这一年' }).click();
    await calendar.getByText('这些不是日期或日期段：2027-02-30。', { exact: false }).waitFor();
    await calendar.getByLabel('放假日期').fill('2027-01-01\n2027-02-06 至 2027-02-12');
    await calendar.getByLabel('调休上班日期（周六、周日）').fill('2027-02-15');
    await calendar.getByRole('button', { name: '保存这一年' }).click();
    await calendar.getByText('2027-02-15 is a weekday', { exact: false }).waitFor();
    await calendar.getByLabel('调休上班日期（周六、周日）').fill('2027-02-20');
    await calendar.getByRole('button', { name: '保存这一年' }).click();
    await calendar.getByText('已保存 2027 年的安排', { exact: false }).waitFor();
    await expect.poll(() => calendar.locator('tr[data-year="2027"] td').allTextContents()).toEqual([
      '2027',
      '2027-01-01，2027-02-06 至 2027-02-12',
      '2027-02-20',
      '测试用的 2027 年安排管理员录入',
      '修改删除录入',
    ]);
    await shoot(page, '01b-work-calendar');
    expect(admin.problems).toEqual([]);
    await admin.context.close();

    // ---- branch one holds a meeting, publishes, and somebody objects ----
    const a = await organizerClient(t, 'secretary-a');
    const meetingId = (await a.call('POST', '/api/meetings', { title: '第一党支部党员大会' })).body.id;
    const pollId = (await a.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] })).body.id;
    await a.call('POST', `/api/meetings/${meetingId}/voters`, { voters: [{ name: '甲', number: '1' }] });
    for (const body of [{ to: 'checkin' }, { to: 'voting', headCount: 1, headCountNote: '甲到会，未用手机签到' }, { to: 'closed' }, { to: 'published' }])
      expect((await a.call('POST', `/api/polls/${pollId}/transition`, body)).status).toBe(200);
    publishedOnLatestWorkingDay(t, pollId);
    const objected = await t.app.request(`/api/public/polls/${pollId}/objections`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '张三同志的培养考察材料不完整', name: '李同学', contact: 'li@example.edu.cn' }),
    });
    expect(objected.status).toBe(201);

    // ---- the secretary answers it in the console ----
    const secretary = await signIn('secretary-a');
    await secretary.page.getByRole('link', { name: '第一党支部党员大会' }).click();
    const item = secretary.page.locator('.objection-item');
    await item.getByText('张三同志的培养考察材料不完整').waitFor();
    expect(await item.locator('.hint').textContent()).toContain('署名：李同学 · 联系方式：li@example.edu.cn');
    await item.getByLabel('处理结果').selectOption({ label: '经核查不影响结果，继续办理' });
    await item.getByLabel('处理说明').fill('经支部核实，材料已于公示前补齐');
    await item.getByRole('button', { name: '记录处理结果' }).click();
    await item.getByText('已处理：经核查不影响结果，继续办理（secretary-a）：经支部核实，材料已于公示前补齐').waitFor();
    // The record: every step and the answer, the chain intact, downloadable.
    await secretary.page.reload();
    const chain = secretary.page.locator('[data-chain]');
    await expect.poll(() => chain.getAttribute('data-chain')).toBe('ok');
    await secretary.page.getByText('显示本会议的操作记录', { exact: false }).click();
    const actions = await secretary.page.locator('.audit-table tbody td.mono:not(.audit-details)').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['create_meeting', 'open_checkin', 'close', 'publish', 'objection_outcome']));
    await shoot(secretary.page, '02-objection-and-record');
    const [download] = await Promise.all([secretary.page.waitForEvent('download'), secretary.page.getByRole('link', { name: '下载操作记录（JSON）' }).click()]);
    const { readFileSync } = await import('node:fs');
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.chain.ok).toBe(true);
    expect(exported.entries.map((e: { action: string }) => e.action)).toContain('objection_outcome');

    // Someone edits one past entry in the database: the console says so.
    t.deps.db.$client.prepare(`UPDATE audit_log SET actor = 'someone-else' WHERE action = 'close'`).run();
    await secretary.page.reload();
    await expect.poll(() => chain.getAttribute('data-chain')).toBe('broken');
    expect(await chain.textContent()).toMatch(/哈希链断裂：第 \d+ 条记录被改动或删除/);
    await shoot(secretary.page, '03-chain-broken');
    expect(secretary.problems).toEqual([]);
    await secretary.context.close();

    // ---- the other branch's secretary: not listed, and 403 by address ----
    const other = await signIn('secretary-b');
    await other.page.getByRole('heading', { name: '我的会议' }).waitFor();
    expect(await other.page.getByRole('link', { name: '第一党支部党员大会' }).count()).toBe(0);
    await other.page.goto(`${harness.server.url}/console?meeting=${meetingId}`);
    await other.page.getByRole('alert').filter({ hasText: 'another unit' }).waitFor();
    await shoot(other.page, '04-other-branch-forbidden');
    await other.context.close();

    // ---- the branch's scrutineer: reads, answers nothing ----
    const scrutineer = await signIn('zhao');
    await scrutineer.page.getByText('你以监票人身份登录', { exact: false }).waitFor();
    await scrutineer.page.getByRole('link', { name: '第一党支部党员大会' }).click();
    await scrutineer.page.locator('.objection-item').getByText('张三同志的培养考察材料不完整').waitFor();
    expect(await scrutineer.page.getByRole('button', { name: '记录处理结果' }).count()).toBe(0);
    await shoot(scrutineer.page, '05-scrutineer');
    expect(scrutineer.problems).toEqual([]);
    await scrutineer.context.close();
  });
});
