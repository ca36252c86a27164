/**
 * Command-line bundle verifier: re-checks a published tally bundle without trusting the server.
 *
 *   npm run verify -- <bundle.json> --signer <base64 Ed25519 public key>
 *   npm run verify -- <bundle.json> --signer-file <file holding that key>
 *
 * The signer is the installation's public key, obtained out of band (its notice, `npm start`,
 * GET /api/public/signer; server/cli/pinned-signer.ts lists the file formats). Without it every
 * check still runs, but they prove only that *someone* signed the bundle, so it is never called
 * VERIFIED. Prints one line per check and a verdict. Exit status:
 *   0  VERIFIED: every check passes and the bundle is signed by the pinned key
 *   1  NOT VERIFIED: a check fails (the verdict names the first), including a bundle signed by
 *      another key than the pinned one, and a file that is not strict JSON (format fails)
 *   2  usage or input error: no such file, bad --signer or --signer-file, both given
 *   3  SIGNER NOT PINNED: every check passes, but no --signer or --signer-file was given
 * The file is read as bytes and parsed strictly (shared/strict-json.ts: UTF-8, no duplicate
 * member, no lone surrogate); the checks are shared/verify/verify-bundle.ts, the same code the
 * browser runs, with the same Ed25519 rule; here RSA-PSS and SHA-512 go through OpenSSL
 * (nodePssVerifierParallel, nodeEd25519Verifier), several times faster than WebCrypto and @noble.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { VerificationReport } from '../../shared/verify/verify-bundle.ts';
import { readBundleJson, verifyReadBundle } from '../../shared/verify/verify-bundle-json.ts';
import { nodeEd25519Verifier } from '../crypto/ed25519-node.ts';
import { nodePssVerifierParallel } from '../crypto/blind-signer.ts';
import { PinnedSignerError, pinnedSignerKey, readPinnedSignerFile } from './pinned-signer.ts';

const USAGE = 'usage: npm run verify -- <bundle.json> (--signer <base64 Ed25519 public key> | --signer-file <file>)';

/** Exit statuses (see the header). */
const EXIT = Object.freeze({ verified: 0, notVerified: 1, usage: 2, signerNotPinned: 3 });

class UsageError extends Error {}

function parseCommandLine(argv: string[]): { file: string; signer?: string; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { signer: { type: 'string' }, 'signer-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { file: '', help: true };
  if (positionals.length === 0) throw new UsageError('no bundle file given');
  if (positionals.length > 1) throw new UsageError('give exactly one bundle file');
  if (values.signer !== undefined && values['signer-file'] !== undefined) throw new UsageError('give --signer or --signer-file, not both');
  let signer: string | undefined;
  try {
    if (values.signer !== undefined) signer = pinnedSignerKey(values.signer, '--signer');
    if (values['signer-file'] !== undefined) signer = readPinnedSignerFile(values['signer-file']);
  } catch (error) {
    if (error instanceof PinnedSignerError) throw new UsageError(error.message);
    throw error;
  }
  return { file: positionals[0]!, ...(signer === undefined ? {} : { signer }), help: false };
}

async function readBundleBytes(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
}

/** The key the bundle names as its signer, for the sentence that asks to compare it. */
const claimedSigner = (input: unknown): string => {
  const key = (input as { signer?: { publicKey?: unknown } } | null)?.signer?.publicKey;
  return typeof key === 'string' ? key : 'none';
};

function formatReport(report: VerificationReport, pinned: boolean, file: string, claimed: string): string {
  const width = Math.max(...report.checks.map((check) => check.id.length));
  const lines = report.checks.map((check) => `${check.ok ? '✓' : '✗'} ${check.id.padEnd(width)}  ${check.detail}`);
  const failed = report.checks.filter((check) => !check.ok).length;
  if (report.ok && pinned) lines.push(`VERIFIED: all ${report.checks.length} checks pass.`);
  else if (report.ok)
    lines.push(
      `SIGNER NOT PINNED: all ${report.checks.length} checks pass, but only for the key the bundle names itself, ${claimed}; ` +
        'anyone can sign a bundle with their own key. Compare it with the key the installation published ' +
        '(its notice, npm start, GET /api/public/signer), then run again with that key: ' +
        `npm run verify -- ${file} --signer <published key>, or --signer-file <file holding it>.`,
    );
  else if (report.firstFailure)
    lines.push(
      `NOT VERIFIED: first failure: ${report.firstFailure.id} (${report.firstFailure.code}); ` +
        (report.checks.length === 1
          ? 'the bundle is not well-formed, so nothing else could be checked.'
          : `${failed} of ${report.checks.length} checks fail.`),
    );
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  try {
    const { file, signer, help } = parseCommandLine(argv);
    if (help) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.verified;
    }
    const read = readBundleJson(await readBundleBytes(file));
    const report = await verifyReadBundle(read, {
      verifyPss: nodePssVerifierParallel,
      verifyEd25519: nodeEd25519Verifier,
      ...(signer === undefined ? {} : { expectedSignerPublicKey: signer }),
    });
    const claimed = read.ok ? claimedSigner(read.input) : 'none';
    process.stdout.write(`${formatReport(report, signer !== undefined, file, claimed)}\n`);
    if (!report.ok) return EXIT.notVerified;
    return signer === undefined ? EXIT.signerNotPinned : EXIT.verified;
  } catch (error) {
    // Usage and input errors are the user's to fix; anything else is ours. Neither gets a stack trace.
    if (error instanceof UsageError) process.stderr.write(`verify: ${error.message}\n${USAGE}\n`);
    else process.stderr.write(`verify: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
}

process.exitCode = await main(process.argv.slice(2));
