/**
 * Entry of the page that runs the bundle verifier in headless Chromium (bench/audit.ts bundles
 * it with Vite): the same shared/verify code and WebCrypto RSA-PSS verifier a browser uses.
 * `benchVerify(url)` downloads a bundle, parses it strictly (as the board does) and verifies it,
 * timing each step.
 */
import { webCryptoPssVerifier } from '../../shared/crypto/token.ts';
import { parseStrictJson } from '../../shared/strict-json.ts';
import { verifyBundle } from '../../shared/verify/verify-bundle.ts';

export interface BrowserVerifyTiming {
  ok: boolean;
  firstFailure?: { id: string; code: string; detail: string };
  fetchMs: number;
  parseMs: number;
  verifyMs: number;
  jsHeapMiB?: number;
}

async function benchVerify(url: string): Promise<BrowserVerifyTiming> {
  const t0 = performance.now();
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const t1 = performance.now();
  const input: unknown = parseStrictJson(bytes);
  const t2 = performance.now();
  const report = await verifyBundle(input, { verifyPss: webCryptoPssVerifier });
  const t3 = performance.now();
  // Chromium only, and coarse; enough to see the order of magnitude.
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return {
    ok: report.ok,
    ...(report.firstFailure ? { firstFailure: report.firstFailure } : {}),
    fetchMs: t1 - t0,
    parseMs: t2 - t1,
    verifyMs: t3 - t2,
    ...(memory ? { jsHeapMiB: memory.usedJSHeapSize / 2 ** 20 } : {}),
  };
}

(globalThis as unknown as { benchVerify: typeof benchVerify }).benchVerify = benchVerify;
