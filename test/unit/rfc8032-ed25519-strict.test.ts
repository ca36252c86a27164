/**
 * The project's Ed25519 rule (shared/crypto/ed25519-strict.ts; docs/bundle-format.md "Ed25519")
 * against published vectors: RFC 8032 §7.1 for acceptance, the "Taming the many EdDSAs"
 * speccheck cases and C2SP's CCTV edge cases for the strict refusals, and derived cases, one per
 * step of the rule. See test/vectors/*ed25519*\/README.md and test/vectors/rfc8032/README.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519StrictRefusal } from '../../shared/crypto/ed25519-strict.ts';
import { nodeSha512 } from '../../server/crypto/ed25519-node.ts';

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const vectorFile = (path: string) => JSON.parse(readFileSync(`test/vectors/${path}`, 'utf8'));

describe('RFC 8032 §7.1 test vectors', () => {
  const { vectors } = vectorFile('rfc8032/ed25519.json') as { vectors: { name: string; secretKey: string; publicKey: string; message: string; signature: string }[] };

  it.each(vectors.map((v) => [v.name, v] as const))('%s: the key and the signature reproduce, and the strict rule accepts it', (_name, v) => {
    expect(toHex(ed25519.getPublicKey(hex(v.secretKey)))).toBe(v.publicKey);
    expect(toHex(ed25519.sign(hex(v.message), hex(v.secretKey)))).toBe(v.signature);
    expect(ed25519StrictRefusal(hex(v.signature), hex(v.message), hex(v.publicKey))).toBeUndefined();
    expect(ed25519StrictRefusal(hex(v.signature), hex(v.message), hex(v.publicKey), nodeSha512)).toBeUndefined();
  });

  it('refuses each RFC vector with a changed message', () => {
    for (const v of vectors) expect(ed25519StrictRefusal(hex(v.signature), hex(`${v.message}00`), hex(v.publicKey))).toBe('equation');
  });
});

describe('strict refusals', () => {
  it('refuses every derived case for the step the rule names, and accepts the two valid ones', () => {
    const { cases } = vectorFile('anon-ballot-ed25519/strict-rejection.json') as { cases: { name: string; publicKey: string; message: string; signature: string; refusal: string | null }[] };
    const got = cases.map((c) => [c.name, ed25519StrictRefusal(hex(c.signature), hex(c.message), hex(c.publicKey)) ?? null]);
    expect(got).toEqual(cases.map((c) => [c.name, c.refusal]));
    for (const step of ['public_key_small_order', 'public_key_not_canonical', 'r_not_canonical', 'r_small_order', 's_not_below_l', 'equation'])
      expect(cases.some((c) => c.refusal === step), step).toBe(true);
  });

  it('gives the speccheck results of libsodium and ed25519-dalek verify_strict: only case 3 (mixed-order A and R, cofactorless) verifies', () => {
    const cases = vectorFile('ed25519-speccheck/cases.json') as { message: string; pub_key: string; signature: string }[];
    expect(cases.map((c) => ed25519StrictRefusal(hex(c.signature), hex(c.message), hex(c.pub_key)) ?? 'valid')).toEqual([
      'public_key_small_order', // 0: S = 0, small A and R
      'public_key_small_order', // 1: small A
      'r_small_order', // 2: small R
      'valid', // 3: mixed A and R, cofactorless holds
      'equation', // 4: only the cofactored equation holds
      'equation', // 5: cofactored, pre-reduced scalar
      's_not_below_l', // 6: S > L
      's_not_below_l', // 7: S ≫ L
      'r_not_canonical', // 8: non-canonical R, reduced for the hash
      'r_not_canonical', // 9: non-canonical R, not reduced
      'public_key_not_canonical', // 10: non-canonical A, reduced for the hash
      'public_key_not_canonical', // 11: non-canonical A, not reduced
    ]);
  });

  it('accepts a CCTV vector exactly when its only flags are low-order components (the verify_strict behaviour)', () => {
    const vectors = vectorFile('cctv-ed25519/ed25519vectors.json') as { number: number; key: string; msg: string; sig: string; flags: string[] | null }[];
    expect(vectors).toHaveLength(914);
    const wrong = vectors.filter((v) => {
      const expected = (v.flags ?? []).every((flag) => flag === 'low_order_component_A' || flag === 'low_order_component_R');
      return (ed25519StrictRefusal(hex(v.sig), new TextEncoder().encode(v.msg), hex(v.key)) === undefined) !== expected;
    });
    expect(wrong.map((v) => `${v.number} ${v.flags}`)).toEqual([]);
  });
});
