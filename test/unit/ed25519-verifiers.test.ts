import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519.js';
import { nobleEd25519Verifier } from '../../shared/crypto/bundle-signature.ts';
import { nodeEd25519Verifier } from '../../server/crypto/ed25519-node.ts';

describe('Ed25519: OpenSSL (command line) and @noble (browser) agree', () => {
  const secret = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(secret);
  it('accept a valid signature and refuse any flipped bit, in signature, message or key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.constantFrom('signature', 'message', 'key'), (message, at, where) => {
        const signature = ed25519.sign(message, secret);
        expect(nodeEd25519Verifier(signature, message, publicKey)).toBe(true);
        expect(nobleEd25519Verifier(signature, message, publicKey)).toBe(true);
        const target = where === 'signature' ? new Uint8Array(signature) : where === 'message' ? new Uint8Array(message) : new Uint8Array(publicKey);
        if (target.length === 0) return;
        target[at % target.length]! ^= 1 << at % 8;
        const args: [Uint8Array, Uint8Array, Uint8Array] =
          where === 'signature' ? [target, message, publicKey] : where === 'message' ? [signature, target, publicKey] : [signature, message, target];
        expect(nodeEd25519Verifier(...args)).toBe(nobleEd25519Verifier(...args));
        expect(nodeEd25519Verifier(...args)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
