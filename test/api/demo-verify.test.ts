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
  it('a demo meeting produces a bundle that both verifiers accept, pinned to the signer key the demo writes, and both refuse it tampered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anon-ballot-demo-'));
    try {
      // As in README's example: the demo writes bundle.json and signer.json, and says how to verify.
      const out = join(dir, 'bundle.json');
      const signerFile = join(dir, 'signer.json');
      const demo = await node(['--import', 'tsx', 'server/cli/demo.ts', '--voters', '12', '--data-dir', dir, '--out', out]);
      expect(demo.stdout).toMatch(/voters checked in/);
      expect(demo.stdout).toMatch(/signed bundle written/);
      expect(demo.stdout).toContain(`check it with: npm run verify -- ${out} --signer-file ${signerFile}`);
      const signer = JSON.parse(readFileSync(signerFile, 'utf8'));
      expect(signer).toEqual({ alg: 'Ed25519', publicKey: JSON.parse(readFileSync(out, 'utf8')).signer.publicKey });

      const ours = await node(['--import', 'tsx', 'server/cli/verify.ts', out, '--signer-file', signerFile]);
      expect(ours.stdout.trimEnd().split('\n').at(-1)).toBe('VERIFIED: all 15 checks pass.');
      const independent = await node(['test/independent-verifier/verify-from-docs.mjs', out, '--signer', signer.publicKey]);
      expect(independent.stdout).toMatch(/^PASS signature: valid, signer is the expected key/m);
      expect(independent.stdout).toMatch(/RESULT: bundle is VALID/);

      // Without the key every check passes, but the bundle could be anyone's: exit 3, never VERIFIED.
      const unpinned = await node(['--import', 'tsx', 'server/cli/verify.ts', out]).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => error,
      );
      expect(unpinned.code).toBe(3);
      expect(unpinned.stdout).toContain(`SIGNER NOT PINNED: all 15 checks pass, but only for the key the bundle names itself, ${signer.publicKey};`);
      expect(unpinned.stdout).not.toMatch(/^VERIFIED/m);

      const bundle = JSON.parse(readFileSync(out, 'utf8'));
      bundle.result.questions[0].counts.agree += 1;
      const tampered = join(dir, 'tampered.json');
      writeFileSync(tampered, JSON.stringify(bundle));
      expect(await exitCode(node(['--import', 'tsx', 'server/cli/verify.ts', tampered, '--signer-file', signerFile]))).toBe(1);
      expect(await exitCode(node(['test/independent-verifier/verify-from-docs.mjs', tampered]))).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
