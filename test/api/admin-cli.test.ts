import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestApp } from '../helpers/test-server.ts';

const run = promisify(execFile);

describe('npm run admin -- create-user', () => {
  it('creates the first administrator, who can then sign in; refuses a short password and a taken name', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'anon-ballot-admin-'));
    try {
      const cli = (args: string[], password: string) =>
        run(process.execPath, ['--import', 'tsx', 'server/cli/admin.ts', 'create-user', ...args, '--data-dir', dataDir], {
          env: { ...process.env, ADMIN_PASSWORD: password },
          timeout: 60_000,
        });
      const created = await cli(['--username', 'orgdept', '--role', 'admin'], 'a long admin password');
      expect(created.stdout).toMatch(/created admin "orgdept"/);
      await expect(cli(['--username', 'short', '--role', 'admin'], 'short')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/at least 10/) });
      await expect(cli(['--username', 'orgdept', '--role', 'admin'], 'another long password')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/taken/) });
      // --help prints the usage; an unknown option says which, with the usage, and no stack trace.
      expect((await cli(['--help'], '')).stdout).toMatch(/^usage: npm run admin -- create-user/);
      const unknown = await cli(['--bogus'], 'a long admin password').catch((error: { code: number; stderr: string }) => error);
      expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown option '--bogus'[\s\S]*usage: npm run admin/) });
      expect((unknown as { stderr: string }).stderr).not.toMatch(/\n\s+at /);

      const t = startTestApp({}, dataDir);
      try {
        const login = await t.app.request('/api/session', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'orgdept', password: 'a long admin password' }),
        });
        expect(login.status).toBe(200);
        expect(((await login.json()) as any).user.role).toBe('admin');
        expect(statSync(join(dataDir, 'installation-key.json')).mode & 0o777).toBe(0o600);
      } finally {
        t.deps.db.$client.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
