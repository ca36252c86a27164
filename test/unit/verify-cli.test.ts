import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../shared/encoding.ts';
import type { Bundle } from '../../shared/protocol/bundle.ts';
import { buildSignedBundle, type BundleFixture } from '../helpers/bundle-fixture.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the verifier as a user would: a separate Node process, through tsx. */
function runVerifier(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'server/cli/verify.ts', ...args],
      { cwd: process.cwd(), timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

const CHECK_IDS = ['format', 'signature', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'issued', 'choices', 'recount', 'verdicts', 'cosignatures'];

let dir: string;
let fixture: BundleFixture;
const write = (name: string, content: string) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};
const writeBundle = (name: string, bundle: Bundle) => write(name, JSON.stringify(bundle, null, 2));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  fixture = await buildSignedBundle({ ballots: 12, groups: ['members', 'masses'], seed: 42 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run verify', () => {
  it('prints every check and VERIFIED for a good bundle, and exits 0', async () => {
    const run = await runVerifier(writeBundle('good.json', fixture.bundle), '--signer', fixture.bundle.signer.publicKey);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(CHECK_IDS.length + 1);
    CHECK_IDS.forEach((id, i) => expect(lines[i]).toMatch(new RegExp(`^✓ ${id} +\\S`)));
    expect(lines[1]).toContain(`Ed25519 signature by ${fixture.bundle.signer.publicKey} (the expected signer) is valid`);
    expect(lines.at(-1)).toBe('VERIFIED: all 11 checks pass.');
    expect(run.code).toBe(0);
  });

  it('names the first failure and exits 1 for a changed count', async () => {
    const bundle = structuredClone(fixture.bundle);
    bundle.result.questions[0]!.counts.agree! += 1;
    const run = await runVerifier(writeBundle('count.json', bundle));
    expect(run.stdout).toMatch(/^✗ signature +Ed25519 signature by .* does not match the bundle/m);
    expect(run.stdout).toMatch(/^✗ recount +question accept-zhang, option agree: recount gives/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('NOT VERIFIED: first failure: signature (bundle_signature); 3 of 11 checks fail.');
    expect(run.code).toBe(1);
  });

  it('points at the ballot whose token was tampered with, in a re-signed bundle, and exits 1', async () => {
    const bundle = structuredClone(fixture.bundle);
    const token = fromBase64Url(bundle.ballots[5]!.token);
    token[300]! ^= 0xff;
    bundle.ballots[5]!.token = toBase64Url(token);
    const run = await runVerifier(writeBundle('token.json', fixture.resign(bundle)));
    expect(run.stdout).toMatch(/^✓ signature /m);
    expect(run.stdout).toMatch(/^✗ tokens +ballot 5: token_signature: the token signature does not verify$/m);
    expect(run.stdout).toMatch(/NOT VERIFIED: first failure: tokens \(token_signature\)/);
    expect(run.code).toBe(1);
  });

  it('refuses a bundle signed by another key than --signer, and exits 1', async () => {
    const other = (await buildSignedBundle({ ballots: 1, seed: 43 })).bundle.signer.publicKey;
    const run = await runVerifier(writeBundle('good2.json', fixture.bundle), '--signer', other);
    expect(run.stdout).toMatch(/NOT VERIFIED: first failure: signature \(signer_mismatch\)/);
    expect(run.code).toBe(1);
  });

  it('reports a malformed bundle as one failed format check, and exits 1', async () => {
    const run = await runVerifier(write('shape.json', JSON.stringify({ ...fixture.bundle, comment: 'hello' })));
    expect(run.stdout).toMatch(/^✗ format +the bundle: Unrecognized key/m);
    expect(run.stdout).toMatch(/nothing else could be checked/);
    expect(run.code).toBe(1);
  });

  it.each<[string, () => string[], RegExp]>([
    ['a file that is not JSON', () => [write('text.json', 'this is not { json')], /^verify: .*text\.json is not JSON: /],
    ['a file that does not exist', () => [join(dir, 'missing.json')], /^verify: cannot read .*missing\.json: no such file/],
    ['no file at all', () => [], /^verify: no bundle file given\nusage: /],
    ['an unknown option', () => ['--fast', 'x.json'], /^verify: Unknown option '--fast'/],
    ['a --signer that is not a key', () => [join(dir, 'any.json'), '--signer', 'abc'], /^verify: --signer must be a base64 Ed25519 public key/],
  ])('explains %s on stderr without a stack trace, and exits 2', async (_name, args, message) => {
    const run = await runVerifier(...args());
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(2);
  });
});
