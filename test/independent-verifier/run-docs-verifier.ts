/**
 * Runs the verifier written from the docs (verify-from-docs.mjs) as its own process on a bundle
 * written to a file, and reads its report: the exit code, the output, and each check's status
 * (PASS, FAIL, SKIP) and detail. Shared by the tests of this folder.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const VERIFIER = 'test/independent-verifier/verify-from-docs.mjs';

/** The fifteen checks of a version 2 bundle, in report order (docs/bundle-format.md, "Verification"). */
export const CHECKS_V2 = ['format', 'signature', 'key_set', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'receipts', 'issued', 'answers', 'self_evaluations', 'recount', 'verdicts', 'record', 'cosignatures'];

/** A runner writing its bundles into the folder `dir()` names (made by the test's beforeAll). */
export function docsVerifier(dir: () => string) {
  let files = 0;
  return async function verifyFromDocs(bundle: unknown, ...args: string[]) {
    const file = join(dir(), `bundle-${files++}.json`);
    writeFileSync(file, typeof bundle === 'string' ? bundle : JSON.stringify(bundle));
    let code = 0;
    let stdout: string;
    try {
      stdout = (await run(process.execPath, [VERIFIER, file, ...args], { timeout: 60_000 })).stdout;
    } catch (error) {
      const e = error as { code: number; stdout: string };
      [code, stdout] = [e.code, e.stdout];
    }
    const checks = new Map<string, { status: string; detail: string }>();
    for (const line of stdout.split('\n')) {
      const m = /^(PASS|FAIL|SKIP) (\w+)(?:: (.*))?$/.exec(line);
      if (m) checks.set(m[2]!, { status: m[1]!, detail: m[3] ?? '' });
    }
    return { code, stdout, checks };
  };
}
