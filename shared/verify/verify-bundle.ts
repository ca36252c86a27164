/**
 * The bundle verifier: everything a member, an observer or a higher committee needs to re-check a
 * published result without trusting the server. The command-line verifier and the browser run
 * this same code; only the RSA-PSS implementation is injected.
 *
 * A bad bundle is reported, never thrown: each check gives one line (ok, a sentence, and an error
 * code on failure), in a fixed order, and the first failure is named. When the bundle is not even
 * well-formed, that is the only line, since nothing else can be read from it.
 *
 * Protocol v2 (`anon-ballot-bundle/v2`, what this software writes):
 *   format         strict parse against the bundle schema
 *   signature      Ed25519 (the strict rule of crypto/ed25519-strict.ts) over the RFC 8785
 *                  canonical JSON, by the expected key when one is given (else it says so)
 *   key_set        the meeting's key set: sorted, distinct, its digest; this poll's keys in it
 *   token_keys     every key id is SHA-256 of its key; one key per (group, question), ids unique
 *   tokens         every ballot carries a well-formed v2 token for this poll, group and question,
 *                  signed by the published key
 *   unique_nonces  no token nonce appears twice (one token, one ballot)
 *   ballot_order   ballots sorted strictly by token bytes (so order reveals nothing of arrival)
 *   receipts       each shown ballot's receipt binds its token, salt and answer
 *   issued         no key has more ballots than tokens issued; the electorate adds up (head count,
 *                  checked in, late, submitted, expected); a warning when more submitted than
 *                  checked in less those who said they did not vote
 *   answers        each ballot answers its key's question validly, in canonical form; withheld
 *                  exactly where the anonymity floor requires
 *   self_evaluations  three evaluations: each candidate's statement signed with the key they
 *                  registered in the room
 *   recount        counting the ballots (and written opinions) again gives the published counts
 *   verdicts       the poll's rule, applied again, gives every published threshold, quorum,
 *                  verdict and explanation
 *   record         the opening statement agrees with the electorate, the keys and the record's
 *                  anchor at the opening; the audit log's heads at the opening and at close are
 *                  in order
 *   cosignatures   each scrutineer's co-signature verifies over the bundle digest, and each
 *                  co-signature of the opening statement over its digest, with the key the signed
 *                  list of scrutineers gives for them, keys distinct and not of small order (no
 *                  co-signature is a pass: co-signing is optional)
 *
 * Protocol v1 (`anon-ballot-bundle/v1`) bundles are verified under v1's rules: one key per group
 * (`token_keys`, `issued`, `choices` of checks-v1.ts) and the v1 token type and context. A v2
 * bundle relabelled v1 fails: its shape is not v1's.
 *
 * To add a check, append a `BundleCheck` to the list of its version: it receives the parsed
 * bundle and the tokens decoded once, and returns an outcome.
 */
import { checkBundleSignature } from '../crypto/bundle-signature.ts';
import { checkScrutineerSignature, cosignatureMessage } from '../crypto/bundle-digest.ts';
import { openingCosignatureMessage } from '../crypto/opening-statement.ts';
import { decodeToken, tokenContext, tokenContextV1, tokenKeyId, TOKEN_TYPE, TOKEN_TYPE_V1 } from '../crypto/token.ts';
import { equalBytes, fromBase64, fromBase64Url, fromHex } from '../encoding.ts';
import { AppError } from '../errors.ts';
import { bundleSchema, isV2, type Bundle, type Cosignature } from '../protocol/bundle.ts';
import { ballotOrderCheck, recountCheck, tokensCheck, uniqueNoncesCheck, verdictsCheck } from './checks-common.ts';
import * as v1 from './checks-v1.ts';
import * as v2 from './checks-v2.ts';
import {
  bytesKey,
  codeOf,
  explain,
  failure,
  pass,
  plural,
  type BundleCheck,
  type CheckOutcome,
  type CheckResult,
  type DecodedBallot,
  type PublishedTokenKey,
  type VerificationContext,
  type VerifyBundleOptions,
} from './context.ts';

export type { BundleCheck, CheckOutcome, CheckResult, DecodedBallot, PublishedTokenKey, VerificationContext, VerifyBundleOptions } from './context.ts';

export interface VerificationReport {
  ok: boolean;
  checks: CheckResult[];
  firstFailure?: { id: string; code: string; detail: string };
}

// ---------------------------------------------------------------------------------------------

const signatureCheck: BundleCheck = {
  id: 'signature',
  run({ input, options }) {
    const signer = input.signer.publicKey;
    if (options.expectedSignerPublicKey !== undefined) {
      let expected: Uint8Array;
      try {
        expected = fromBase64(options.expectedSignerPublicKey, 'expected signer key');
      } catch (error) {
        return failure(codeOf(error), `the expected signer key is not base64: ${explain(error)}`);
      }
      let actual: Uint8Array | undefined;
      try {
        actual = fromBase64(signer);
      } catch {
        actual = undefined;
      }
      if (!actual || !equalBytes(actual, expected))
        return failure('signer_mismatch', `signed by ${signer}, not by the expected key ${options.expectedSignerPublicKey}`);
    }
    try {
      checkBundleSignature(input, options.verifyEd25519);
    } catch (error) {
      if (codeOf(error) === 'bundle_signature')
        return failure(
          'bundle_signature',
          `Ed25519 signature by ${signer} does not match the bundle: changed after signing, or signed by another key`,
        );
      return failure(codeOf(error), `Ed25519 signature by ${signer} cannot be checked: ${explain(error)}`);
    }
    if (options.expectedSignerPublicKey !== undefined) return pass(`Ed25519 signature by ${signer} (the expected signer) is valid`);
    // Valid, but by whichever key the bundle names: the caller decides what an unpinned signer means.
    return pass(`Ed25519 signature by ${signer} is valid; the signer is not pinned (no expected key was given)`);
  },
};

/**
 * Each co-signature of `list` made with a distinct key and valid over `message` by the key the
 * signed list of scrutineers names: the failure, or undefined.
 */
function cosignatureProblem(bundle: Bundle, list: readonly Cosignature[], message: Uint8Array, over: string, options: VerifyBundleOptions): CheckOutcome | undefined {
  const seen = new Set<string>();
  for (const cosignature of list) {
    if (seen.has(cosignature.publicKey)) return failure('cosignature_repeated', `${cosignature.name} co-signed ${over} twice`);
    seen.add(cosignature.publicKey);
    try {
      checkScrutineerSignature(bundle.scrutineers, cosignature, message, over, options.verifyEd25519);
    } catch (error) {
      return failure(codeOf(error), explain(error));
    }
  }
  return undefined;
}

const validNames = (list: readonly Cosignature[]) => `${plural(list.length, 'co-signature')} valid (${list.map((c) => c.name).join(', ')})`;

const cosignaturesCheck: BundleCheck = {
  id: 'cosignatures',
  run({ bundle, options }) {
    const cosignatures = bundle.cosignatures ?? [];
    const named = bundle.scrutineers.flatMap((s) => (s.publicKey ? [s.publicKey] : []));
    if (new Set(named).size !== named.length) return failure('cosigner_key_repeated', 'two scrutineers are named with the same key: their co-signatures cannot be told apart');
    const ofResult = cosignatureProblem(bundle, cosignatures, cosignatureMessage(bundle), 'this bundle', options);
    if (ofResult) return ofResult;
    const withKeys = named.length;
    const ofBundle =
      cosignatures.length === 0
        ? withKeys === 0
          ? 'no scrutineer co-signs this bundle'
          : `none of the ${withKeys} scrutineers with a key has co-signed yet`
        : `${validNames(cosignatures)} of ${withKeys} scrutineers with a key`;
    if (!isV2(bundle)) return pass(ofBundle);
    // v2: the scrutineers' co-signatures of the opening statement, made while voting was open.
    const opening = bundle.opening.cosignatures;
    const ofOpening = cosignatureProblem(bundle, opening, openingCosignatureMessage(bundle.opening.statement), 'the opening statement', options);
    if (ofOpening) return ofOpening;
    return pass(`${ofBundle}; the opening statement: ${opening.length === 0 ? 'not co-signed' : validNames(opening)}`);
  },
};

/** The checks of a v2 bundle after `format`, in report order. Append new ones here. */
export const bundleChecks: readonly BundleCheck[] = Object.freeze([
  signatureCheck,
  v2.keySetCheck,
  v2.tokenKeysCheck,
  tokensCheck,
  uniqueNoncesCheck,
  ballotOrderCheck,
  v2.receiptsCheck,
  v2.issuedCheck,
  v2.answersCheck,
  v2.selfEvaluationsCheck,
  recountCheck,
  verdictsCheck,
  v2.recordCheck,
  cosignaturesCheck,
]);

/** The checks of a v1 bundle after `format`, as v1 defined them. */
export const bundleChecksV1: readonly BundleCheck[] = Object.freeze([
  signatureCheck,
  v1.tokenKeysCheck,
  tokensCheck,
  uniqueNoncesCheck,
  ballotOrderCheck,
  v1.issuedCheck,
  v1.choicesCheck,
  recountCheck,
  verdictsCheck,
  cosignaturesCheck,
]);

// ---------------------------------------------------------------------------------------------

function checkFormat(input: unknown): { outcome: CheckOutcome; bundle?: Bundle } {
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'the bundle';
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more)` : '';
    return { outcome: failure('bundle_format', `${where}: ${issue.message}${more}`) };
  }
  const bundle = parsed.data;
  return {
    outcome: pass(
      `${bundle.format}: poll ${bundle.poll.id}, ${plural(bundle.poll.questions.length, 'question')}, ` +
        `${plural(bundle.tokenKeys.length, 'token key')}, ${plural(bundle.ballots.length, 'ballot')}`,
    ),
    bundle,
  };
}

function publishedKeys(bundle: Bundle): Map<string, PublishedTokenKey> {
  const keys = new Map<string, PublishedTokenKey>();
  for (const entry of bundle.tokenKeys) {
    if (keys.has(entry.keyId)) continue;
    let spki: Uint8Array;
    try {
      spki = fromBase64(entry.spki);
    } catch {
      continue; // reported by `token_keys`; tokens naming this key then count as unknown
    }
    // The id a token must carry is the one computed from the key, so a token bound to a mislabeled
    // key fails with `token_key_id` as well as the label failing `token_keys`.
    const questionId = 'questionId' in entry ? entry.questionId : undefined;
    const context = questionId !== undefined ? tokenContext(bundle.poll.id, entry.group, questionId) : tokenContextV1(bundle.poll.id, entry.group);
    keys.set(entry.keyId, { group: entry.group, ...(questionId !== undefined ? { questionId } : {}), keyId: tokenKeyId(spki), spki, context });
  }
  return keys;
}

function decodeBallots(bundle: Bundle, keysById: Map<string, PublishedTokenKey>, tokenType: number): DecodedBallot[] {
  const keysByRawId = new Map([...keysById].map(([hex, key]) => [bytesKey(fromHex(hex)), key]));
  return bundle.ballots.map((ballot) => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = fromBase64Url(ballot.token, 'token');
      const token = decodeToken(bytes, tokenType);
      return { bytes, token, key: keysByRawId.get(bytesKey(token.keyId)) };
    } catch (error) {
      return { bytes, error: error instanceof AppError ? error : new AppError('bad_token', String(error)) };
    }
  });
}

function report(checks: CheckResult[]): VerificationReport {
  const first = checks.find((check) => !check.ok);
  return first
    ? { ok: false, checks, firstFailure: { id: first.id, code: first.code ?? 'failed', detail: first.detail } }
    : { ok: true, checks };
}

/**
 * Verifies a tally bundle (already parsed from JSON). Never throws for a bad bundle: the report
 * says which checks pass, and names the first failure.
 */
export async function verifyBundle(input: unknown, options: VerifyBundleOptions): Promise<VerificationReport> {
  const format = checkFormat(input);
  const checks: CheckResult[] = [{ id: 'format', ...format.outcome }];
  if (!format.bundle) return report(checks);

  const bundle = format.bundle;
  const keysById = publishedKeys(bundle);
  const tokenType = isV2(bundle) ? TOKEN_TYPE : TOKEN_TYPE_V1;
  const context: VerificationContext = {
    bundle,
    input: input as Bundle,
    options,
    keysById,
    ballots: decodeBallots(bundle, keysById, tokenType),
    tokenType,
  };
  for (const check of isV2(bundle) ? bundleChecks : bundleChecksV1) {
    let outcome: CheckOutcome;
    try {
      outcome = await check.run(context);
    } catch (error) {
      // A check that throws is a bug in the verifier, not a verdict on the bundle; say so.
      outcome = failure('verifier_error', `the check could not run: ${explain(error)}`);
    }
    checks.push({ id: check.id, ...outcome });
  }
  return report(checks);
}
