/**
 * Section 1: RFC 9474 blind signing, ours against @cloudflare/blindrsa-ts 0.4.4, with one
 * 2048-bit key in the same process.
 *
 *   issuer   ours: blindSign (server/crypto/blind-signer.ts: OpenSSL RSASP1 + the §4.3 fault check)
 *            theirs: RSABSSA.SHA384.PSS.Deterministic().blindSign, the suite's default on Node
 *            (supportsRSARAW false: JWK export, then sjcl m^d mod n without CRT)
 *            ceiling: node:crypto privateDecrypt(RSA_NO_PADDING) alone, the bare OpenSSL operation
 *   client   blind, then finalize (which includes the RSASSA-PSS verification) for both libraries:
 *            ours is shared/crypto/blind-rsa.ts (BigInt + @noble/hashes), theirs sjcl + WebCrypto.
 *
 * Every repetition measures ours and theirs back to back, so the ratio of one repetition is
 * taken under the same machine load; the table shows the medians over repetitions.
 */
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { blindSign, generateIssuingKey } from '../server/crypto/blind-signer.ts';
import { blind, finalize, parseRsaSpki, randomNonce } from '../shared/crypto/blind-rsa.ts';
import { encodeTokenInput, tokenContext, tokenKeyId } from '../shared/crypto/token.ts';
import { settings } from './lib/config.ts';
import { target, type SectionResult } from './lib/report.ts';
import { median, opsPerSecond, timeOnce } from './lib/stats.ts';

const RSA_PSS_SHA384 = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

export async function benchSigning(log: (line: string) => void): Promise<SectionResult> {
  const config = settings.signing;
  const key = generateIssuingKey();
  const pk = parseRsaSpki(key.spki);
  const keyId = tokenKeyId(key.spki);
  const tokenInput = () => encodeTokenInput({ nonce: randomNonce(), context: tokenContext('poll-bench', 'members', 'cand-1'), keyId });
  const theirSuite = RSABSSA.SHA384.PSS.Deterministic();
  // Their suite exports keys as JWK on every call, so they must be extractable.
  const theirPublicKey = await crypto.subtle.importKey('spki', key.spki as BufferSource, RSA_PSS_SHA384, true, ['verify']);
  const theirPrivateKey = await crypto.subtle.importKey('pkcs8', key.privateKeyPkcs8 as BufferSource, RSA_PSS_SHA384, true, ['sign']);
  const rawPrivateKey = createPrivateKey({ key: Buffer.from(key.privateKeyPkcs8), format: 'der', type: 'pkcs8' });

  const blindedMessage = blind(pk, tokenInput()).blindedMessage;
  // Both signers must agree before their speeds mean anything.
  const ourSignature = blindSign(key.privateKeyPkcs8, key.spki, blindedMessage);
  const theirSignature = await theirSuite.blindSign(theirPrivateKey, blindedMessage);
  if (Buffer.compare(Buffer.from(ourSignature), Buffer.from(theirSignature)) !== 0)
    throw new Error('ours and @cloudflare/blindrsa-ts disagree on the blind signature');
  for (let i = 0; i < 20; i++) blindSign(key.privateKeyPkcs8, key.spki, blindedMessage); // warm-up

  const sign = { ours: [] as number[], theirs: [] as number[], ratio: [] as number[], opensslCeiling: [] as number[] };
  const client = { oursBlind: [] as number[], oursFinalize: [] as number[], theirsBlind: [] as number[], theirsFinalize: [] as number[] };
  for (let rep = 0; rep < config.repetitions; rep++) {
    const ours = await opsPerSecond(() => blindSign(key.privateKeyPkcs8, key.spki, blindedMessage), config.oursMinMs, 10);
    const theirs = await opsPerSecond(() => theirSuite.blindSign(theirPrivateKey, blindedMessage), 0, config.theirsOps);
    const ceiling = await opsPerSecond(
      () => privateDecrypt({ key: rawPrivateKey, padding: constants.RSA_NO_PADDING }, blindedMessage),
      config.oursMinMs / 2,
      10,
    );
    sign.ours.push(ours);
    sign.theirs.push(theirs);
    sign.ratio.push(ours / theirs);
    sign.opensslCeiling.push(ceiling);

    // Client side: a fresh token input per operation, as a voter's device has.
    const ourTimes = { blind: [] as number[], finalize: [] as number[] };
    for (let i = 0; i < config.clientOursOps; i++) {
      const msg = tokenInput();
      let out!: ReturnType<typeof blind>;
      ourTimes.blind.push(await timeOnce(() => (out = blind(pk, msg))));
      const blindSig = blindSign(key.privateKeyPkcs8, key.spki, out.blindedMessage);
      ourTimes.finalize.push(await timeOnce(() => finalize(pk, msg, blindSig, out.inverse)));
    }
    const theirTimes = { blind: [] as number[], finalize: [] as number[] };
    for (let i = 0; i < config.clientTheirsOps; i++) {
      const msg = tokenInput();
      let out!: Awaited<ReturnType<typeof theirSuite.blind>>;
      theirTimes.blind.push(await timeOnce(async () => (out = await theirSuite.blind(theirPublicKey, msg))));
      const blindSig = blindSign(key.privateKeyPkcs8, key.spki, out.blindedMsg);
      theirTimes.finalize.push(await timeOnce(() => theirSuite.finalize(theirPublicKey, msg, blindSig, out.inv)));
    }
    client.oursBlind.push(median(ourTimes.blind));
    client.oursFinalize.push(median(ourTimes.finalize));
    client.theirsBlind.push(median(theirTimes.blind));
    client.theirsFinalize.push(median(theirTimes.finalize));
    log(`  signing rep ${rep + 1}/${config.repetitions}: ours ${ours.toFixed(0)}/s, theirs ${theirs.toFixed(2)}/s, ratio ${(ours / theirs).toFixed(0)}×`);
  }

  const m = (xs: number[]) => median(xs);
  const ratio = m(sign.ratio);
  const oursClient = m(client.oursBlind) + m(client.oursFinalize);
  const theirsClient = m(client.theirsBlind) + m(client.theirsFinalize);
  return {
    title: '1. Blind signing (RSA-2048, RSABSSA-SHA384-PSS-Deterministic), one Node process',
    rows: [
      { metric: 'blindSign, ours (node:crypto)', value: m(sign.ours), unit: 'signatures/s', note: `median of ${config.repetitions}` },
      { metric: 'blindSign, @cloudflare/blindrsa-ts 0.4.4', value: m(sign.theirs), unit: 'signatures/s', note: 'default suite on Node: sjcl, no CRT' },
      { metric: 'ratio ours / theirs', value: ratio, unit: '×', note: 'median of per-repetition ratios' },
      { metric: 'bare OpenSSL RSASP1 (privateDecrypt)', value: m(sign.opensslCeiling), unit: 'operations/s', note: 'ceiling for ours; ours adds the fault check' },
      { metric: 'client blind, ours', value: m(client.oursBlind), unit: 'ms' },
      { metric: 'client finalize + verify, ours', value: m(client.oursFinalize), unit: 'ms' },
      { metric: 'client blind, theirs', value: m(client.theirsBlind), unit: 'ms' },
      { metric: 'client finalize + verify, theirs', value: m(client.theirsFinalize), unit: 'ms', note: 'verify through WebCrypto' },
      { metric: 'client blind + finalize, theirs / ours', value: theirsClient / oursClient, unit: '×', note: `${theirsClient.toFixed(1)} ms vs ${oursClient.toFixed(2)} ms` },
    ],
    targets: [target('blind signing ≥ 100× @cloudflare/blindrsa-ts', ratio, '×', (v) => v >= 100)],
    raw: { sign, client, repetitions: config.repetitions },
  };
}
