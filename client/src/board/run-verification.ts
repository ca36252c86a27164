/**
 * The verifier as the board runs it: the very `verifyBundle` of `npm run verify`, with WebCrypto
 * for the token signatures (RSA-PSS) and @noble/curves for the bundle's Ed25519 signature.
 * Imported lazily, only when someone presses "verify": most readers of the board never do.
 */
import { webCryptoPssVerifier } from '../../../shared/crypto/token.ts';
import { verifyBundle, type VerificationReport } from '../../../shared/verify/verify-bundle.ts';

export type { VerificationReport };

export function verifyInBrowser(bundle: unknown, expectedSignerPublicKey: string | undefined): Promise<VerificationReport> {
  return verifyBundle(bundle, {
    verifyPss: webCryptoPssVerifier,
    ...(expectedSignerPublicKey !== undefined ? { expectedSignerPublicKey } : {}),
  });
}
