/**
 * The installation's Ed25519 signing key, which signs every tally bundle. Created at first
 * start in DATA_DIR (file mode 0600), never returned by any route; its public key is served at
 * /api/public/signer and printed at start so it can be published out of band.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBase64, toBase64 } from '../../shared/encoding.ts';

export interface InstallationKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  publicKeyBase64: string;
}

export function installationKeyFrom(secretKey: Uint8Array): InstallationKey {
  const publicKey = ed25519.getPublicKey(secretKey);
  return { secretKey, publicKey, publicKeyBase64: toBase64(publicKey) };
}

export function loadOrCreateInstallationKey(dataDir: string): InstallationKey {
  const file = join(dataDir, 'installation-key.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { alg: string; secretKey: string };
    if (stored.alg !== 'Ed25519') throw new Error(`${file}: unknown key algorithm`);
    return installationKeyFrom(fromBase64(stored.secretKey, 'secretKey'));
  }
  mkdirSync(dataDir, { recursive: true });
  const secretKey = ed25519.utils.randomSecretKey();
  writeFileSync(file, JSON.stringify({ alg: 'Ed25519', secretKey: toBase64(secretKey) }) + '\n', {
    mode: 0o600,
    flag: 'wx',
  });
  return installationKeyFrom(secretKey);
}
