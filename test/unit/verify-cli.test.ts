import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64, toBase64Url } from '../../shared/encoding.ts';
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

const CHECK_IDS = ['format', 'signature', 'key_set', 'token_keys', 'tokens', 'unique_nonces', 'ballot_order', 'receipts', 'issued', 'answers', 'self_evaluations', 'recount', 'verdicts', 'record', 'cosignatures'];

let dir: string;
let fixture: BundleFixture;
const write = (name: string, content: string | Uint8Array) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};
const writeBundle = (name: string, bundle: Bundle) => write(name, JSON.stringify(bundle, null, 2));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
  fixture = await buildSignedBundle({ voters: 12, groups: ['members', 'masses'], seed: 42 });
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
    expect(lines.at(-1)).toBe('VERIFIED: all 15 checks pass.');
    expect(run.code).toBe(0);
  });

  it('names the first failure and exits 1 for a changed count', async () => {
    const bundle = structuredClone(fixture.bundle);
    bundle.result.questions[0]!.counts.agree! += 1;
    const run = await runVerifier(writeBundle('count.json', bundle));
    expect(run.stdout).toMatch(/^✗ signature +Ed25519 signature by .* does not match the bundle/m);
    expect(run.stdout).toMatch(/^✗ recount +question accept-zhang, option agree: recount gives/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('NOT VERIFIED: first failure: signature (bundle_signature); 3 of 15 checks fail.');
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
    const other = (await buildSignedBundle({ voters: 1, seed: 43 })).bundle.signer.publicKey;
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

  it('without a pinned signer runs every check, names the key the bundle claims and how to pin it, never says VERIFIED, and exits 3', async () => {
    const file = writeBundle('unpinned.json', fixture.bundle);
    const run = await runVerifier(file);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    CHECK_IDS.forEach((id, i) => expect(lines[i]).toMatch(new RegExp(`^✓ ${id} +\\S`)));
    expect(lines[1]).toContain('the signer is not pinned');
    expect(lines.at(-1)).toMatch(new RegExp(`^SIGNER NOT PINNED: all 15 checks pass, but only for the key the bundle names itself, ${fixture.bundle.signer.publicKey.replace(/[+/]/g, '\\$&')};`));
    expect(lines.at(-1)).toContain(`npm run verify -- ${file} --signer <published key>, or --signer-file <file holding it>`);
    expect(run.stdout).not.toMatch(/^VERIFIED/m);
    expect(run.code).toBe(3);
  });

  it('reads the pinned key from --signer-file: the bare base64 key (whitespace trimmed) or GET /api/public/signer’s answer', async () => {
    const file = writeBundle('pinned.json', fixture.bundle);
    const key = fixture.bundle.signer.publicKey;
    for (const content of [`\n  ${key}\n\n`, JSON.stringify({ alg: 'Ed25519', publicKey: key })]) {
      const run = await runVerifier(file, '--signer-file', write('signer-key', content));
      expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('VERIFIED: all 15 checks pass.');
      expect(run.code).toBe(0);
    }
    const other = (await buildSignedBundle({ voters: 1, seed: 44 })).bundle.signer.publicKey;
    const mismatch = await runVerifier(file, '--signer-file', write('other-key', other));
    expect(mismatch.stdout).toMatch(/NOT VERIFIED: first failure: signature \(signer_mismatch\)/);
    expect(mismatch.code).toBe(1);
  });

  it('refuses a validly signed bundle with a duplicate member (a Mallory title before the real one), even pinned, and exits 1', async () => {
    const text = JSON.stringify(fixture.bundle, null, 2);
    const mallory = text.replace('"poll": {', '"poll": {\n    "title": "Mallory",');
    expect(JSON.parse(mallory)).toEqual(fixture.bundle); // JSON.parse keeps the real title: the signature still verifies
    const run = await runVerifier(write('mallory.json', mallory), '--signer', fixture.bundle.signer.publicKey);
    expect(run.stdout).toMatch(/^✗ format +duplicate member poll\.title \(the name "title" again at byte \d+\)/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      'NOT VERIFIED: first failure: format (duplicate_member); the bundle is not well-formed, so nothing else could be checked.',
    );
    expect(run.code).toBe(1);
  });

  it.each<[string, () => Uint8Array | string, string, RegExp]>([
    [
      'bytes that are not UTF-8 in a title (never replaced by U+FFFD)',
      () => {
        const text = JSON.stringify(fixture.bundle);
        const at = Buffer.byteLength(text.slice(0, text.indexOf(fixture.bundle.poll.title)));
        const bytes = Buffer.from(text);
        bytes[at] = 0xff;
        return bytes;
      },
      'invalid_utf8',
      /^✗ format +not UTF-8: the bytes at offset \d+ are not a UTF-8 character$/m,
    ],
    ['text that is not JSON', () => 'this is not { json', 'malformed_json', /^✗ format +not JSON: /m],
    ['a lone surrogate in a title', () => JSON.stringify(fixture.bundle).replace(`"title":"${fixture.bundle.poll.title}"`, '"title":"\\ud800"'), 'lone_surrogate', /^✗ format +a string at poll\.title holds a lone UTF-16 surrogate/m],
  ])('refuses %s as a failed format check, and exits 1', async (_name, content, code, line) => {
    const run = await runVerifier(write(`refused-${code}.json`, content()), '--signer', fixture.bundle.signer.publicKey);
    expect(run.stdout).toMatch(line);
    expect(run.stdout).toContain(`NOT VERIFIED: first failure: format (${code})`);
    expect(run.code).toBe(1);
  });

  it('refuses a bundle signed by a small-order key with the universal signature, which OpenSSL alone accepts, as the browser does', async () => {
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const universal = new Uint8Array(64);
    universal[0] = 1; // R = the identity, S = 0: "valid" for any message under OpenSSL's rule
    const forged = { ...structuredClone(fixture.bundle), signer: { alg: 'Ed25519' as const, publicKey: toBase64(identity) }, signature: toBase64(universal) };
    const run = await runVerifier(writeBundle('small-order.json', forged), '--signer', toBase64(identity));
    expect(run.stdout).toMatch(/^✗ signature +Ed25519 signature by AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= cannot be checked: signer_key: /m);
    expect(run.stdout).toMatch(/NOT VERIFIED: first failure: signature \(signer_key\)/);
    expect(run.code).toBe(1);
  });

  it.each<[string, () => string[], RegExp]>([
    ['a file that does not exist', () => [join(dir, 'missing.json')], /^verify: cannot read .*missing\.json: no such file/],
    ['no file at all', () => [], /^verify: no bundle file given\nusage: /],
    ['an unknown option', () => ['--fast', 'x.json'], /^verify: Unknown option '--fast'/],
    ['a --signer that is not a key', () => [join(dir, 'any.json'), '--signer', 'abc'], /^verify: --signer must be a base64 Ed25519 public key/],
    ['both --signer and --signer-file', () => [join(dir, 'any.json'), '--signer', fixture.bundle.signer.publicKey, '--signer-file', 'k'], /^verify: give --signer or --signer-file, not both/],
    ['a --signer-file that does not exist', () => [join(dir, 'any.json'), '--signer-file', join(dir, 'no-key')], /^verify: cannot read --signer-file .*no-key: no such file/],
    ['a --signer-file that holds no key', () => [join(dir, 'any.json'), '--signer-file', write('junk-key', 'not a key')], /^verify: --signer-file .*junk-key must be a base64 Ed25519 public key/],
    [
      'a --signer-file holding the installation’s secret key',
      () => [join(dir, 'any.json'), '--signer-file', write('installation-key.json', JSON.stringify({ alg: 'Ed25519', secretKey: toBase64(new Uint8Array(32).fill(7)) }))],
      /^verify: --signer-file .*installation-key\.json holds a secret key .*A verifier never needs the secret key\./,
    ],
  ])('explains %s on stderr without a stack trace, and exits 2', async (_name, args, message) => {
    const run = await runVerifier(...args());
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(2);
  });
});
