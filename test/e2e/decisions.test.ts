/**
 * Beside an advisory result: the branch secretary records the committee's decision and the
 * higher committee's pre-examination of a development object in the console, and the public
 * board shows both with the published result.
 */
import { describe, expect, it } from 'vitest';
import { newPhoneContext, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { shoot } from '../helpers/console-browser.ts';
import { ORGANIZER_PASSWORD, organizerClient } from '../helpers/test-server.ts';

const harness = setUpBrowserServer({ seedOrganizer: true });

describe('decisions beside an advisory result', () => {
  it('are recorded in the console after close and shown on the board after publication', { timeout: 120_000 }, async () => {
    const { t, server, browser } = harness;
    const org = await organizerClient(t);
    const meetingId = (await org.call('POST', '/api/meetings', { title: '确定发展对象支委会' })).body.id;
    const pollId = (
      await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: '确定发展对象', kind: 'development_object_confirmation', candidates: [{ id: 'c1', name: '王小明' }] })
    ).body.id;
    await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: [{ name: '甲', number: '1' }] });
    // Nobody checks in: voting opens with a head count of 0 and closes.
    for (const body of [{ to: 'checkin' }, { to: 'voting', headCount: 0 }, { to: 'closed' }])
      expect((await org.call('POST', `/api/polls/${pollId}/transition`, body)).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${server.url}/console?meeting=${meetingId}`);
    await page.getByLabel('用户名').fill('secretary');
    await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    const panel = page.locator('.decisions');
    await panel.getByRole('heading', { name: '组织决定' }).waitFor();
    const committee = panel.getByRole('group', { name: '支部委员会决定' });
    await committee.getByLabel('结论').selectOption({ label: '确定' });
    await committee.getByLabel('日期').fill('2026-11-30');
    await committee.getByRole('button', { name: '记录' }).click();
    await panel.getByText('支部委员会决定：确定（支部委员会，2026-11-30）').waitFor();
    const higher = panel.getByRole('group', { name: '上级党委预审' });
    await higher.getByLabel('结论').selectOption({ label: '预审合格' });
    await higher.getByLabel('决定机关').fill('计算机学院党委');
    await higher.getByLabel('日期').fill('2026-12-01');
    await higher.getByRole('button', { name: '记录' }).click();
    await panel.getByText('上级党委预审：预审合格（计算机学院党委，2026-12-01）').waitFor();
    await shoot(page, 'console-decisions');
    expect((await org.call('GET', `/api/polls/${pollId}/record`)).body.decisions).toHaveLength(2);
    expect(problems).toEqual([]);
    await context.close();

    expect((await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'published' })).status).toBe(200);
    const phone = await newPhoneContext(browser);
    const board = await phone.newPage();
    const boardProblems = watchForProblems(board);
    await board.goto(`${server.url}/board`);
    const lines = board.locator(`article[data-poll="${pollId}"] .board-decisions li`);
    // The board words its outcomes from its own catalogue (client/src/board/messages.ts): only the decision itself is checked here.
    await expect.poll(() => lines.allTextContents()).toEqual([
      '王小明：支部委员会决定，确定（支部委员会，2026-11-30）',
      expect.stringMatching(/^王小明：上级党委预审，(通过|预审合格)（计算机学院党委，2026-12-01）$/),
    ]);
    await shoot(board, 'board-zh-09-decisions');
    expect(boardProblems).toEqual([]);
    await phone.close();
  });
});
