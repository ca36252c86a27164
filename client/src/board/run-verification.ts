/**
 * The verifier as the board runs it: the very checks of `npm run verify`, with WebCrypto for the
 * token signatures (RSA-PSS) and the same strict Ed25519 rule (with @noble's SHA-512). The bundle
 * arrives already read as strict JSON (board-api.ts), or as the refusal of its JSON, which is
 * reported as the failed `format` check, as the command line does. Imported lazily, only when
 * someone presses "verify": most readers of the board never do.
 */
import { webCryptoPssVerifier } from '../../../shared/crypto/token.ts';
import { verifyReadBundle, type ReadBundle } from '../../../shared/verify/verify-bundle-json.ts';
import type { VerificationReport } from '../../../shared/verify/verify-bundle.ts';

export type { ReadBundle, VerificationReport };

export function verifyInBrowser(read: ReadBundle, expectedSignerPublicKey: string | undefined): Promise<VerificationReport> {
  return verifyReadBundle(read, {
    verifyPss: webCryptoPssVerifier,
    ...(expectedSignerPublicKey !== undefined ? { expectedSignerPublicKey } : {}),
  });
}
