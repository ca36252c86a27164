/**
 * `npx tsx bench/strict-verifier.ts`: what reading a bundle strictly and the strict Ed25519 rule
 * cost on a bundle of 100,000 ballots (about 57 MB), in CPU time (process.cpuUsage: the machine
 * is shared, so wall time says little), median of 5 interleaved repetitions:
 *
 *   JSON    lenient = TextDecoder (U+FFFD for bad bytes) + JSON.parse, what the verifier did before;
 *           strict  = shared/strict-json.ts parseStrictJson (fatal UTF-8, JSON.parse, then one
 *                     scan for duplicate members and escaped lone surrogates);
 *           hand    = the independent verifier's hand-written strict parser, as the "single
 *                     hand-written parser" alternative: it is so much slower that it runs once, on
 *                     a bundle of 10,000 ballots, against the lenient parse of that same bundle.
 *   Ed25519 over the same 57 MB: @noble/curves verify (pure-JavaScript SHA-512), OpenSSL's verify
 *           (node:crypto, not strict), and the strict rule with node:crypto's SHA-512 (the command
 *           line) and with @noble's (the browser).
 *
 * The bundle is synthetic (random tokens, three questions, Chinese text): only its size and shape
 * matter here, not its signatures.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { nobleEd25519Verifier } from '../shared/crypto/ed25519-strict.ts';
import { parseStrictJson } from '../shared/strict-json.ts';
import { nodeEd25519Verifier } from '../server/crypto/ed25519-node.ts';
import { parseStrictJson as handWrittenParse } from '../test/independent-verifier/verify-from-docs.mjs';
import { median } from './lib/stats.ts';

const BALLOTS = Number(process.env.BALLOTS ?? 100_000);
const REPEAT = 5;

function syntheticBundle(count: number): Uint8Array {
  const ballots = Array.from({ length: count }, () => ({
    token: randomBytes(354).toString('base64url'),
    choices: { 'cand-1': 'agree', 'cand-2': 'abstain', rec: ['c1', 'c3'] },
  }));
  const bundle = { format: 'anon-ballot-bundle/v1', poll: { id: 'poll-1', title: '接收预备党员表决', questions: [] }, ballots, signature: '' };
  return new TextEncoder().encode(JSON.stringify(bundle, null, 2));
}

/** CPU milliseconds (user + system) that `job` takes. */
function cpuMs(job: () => unknown): number {
  const start = process.cpuUsage();
  job();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const bytes = syntheticBundle(BALLOTS);
process.stderr.write(`bundle of ${BALLOTS} ballots: ${(bytes.length / 1e6).toFixed(1)} MB\n`);

const json = { lenient: [] as number[], strict: [] as number[] };
for (let r = 0; r < REPEAT; r++) {
  json.lenient.push(cpuMs(() => JSON.parse(new TextDecoder().decode(bytes))));
  json.strict.push(cpuMs(() => parseStrictJson(bytes)));
}
const small = syntheticBundle(10_000);
const handLenient = cpuMs(() => JSON.parse(new TextDecoder().decode(small)));
const hand = cpuMs(() => handWrittenParse(new TextDecoder('utf-8', { fatal: true }).decode(small)));

const secret = ed25519.utils.randomSecretKey();
const publicKey = ed25519.getPublicKey(secret);
const signature = ed25519.sign(bytes, secret);
const spki = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
const ed = { noble: [] as number[], openssl: [] as number[], strictNode: [] as number[], strictNoble: [] as number[] };
for (let r = 0; r < REPEAT; r++) {
  ed.openssl.push(cpuMs(() => verify(null, bytes, spki, signature)));
  ed.strictNode.push(cpuMs(() => nodeEd25519Verifier(signature, bytes, publicKey)));
  ed.noble.push(cpuMs(() => ed25519.verify(signature, bytes, publicKey, { zip215: false })));
  ed.strictNoble.push(cpuMs(() => nobleEd25519Verifier(signature, bytes, publicKey)));
}

const ms = (values: number[]) => `${median(values).toFixed(0)} ms`;
const lines = [
  `JSON, ${(bytes.length / 1e6).toFixed(1)} MB (CPU, median of ${REPEAT}):`,
  `  lenient (TextDecoder + JSON.parse)   ${ms(json.lenient)}`,
  `  strict (parseStrictJson)             ${ms(json.strict)}   ratio ${(median(json.strict) / median(json.lenient)).toFixed(2)}`,
  `  hand-written parser, ${(small.length / 1e6).toFixed(1)} MB (1 run)   ${hand.toFixed(0)} ms   ratio ${(hand / handLenient).toFixed(2)} (lenient ${handLenient.toFixed(0)} ms)`,
  `Ed25519 over the same bytes:`,
  `  OpenSSL verify (not strict)          ${ms(ed.openssl)}`,
  `  strict rule, node:crypto SHA-512     ${ms(ed.strictNode)}`,
  `  @noble/curves verify                 ${ms(ed.noble)}`,
  `  strict rule, @noble SHA-512          ${ms(ed.strictNoble)}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
