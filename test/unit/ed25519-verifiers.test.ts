/**
 * The command line (the strict rule with node:crypto's SHA-512), the browser (the same rule with
 * @noble's SHA-512) and the verifier written from docs/ alone (its own checks, then OpenSSL) must
 * answer alike on every input: every published and derived vector, and random bit flips.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { nobleEd25519Verifier } from '../../shared/crypto/ed25519-strict.ts';
import { nodeEd25519Verifier } from '../../server/crypto/ed25519-node.ts';
import { ed25519VerifyStrict } from '../independent-verifier/verify-from-docs.mjs';

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const vectorFile = (path: string) => JSON.parse(readFileSync(`test/vectors/${path}`, 'utf8'));

interface Vector {
  source: string;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

const vectors: Vector[] = [
  ...vectorFile('rfc8032/ed25519.json').vectors.map((v: { name: string; publicKey: string; message: string; signature: string }) => ({
    source: `RFC 8032 ${v.name}`,
    publicKey: hex(v.publicKey),
    message: hex(v.message),
    signature: hex(v.signature),
  })),
  ...vectorFile('ed25519-speccheck/cases.json').map((v: { pub_key: string; message: string; signature: string }, i: number) => ({
    source: `speccheck ${i}`,
    publicKey: hex(v.pub_key),
    message: hex(v.message),
    signature: hex(v.signature),
  })),
  ...vectorFile('cctv-ed25519/ed25519vectors.json').map((v: { number: number; key: string; msg: string; sig: string }) => ({
    source: `CCTV ${v.number}`,
    publicKey: hex(v.key),
    message: new TextEncoder().encode(v.msg),
    signature: hex(v.sig),
  })),
  ...vectorFile('anon-ballot-ed25519/strict-rejection.json').cases.map((v: { name: string; publicKey: string; message: string; signature: string }) => ({
    source: v.name,
    publicKey: hex(v.publicKey),
    message: hex(v.message),
    signature: hex(v.signature),
  })),
];

/** The three answers on one input. */
const answers = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => ({
  commandLine: nodeEd25519Verifier(signature, message, publicKey),
  browser: nobleEd25519Verifier(signature, message, publicKey),
  fromDocs: ed25519VerifyStrict(publicKey, message, signature) === null,
});

describe('Ed25519: one rule on the command line, in the browser and in the verifier written from the docs', () => {
  it('the command line and the browser verifiers agree on every vector, and so does the verifier written from the docs', () => {
    expect(vectors.length).toBeGreaterThan(900);
    const disagreements = vectors.flatMap((v) => {
      const a = answers(v.signature, v.message, v.publicKey);
      return a.commandLine === a.browser && a.browser === a.fromDocs ? [] : [`${v.source}: ${JSON.stringify(a)}`];
    });
    expect(disagreements).toEqual([]);
    // Both outcomes occur, so the agreement is not that of three verifiers refusing everything.
    const accepted = vectors.filter((v) => nobleEd25519Verifier(v.signature, v.message, v.publicKey)).length;
    expect(accepted).toBeGreaterThan(40);
    expect(vectors.length - accepted).toBeGreaterThan(800);
  });

  it('accept a valid signature and refuse any flipped bit, in signature, message or key, all three alike', () => {
    const secret = ed25519.utils.randomSecretKey();
    const publicKey = ed25519.getPublicKey(secret);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.constantFrom('signature', 'message', 'key'), (message, at, where) => {
        const signature = ed25519.sign(message, secret);
        expect(answers(signature, message, publicKey)).toEqual({ commandLine: true, browser: true, fromDocs: true });
        const target = where === 'signature' ? new Uint8Array(signature) : where === 'message' ? new Uint8Array(message) : new Uint8Array(publicKey);
        if (target.length === 0) return;
        target[at % target.length]! ^= 1 << at % 8;
        const args: [Uint8Array, Uint8Array, Uint8Array] =
          where === 'signature' ? [target, message, publicKey] : where === 'message' ? [signature, target, publicKey] : [signature, message, target];
        expect(answers(...args)).toEqual({ commandLine: false, browser: false, fromDocs: false });
      }),
      { numRuns: 200 },
    );
  });
});
