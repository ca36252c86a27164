/**
 * A scrutineer co-signs in a real browser: signs in, generates and registers a key before close
 * (the secret stays in this browser), and after close compares the digest and signs. The
 * exported bundle then carries a co-signature that the verifier accepts.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { nodePssVerifier } from '../../server/crypto/blind-signer.ts';
import { bundleDigestHex } from '../../shared/crypto/bundle-digest.ts';
import { fromBase64, toBase64 } from '../../shared/encoding.ts';
import { createVoterApi } from '../../shared/protocol/api-client.ts';
import type { Bundle } from '../../shared/protocol/bundle.ts';
import { castWithToken } from '../../shared/protocol/voter-flow.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';
import { inspectScreen, newPhoneContext, setUpBrowserServer, watchForProblems } from '../helpers/browser.ts';
import { checkInSlip } from '../helpers/meeting.ts';
import { inProcessFetch, ORGANIZER_PASSWORD, organizerClient, seedUser } from '../helpers/test-server.ts';

const harness = setUpBrowserServer();

async function shoot(page: Page, name: string) {
  expect(await inspectScreen(page, name)).toEqual([]);
}

describe('a scrutineer co-signs in the browser', () => {
  it('registers a key generated in the page before close, then signs the digest after close', async () => {
    const { t, server, browser } = harness;
    seedUser(t, 'orgdept', 'admin');
    const admin = await organizerClient(t, 'orgdept');
    const unitId = (await admin.call('POST', '/api/units', { name: '第一党支部' })).body.id;
    await admin.call('POST', '/api/users', { username: 'branch-sec', password: ORGANIZER_PASSWORD, role: 'organizer', unitId });
    await admin.call('POST', '/api/users', { username: 'zhao', password: ORGANIZER_PASSWORD, role: 'scrutineer', unitId });
    const org = await organizerClient(t, 'branch-sec');
    const meetingId = (await org.call('POST', '/api/meetings', { title: '党员大会' })).body.id;
    const pollId = (await org.call('POST', `/api/meetings/${meetingId}/polls`, { title: '接收预备党员', kind: 'member_acceptance', candidates: [{ id: 'c1', name: '张三' }] }))
      .body.id;
    await org.call('POST', `/api/meetings/${meetingId}/voters`, { voters: ['甲', '乙', '丙'].map((n, i) => ({ name: n, number: `n${i}` })) });
    await org.call('PUT', `/api/polls/${pollId}/scrutineers`, { scrutineers: [{ name: '赵监票', role: 'supervisor', account: 'zhao' }] });

    const context = await newPhoneContext(browser);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${server.url}/cosign?poll=${pollId}`);
    await page.getByLabel('用户名').fill('zhao');
    await page.getByLabel('密码').fill(ORGANIZER_PASSWORD);
    await shoot(page, 'cosign-01-sign-in');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('赵监票（监票人）').waitFor();
    await shoot(page, 'cosign-02-register');
    await page.getByRole('button', { name: '生成并登记我的签名密钥' }).click();
    await page.getByText('本设备保存着对应的签名密钥', { exact: false }).waitFor();

    // The page registered the public key of a secret that only this browser holds.
    const secret = await page.evaluate((id) => localStorage.getItem(`anon-ballot.cosign:${id}:zhao`), pollId);
    const registered = (await org.call('GET', `/api/polls/${pollId}/record`)).body;
    expect(JSON.stringify(registered)).not.toContain(secret!);
    const publicKey = toBase64(ed25519.getPublicKey(fromBase64(secret!)));
    expect(await page.locator('.key-text').textContent()).toBe(publicKey);

    // The meeting runs: three members vote, the poll closes.
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'checkin' });
    const slips = (await org.call('POST', `/api/meetings/${meetingId}/slips`, {})).body.slips;
    const held = await Promise.all(slips.map((slip: { link: string }) => checkInSlip(t, slip)));
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'voting' });
    const api = createVoterApi('', inProcessFetch(t));
    for (const h of held) await castWithToken(api, h.store, h.token, { c1: 'agree' });
    await org.call('POST', `/api/polls/${pollId}/transition`, { to: 'closed' });

    await page.reload();
    const bundle = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as Bundle;
    const digest = bundleDigestHex(bundle);
    await page.getByText('计票文件摘要（SHA-256）').waitFor();
    expect((await page.locator('.digest-text').textContent())!.replace(/ /g, '')).toBe(digest);
    await page.getByText('张三：通过', { exact: false }).waitFor();
    await shoot(page, 'cosign-03-sign');
    await page.getByRole('button', { name: '核对无误，签名' }).click();
    await page.getByText('你已为这份计票文件签名。').waitFor();
    await page.getByText('已联署：赵监票').waitFor();
    await shoot(page, 'cosign-04-signed');

    const cosigned = (await org.call('GET', `/api/polls/${pollId}/bundle`)).body as Bundle;
    expect(cosigned.cosignatures).toEqual([{ name: '赵监票', role: 'supervisor', publicKey, signature: expect.any(String) }]);
    const report = await verifyBundle(cosigned, { verifyPss: nodePssVerifier, expectedSignerPublicKey: t.deps.installationKey.publicKeyBase64 });
    expect(report.ok).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });
});
