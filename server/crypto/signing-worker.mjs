/**
 * A signing worker for the opening of voting (server/crypto/signing-pool.ts): signs every pending
 * blinded request of the keys it is given, off the main thread, so that the server keeps
 * answering while hundreds of signatures are made. Plain JavaScript: a worker loads no TypeScript.
 *
 * workerData: { keys: [{ pkcs8: Uint8Array, spki: Uint8Array, modulus: Uint8Array, messages: Uint8Array[] }] }
 * posts back: [{ signatures: (Uint8Array | null)[], codes: (string | null)[] }], one per key, in order.
 * The private keys die with the worker, which exits after one batch.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { rsaBlindSign } from './rsa-blind-sign.mjs';

const results = workerData.keys.map(({ pkcs8, spki, modulus, messages }) => {
  let key;
  try {
    key = {
      privateKey: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
      publicKey: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
      modulus,
    };
  } catch {
    return { signatures: messages.map(() => null), codes: messages.map(() => 'bad_private_key') };
  } finally {
    pkcs8.fill(0);
  }
  const outcomes = messages.map((message) => rsaBlindSign(key, message));
  return { signatures: outcomes.map((o) => o.signature ?? null), codes: outcomes.map((o) => o.code ?? null) };
});
parentPort.postMessage(results);
