/**
 * The opening signs every pending request in worker threads (server/crypto/signing-worker.mjs):
 * the same RFC 9474 steps as on the main thread (server/crypto/rsa-blind-sign.mjs), so the same
 * bytes (RSA blind signatures are deterministic), spread over several workers, and a refusal in
 * any batch stops the whole opening with its code.
 */
import { describe, expect, it } from 'vitest';
import { blind, finalize, parseRsaSpki, randomNonce } from '../../shared/crypto/blind-rsa.ts';
import { toHex } from '../../shared/encoding.ts';
import { blindSign, blindSignInWorkers, generateIssuingKeyAsync } from '../../server/crypto/blind-signer.ts';

describe('signing in worker threads', () => {
  it('gives, for three keys and 30 requests, the very signatures the main thread gives, each finalizing to a valid token signature', async () => {
    const keys = await Promise.all([generateIssuingKeyAsync(), generateIssuingKeyAsync(), generateIssuingKeyAsync()]);
    const batches = keys.map((key, k) => {
      const pk = parseRsaSpki(key.spki);
      const messages = Array.from({ length: 5 + k * 5 }, () => randomNonce());
      const blinded = messages.map((m) => blind(pk, m));
      return { key, pk, messages, blinded, batch: { privateKeyPkcs8: key.privateKeyPkcs8, spki: key.spki, blindedMessages: blinded.map((b) => b.blindedMessage) } };
    });
    const signed = await blindSignInWorkers(batches.map((b) => b.batch));
    expect(signed.map((s) => s.length)).toEqual([5, 10, 15]);
    batches.forEach(({ key, pk, messages, blinded, batch }, k) =>
      batch.blindedMessages.forEach((message, i) => {
        expect(toHex(signed[k]![i]!)).toBe(toHex(blindSign(key.privateKeyPkcs8, key.spki, message)));
        expect(finalize(pk, messages[i]!, signed[k]![i]!, blinded[i]!.inverse).length).toBe(256);
      }),
    );
    // The keys handed to the workers were copies: the caller's bytes are untouched.
    expect(batches[0]!.key.privateKeyPkcs8.some((b) => b !== 0)).toBe(true);
  });

  it('refuses the whole opening with the code of a bad request, and signs nothing for an empty list', async () => {
    const key = await generateIssuingKeyAsync();
    // A 32-byte message where the modulus has 256 bytes.
    await expect(blindSignInWorkers([{ privateKeyPkcs8: key.privateKeyPkcs8, spki: key.spki, blindedMessages: [randomNonce()] }])).rejects.toMatchObject({
      code: 'bad_length',
    });
    const pk = parseRsaSpki(key.spki);
    const tooHigh = new Uint8Array(256).fill(0xff);
    await expect(
      blindSignInWorkers([{ privateKeyPkcs8: key.privateKeyPkcs8, spki: key.spki, blindedMessages: [blind(pk, randomNonce()).blindedMessage, tooHigh] }]),
    ).rejects.toMatchObject({ code: 'blinded_message_out_of_range' });
    expect(await blindSignInWorkers([])).toEqual([]);
  });
});
