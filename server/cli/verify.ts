/**
 * Command-line bundle verifier: re-checks a published tally bundle without trusting the server.
 *
 *   npm run verify -- <bundle.json> [--signer <base64 Ed25519 public key>]
 *
 * Prints one line per check and a verdict. Exit status: 0 all checks pass, 1 a check fails (the
 * verdict names the first), 2 usage or input error (no such file, not JSON, bad --signer).
 * The checks themselves are shared/verify/verify-bundle.ts, the same code the browser runs; here
 * RSA-PSS goes through OpenSSL (nodePssVerifier), several times faster than WebCrypto per token.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fromBase64 } from '../../shared/encoding.ts';
import { verifyBundle, type VerificationReport } from '../../shared/verify/verify-bundle.ts';
import { nodeEd25519Verifier } from '../crypto/ed25519-node.ts';
import { nodePssVerifierParallel } from '../crypto/blind-signer.ts';

const USAGE = 'usage: npm run verify -- <bundle.json> [--signer <base64 Ed25519 public key>]';

class UsageError extends Error {}

function parseCommandLine(argv: string[]): { file: string; signer?: string; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { signer: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { file: '', help: true };
  if (positionals.length === 0) throw new UsageError('no bundle file given');
  if (positionals.length > 1) throw new UsageError('give exactly one bundle file');
  if (values.signer !== undefined) {
    let key: Uint8Array | undefined;
    try {
      key = fromBase64(values.signer);
    } catch {
      key = undefined;
    }
    if (key?.length !== 32) throw new UsageError('--signer must be a base64 Ed25519 public key (32 bytes)');
  }
  return { file: positionals[0]!, signer: values.signer, help: false };
}

async function readBundleJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

function formatReport(report: VerificationReport): string {
  const width = Math.max(...report.checks.map((check) => check.id.length));
  const lines = report.checks.map((check) => `${check.ok ? '✓' : '✗'} ${check.id.padEnd(width)}  ${check.detail}`);
  const failed = report.checks.filter((check) => !check.ok).length;
  if (report.ok) lines.push(`VERIFIED: all ${report.checks.length} checks pass.`);
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
      return 0;
    }
    const input = await readBundleJson(file);
    const report = await verifyBundle(input, { verifyPss: nodePssVerifierParallel, verifyEd25519: nodeEd25519Verifier, expectedSignerPublicKey: signer });
    process.stdout.write(`${formatReport(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (error) {
    // Usage and input errors are the user's to fix; anything else is ours. Neither gets a stack trace.
    if (error instanceof UsageError) process.stderr.write(`verify: ${error.message}\n${USAGE}\n`);
    else process.stderr.write(`verify: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
