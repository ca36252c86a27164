import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
let clientDir: string;
beforeAll(() => {
  clientDir = mkdtempSync(join(tmpdir(), 'anon-ballot-client-'));
  mkdirSync(join(clientDir, 'assets'));
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>v1</title><script type="module" src="/assets/app-abc.js"></script>');
  writeFileSync(join(clientDir, 'assets', 'app-abc.js'), 'console.log(1)');
  t = startTestApp({}, undefined, { clientDir });
});
afterAll(() => {
  t.close();
  rmSync(clientDir, { recursive: true, force: true });
});

describe('serving the built client', () => {
  it('serves the page for client routes, with no-cache and the CSP', async () => {
    const page = await t.app.request('/vote');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>v1</title>');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  });
  it('caches hashed assets for good, and answers 404 for a missing one instead of the page', async () => {
    const asset = await t.app.request('/assets/app-abc.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    const missing = await t.app.request('/assets/app-old.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/json/);
  });
  it('picks up a rebuilt index.html without a restart', async () => {
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>v2</title>');
    expect(await (await t.app.request('/')).text()).toContain('v2');
  });
});
