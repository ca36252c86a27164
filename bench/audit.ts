/**
 * Section 3: verifying published bundles of 1,000, 10,000 and 100,000 ballots.
 *
 *   Node      `npm run verify` as a user runs it: `node --import tsx server/cli/verify.ts FILE`,
 *             wall time of the whole process (start-up included; start-up alone is measured
 *             with --help) and its peak memory. It must print VERIFIED and exit 0. One untimed
 *             run per bundle comes first (it checks the cached bundle and warms the page cache).
 *   Chromium  the same shared/verify/verify-bundle.ts with webCryptoPssVerifier, bundled with
 *             Vite into a small page served from 127.0.0.1, in headless Chromium through
 *             playwright-core; download, strict JSON and verifyBundle are timed in the page.
 *   where the time goes (largest size, in this process): JSON.parse and the strict reading the
 *             verifier does (shared/strict-json.ts), the Ed25519 bundle signature as the browser
 *             checks it (the strict rule, @noble's SHA-512) and as the CLI does (node:crypto's),
 *             and every token's RSA-PSS signature serially (nodePssVerifier, as the CLI does) and
 *             on libuv's thread pool (crypto.verify with a callback). The pairs show what a change
 *             in server/ or shared/ would gain; they are measured, not estimated.
 *
 * Bundles come from bench/fixtures/bundles.ts (cached in bench/.cache/).
 */
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { nodePssVerifier } from '../server/crypto/blind-signer.ts';
import { bundleSigningBytes, checkBundleSignature } from '../shared/crypto/bundle-signature.ts';
import { decodeToken, tokenInputOf } from '../shared/crypto/token.ts';
import { fromBase64, fromBase64Url, toHex } from '../shared/encoding.ts';
import { parseStrictJson } from '../shared/strict-json.ts';
import { nodeEd25519Verifier } from '../server/crypto/ed25519-node.ts';
import type { Bundle } from '../shared/protocol/bundle.ts';
import { CHROMIUM_PATH, launchBrowser } from '../test/helpers/browser.ts';
import type { BrowserVerifyTiming } from './browser/verify-page.ts';
import { cachedBundle, type CachedBundle } from './fixtures/bundles.ts';
import { settings } from './lib/config.ts';
import { timeCommand, type TimedRun } from './lib/proc.ts';
import { target, type Row, type SectionResult } from './lib/report.ts';
import { median, now, timeOnce } from './lib/stats.ts';

/** A Chromium run slower than this is not repeated, and larger sizes are skipped. */
const BROWSER_RUN_LIMIT_MS = 120_000;

const sizeLabel = (n: number) => n.toLocaleString('en-US');

/**
 * The key a bench bundle is signed with, read once per file (untimed): these bundles are the
 * bench's own, so pinning the verifier to their signer is what an auditor with the notice does.
 */
const signers = new Map<string, string>();
const signerOf = (file: string): string => {
  if (!signers.has(file)) signers.set(file, (JSON.parse(readFileSync(file, 'utf8')) as Bundle).signer.publicKey);
  return signers.get(file)!;
};

const runVerifyCli = (file: string) => timeCommand(process.execPath, ['--import', 'tsx', 'server/cli/verify.ts', file, '--signer', signerOf(file)]);
const verified = (run: TimedRun) => run.exitCode === 0 && /VERIFIED: all/.test(run.stdout);

async function timedVerifyCli(file: string): Promise<TimedRun> {
  const run = await runVerifyCli(file);
  if (!verified(run)) throw new Error(`npm run verify failed on ${file} (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  return run;
}

/**
 * A cached bundle the current verifier accepts. The check is one untimed CLI run, which also
 * brings the file into the page cache; a cached bundle that an evolved verifier refuses is rebuilt.
 */
async function verifiedBundle(size: number, log: (line: string) => void): Promise<CachedBundle> {
  let bundle = await cachedBundle(size, log);
  let check = await runVerifyCli(bundle.file);
  if (!verified(check) && bundle.buildMs === undefined) {
    log(`  the cached ${sizeLabel(size)}-ballot bundle no longer verifies (${check.stdout.trim().split('\n').pop()}); rebuilding`);
    bundle = await cachedBundle(size, log, true);
    check = await runVerifyCli(bundle.file);
  }
  if (!verified(check)) throw new Error(`a fresh ${size}-ballot bundle does not verify (exit ${check.exitCode}):\n${check.stdout}\n${check.stderr}`);
  return bundle;
}

// ---------------------------------------------------------------------------------------------
// Chromium

async function buildVerifyPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'anon-ballot-verify-page-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    mode: 'production',
    // Library mode leaves process.env alone; the page has no `process`.
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      lib: { entry: join(import.meta.dirname, 'browser', 'verify-page.ts'), formats: ['es'], fileName: () => 'verify-page.js' },
    },
  });
  return outDir;
}

/** Serves the page, its script and the cached bundles on 127.0.0.1. */
function servePage(pageDir: string, bundles: Map<string, string>): Promise<{ server: Server; url: string }> {
  const html = '<!doctype html><meta charset="utf-8"><title>verify bench</title><script type="module" src="/verify-page.js"></script>';
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    if (path === '/verify-page.js')
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(pageDir, 'verify-page.js')));
    const file = bundles.get(path);
    if (file) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': statSync(file).size });
      return void createReadStream(file).pipe(res);
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

interface BrowserSize {
  ballots: number;
  runs: BrowserVerifyTiming[];
  skipped?: string;
}

async function benchChromium(bundles: CachedBundle[], runs: number, log: (line: string) => void): Promise<BrowserSize[]> {
  if (!existsSync(CHROMIUM_PATH)) return bundles.map((b) => ({ ballots: b.ballots, runs: [], skipped: `no Chromium at ${CHROMIUM_PATH}` }));
  const pageDir = await buildVerifyPage();
  const paths = new Map(bundles.map((b) => [`/bundle-${b.ballots}.json`, b.file]));
  const { server, url } = await servePage(pageDir, paths);
  const browser = await launchBrowser();
  const results: BrowserSize[] = [];
  let tooSlow: string | undefined;
  try {
    for (const bundle of bundles) {
      const size: BrowserSize = { ballots: bundle.ballots, runs: [] };
      results.push(size);
      if (tooSlow) {
        size.skipped = tooSlow;
        continue;
      }
      for (let run = 0; run < runs; run++) {
        // A fresh page each time: no key cached by an earlier run, a fresh heap.
        const page = await browser.newPage();
        try {
          await page.goto(url);
          await page.waitForFunction(() => 'benchVerify' in globalThis);
          const timing = await page.evaluate(
            (path) => (globalThis as unknown as { benchVerify(u: string): Promise<BrowserVerifyTiming> }).benchVerify(path),
            `/bundle-${bundle.ballots}.json`,
          );
          if (!timing.ok) throw new Error(`Chromium did not verify the ${bundle.ballots}-ballot bundle: ${JSON.stringify(timing.firstFailure)}`);
          size.runs.push(timing);
          log(`  Chromium ${sizeLabel(bundle.ballots)}: verify ${(timing.verifyMs / 1000).toFixed(2)} s (parse ${timing.parseMs.toFixed(0)} ms)`);
          if (timing.fetchMs + timing.parseMs + timing.verifyMs > BROWSER_RUN_LIMIT_MS) {
            tooSlow = `skipped: ${sizeLabel(bundle.ballots)} ballots took over ${BROWSER_RUN_LIMIT_MS / 1000} s`;
            break;
          }
        } finally {
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
    await new Promise((done) => server.close(done));
    rmSync(pageDir, { recursive: true, force: true });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Where the time goes, in-process

/** RSASSA-PSS verification on libuv's thread pool (the callback form of crypto.verify). */
function verifyOnThreadPool(key: KeyObject, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return new Promise((resolve) =>
    verify('sha384', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, signature, (error, ok) =>
      resolve(!error && ok),
    ),
  );
}

async function breakdown(file: string) {
  const text = readFileSync(file, 'utf8');
  let bundle!: Bundle;
  const parseMs = await timeOnce(() => (bundle = JSON.parse(text) as Bundle));
  const fileBytes = readFileSync(file);
  const strictParseMs = await timeOnce(() => parseStrictJson(fileBytes));
  const ed25519NobleMs = await timeOnce(() => checkBundleSignature(bundle));
  let signed!: Uint8Array;
  const canonicalJsonMs = await timeOnce(() => (signed = bundleSigningBytes(bundle)));
  const ed25519NodeMs = await timeOnce(() => {
    if (!nodeEd25519Verifier(fromBase64(bundle.signature), signed, fromBase64(bundle.signer.publicKey))) throw new Error('the CLI’s Ed25519 rejects the bundle signature');
  });
  // Each token under the key it names (v2: one key per question).
  const keys = new Map(bundle.tokenKeys.map((k) => [k.keyId, { spki: fromBase64(k.spki), key: createPublicKey({ key: Buffer.from(fromBase64(k.spki)), format: 'der', type: 'spki' }) }]));
  const tokens = bundle.ballots.map((b) => {
    const bytes = fromBase64Url(b.token);
    const decoded = decodeToken(bytes);
    return { input: tokenInputOf(bytes), authenticator: decoded.authenticator, key: keys.get(toHex(decoded.keyId))! };
  });
  const pssSerialMs = await timeOnce(() => {
    for (const t of tokens) if (nodePssVerifier(t.key.spki, t.input, t.authenticator) !== true) throw new Error('token signature rejected');
  });
  const pssThreadPoolMs = await timeOnce(async () => {
    let next = 0;
    const worker = async () => {
      while (next < tokens.length) {
        const t = tokens[next++]!;
        if (!(await verifyOnThreadPool(t.key.key, t.input, t.authenticator))) throw new Error('token signature rejected');
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
  });
  return { ballots: tokens.length, parseMs, strictParseMs, ed25519NobleMs, canonicalJsonMs, ed25519NodeMs, pssSerialMs, pssThreadPoolMs };
}

// ---------------------------------------------------------------------------------------------

export async function benchAudit(log: (line: string) => void): Promise<SectionResult> {
  const config = settings.audit;
  const sizes = [...new Set([...config.cliSizes, ...config.browserSizes])].sort((a, b) => a - b);
  const bundles = new Map<number, CachedBundle>();
  for (const size of sizes) bundles.set(size, await verifiedBundle(size, log));

  const startup = [];
  for (let i = 0; i < config.cliRuns; i++) startup.push(await timeCommand(process.execPath, ['--import', 'tsx', 'server/cli/verify.ts', '--help']));
  const cli: { ballots: number; bytes: number; runs: TimedRun[] }[] = [];
  for (const size of config.cliSizes) {
    const bundle = bundles.get(size)!;
    const runs: TimedRun[] = [];
    for (let i = 0; i < config.cliRuns; i++) runs.push(await timedVerifyCli(bundle.file));
    cli.push({ ballots: size, bytes: bundle.bytes, runs });
    log(`  npm run verify ${sizeLabel(size)}: ${runs.map((r) => (r.ms / 1000).toFixed(2)).join(', ')} s`);
  }
  const largest = Math.max(...config.cliSizes);
  const detail = await breakdown(bundles.get(largest)!.file);
  const browser = await benchChromium(config.browserSizes.map((s) => bundles.get(s)!), config.browserRuns, log);

  const startupMs = median(startup.map((r) => r.ms));
  const startupCpu = startup.map((r) => r.cpuS).filter((v): v is number => v !== undefined);
  const rows: Row[] = [
    {
      metric: 'CLI start-up alone (--help)',
      value: startupMs / 1000,
      unit: 's',
      note: `node + tsx + imports${startupCpu.length ? `; ${median(startupCpu).toFixed(2)} s CPU` : ''}`,
    },
  ];
  for (const c of cli) {
    rows.push({
      metric: `npm run verify, ${sizeLabel(c.ballots)} ballots`,
      value: median(c.runs.map((r) => r.ms)) / 1000,
      unit: 's',
      note: `median of ${c.runs.length}; ${(c.bytes / 1e6).toFixed(1)} MB bundle`,
    });
    const cpu = c.runs.map((r) => r.cpuS).filter((v): v is number => v !== undefined);
    if (cpu.length) rows.push({ metric: `  CPU time of the CLI (user + sys)`, value: median(cpu), unit: 's', note: 'steadier than wall time under load' });
    const rss = c.runs.map((r) => r.peakRssMiB).filter((v): v is number => v !== undefined);
    if (rss.length) rows.push({ metric: `  peak memory of the CLI`, value: median(rss), unit: 'MiB' });
  }
  rows.push(
    { metric: `breakdown (${sizeLabel(largest)}): JSON.parse`, value: detail.parseMs / 1000, unit: 's', note: 'single run, in-process' },
    { metric: `  strict JSON from the file's bytes (as verified)`, value: detail.strictParseMs / 1000, unit: 's', note: 'UTF-8, JSON.parse, duplicate scan' },
    { metric: `  Ed25519 bundle signature, as the browser (@noble)`, value: detail.ed25519NobleMs / 1000, unit: 's', note: 'canonical JSON + SHA-512 in JS' },
    { metric: `  of which canonical JSON bytes`, value: detail.canonicalJsonMs / 1000, unit: 's' },
    { metric: `  same signature as the CLI (node:crypto SHA-512)`, value: (detail.canonicalJsonMs + detail.ed25519NodeMs) / 1000, unit: 's', note: 'canonical JSON + strict rule' },
    { metric: `  RSA-PSS of every token, serial (as the CLI)`, value: detail.pssSerialMs / 1000, unit: 's', note: 'nodePssVerifier' },
    { metric: `  RSA-PSS of every token, libuv thread pool`, value: detail.pssThreadPoolMs / 1000, unit: 's', note: 'crypto.verify callback, 64 pending' },
  );
  for (const b of browser) {
    const label = `Chromium verifyBundle, ${sizeLabel(b.ballots)} ballots`;
    if (b.runs.length === 0) {
      rows.push({ metric: label, value: '—', unit: '', note: b.skipped ?? 'not measured' });
      continue;
    }
    rows.push({ metric: label, value: median(b.runs.map((r) => r.verifyMs)) / 1000, unit: 's', note: `median of ${b.runs.length}; WebCrypto RSA-PSS` });
    rows.push({ metric: `  download + strict JSON in the page`, value: median(b.runs.map((r) => r.fetchMs + r.parseMs)) / 1000, unit: 's' });
  }

  const hundredK = cli.find((c) => c.ballots === 100_000);
  return {
    title: '3. Audit: verifying a published bundle',
    rows,
    targets: [
      target(
        'verify 100,000 ballots < 10 s in Node (npm run verify)',
        hundredK ? median(hundredK.runs.map((r) => r.ms)) / 1000 : undefined,
        's',
        (v) => v < 10,
        hundredK ? 'whole CLI process, start-up included' : 'quick run: 100,000 not measured',
      ),
    ],
    raw: {
      startupMs: startup.map((r) => r.ms),
      cli: cli.map((c) => ({
        ballots: c.ballots,
        bytes: c.bytes,
        ms: c.runs.map((r) => r.ms),
        cpuS: c.runs.map((r) => r.cpuS),
        peakRssMiB: c.runs.map((r) => r.peakRssMiB),
      })),
      breakdown: detail,
      chromium: browser,
    },
  };
}
