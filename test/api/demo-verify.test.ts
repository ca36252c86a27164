import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const node = (args: string[]) => run(process.execPath, args, { cwd: process.cwd(), timeout: 120_000 });
const exitCode = (promise: Promise<unknown>) => promise.then(() => 0, (error: { code: number }) => error.code);

describe('npm run demo → npm run verify, and the independent verifier written from docs/', () => {
  it('a demo meeting produces a bundle that both verifiers accept, and both refuse it tampered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anon-ballot-demo-'));
    try {
      const out = join(dir, 'bundle.json');
      const demo = await node(['--import', 'tsx', 'server/cli/demo.ts', '--voters', '12', '--data-dir', join(dir, 'data'), '--out', out]);
      expect(demo.stdout).toMatch(/voters checked in/);
      expect(demo.stdout).toMatch(/signed bundle written/);

      const ours = await node(['--import', 'tsx', 'server/cli/verify.ts', out]);
      expect(ours.stdout).toMatch(/valid|VALID|✓/);
      const independent = await node(['test/independent-verifier/verify-from-docs.mjs', out]);
      expect(independent.stdout).toMatch(/PASS/);

      const bundle = JSON.parse(readFileSync(out, 'utf8'));
      bundle.result.questions[0].counts.agree += 1;
      const tampered = join(dir, 'tampered.json');
      writeFileSync(tampered, JSON.stringify(bundle));
      expect(await exitCode(node(['--import', 'tsx', 'server/cli/verify.ts', tampered]))).toBe(1);
      expect(await exitCode(node(['test/independent-verifier/verify-from-docs.mjs', tampered]))).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
