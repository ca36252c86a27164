/**
 * The bundle verifier: everything a member, an observer or a higher committee needs to re-check a
 * published result without trusting the server. The command-line verifier and the browser run
 * this same code; only the RSA-PSS implementation is injected.
 *
 * A bad bundle is reported, never thrown: each check gives one line (ok, a sentence, and an error
 * code on failure), in a fixed order, and the first failure is named. When the bundle is not even
 * well-formed, that is the only line, since nothing else can be read from it.
 *
 *   format         strict parse against the bundle schema
 *   signature      Ed25519 (the strict rule of crypto/ed25519-strict.ts) over the RFC 8785
 *                  canonical JSON, by the expected key when one is given (else it says so)
 *   token_keys     every key id is SHA-256 of its key; one key per group, ids unique
 *   tokens         every ballot carries a well-formed token for this poll and its group,
 *                  signed by the published key of that group
 *   unique_nonces  no token nonce appears twice (one token, one ballot)
 *   ballot_order   ballots sorted strictly by token bytes (so order reveals nothing of arrival)
 *   issued         no group has more ballots than tokens issued; every group issued has a key;
 *                  issued[group] ≤ checked in ≤ Σ issued; checked in ≤ expected
 *   choices        every ballot is a valid answer to the questions, in canonical form
 *   recount        counting the ballots (and written opinions) again gives the published counts
 *   verdicts       the poll's rule, applied again, gives every published threshold, quorum,
 *                  verdict and explanation
 *   cosignatures   each scrutineer's co-signature verifies over the bundle digest with the key
 *                  the signed list of scrutineers gives for them, keys distinct and not of small
 *                  order (no co-signature is a pass: co-signing is optional)
 *
 * To add a check (for instance the verdict of a meeting rule), append a `BundleCheck` to
 * `bundleChecks`: it receives the parsed bundle and the tokens decoded once, and returns an outcome.
 */
import { checkBundleSignature, type Ed25519Verifier } from '../crypto/bundle-signature.ts';
import { checkCosignature } from '../crypto/bundle-digest.ts';
import {
  checkToken,
  decodeToken,
  tokenContext,
  tokenKeyId,
  type PssVerifier,
  type Token,
} from '../crypto/token.ts';
import { compareBytes, equalBytes, fromBase64, fromBase64Url, fromHex, toHex } from '../encoding.ts';
import { AppError } from '../errors.ts';
import { bundleSchema, resultOfBundle, type Bundle } from '../protocol/bundle.ts';
import { validateAnswer, validateChoices, type Choice } from '../protocol/poll.ts';
import { canonicalJson } from '../crypto/jcs.ts';

export interface CheckOutcome {
  ok: boolean;
  /** One sentence: what was established, or what is wrong and where. */
  detail: string;
  /** On failure, the stable error code (`token_signature`, `recount_mismatch`, …). */
  code?: string;
}

export interface CheckResult extends CheckOutcome {
  id: string;
}

export interface VerificationReport {
  ok: boolean;
  checks: CheckResult[];
  firstFailure?: { id: string; code: string; detail: string };
}

export interface VerifyBundleOptions {
  /** RSA-PSS SHA-384 verification: node:crypto on the command line, WebCrypto in the browser. */
  verifyPss: PssVerifier;
  /** Base64 Ed25519 public key the bundle must be signed by (from the installation's notice). */
  expectedSignerPublicKey?: string;
  /** The strict Ed25519 rule; default with @noble's SHA-512 (the browser). The CLI passes node:crypto's. */
  verifyEd25519?: Ed25519Verifier;
  /** Token signatures checked at once when `verifyPss` is asynchronous. Default 64. */
  concurrency?: number;
}

/** A published token key, decoded. */
export interface PublishedTokenKey {
  group: string;
  keyId: Uint8Array;
  spki: Uint8Array;
  /** tokenContext(poll.id, group): what every token of this group must carry. */
  context: Uint8Array;
}

/** One ballot's token, decoded once and shared by every check. */
export interface DecodedBallot {
  /** The token bytes; absent when the base64url does not decode. */
  bytes?: Uint8Array;
  /** The parsed token; absent when the bytes are not a token. */
  token?: Token;
  /** Why `bytes` or `token` is absent. */
  error?: AppError;
  /** The published key the token names, if any. */
  key?: PublishedTokenKey;
}

/** What every check receives: the bundle as parsed and as given, and the tokens decoded once. */
export interface VerificationContext {
  bundle: Bundle;
  /** The input exactly as given: the signature covers it, not the parsed copy. */
  input: Bundle;
  options: VerifyBundleOptions;
  /** By lowercase hex key id; the first entry wins when ids repeat (`token_keys` reports that). */
  keysById: Map<string, PublishedTokenKey>;
  ballots: DecodedBallot[];
}

export interface BundleCheck {
  id: string;
  run(context: VerificationContext): CheckOutcome | Promise<CheckOutcome>;
}

const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
const failure = (code: string, detail: string): CheckOutcome => ({ ok: false, code, detail });
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const explain = (error: unknown) =>
  error instanceof AppError ? `${error.code}: ${error.message}` : `error: ${error instanceof Error ? error.message : String(error)}`;
const codeOf = (error: unknown) => (error instanceof AppError ? error.code : 'internal_error');

/** Short bytes → a string usable as a Map key (one char per byte): several times cheaper than hex. */
const bytesKey = (bytes: Uint8Array): string => String.fromCharCode.apply(null, bytes as unknown as number[]);

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

const cosignaturesCheck: BundleCheck = {
  id: 'cosignatures',
  run({ bundle, options }) {
    const cosignatures = bundle.cosignatures ?? [];
    const named = bundle.scrutineers.flatMap((s) => (s.publicKey ? [s.publicKey] : []));
    if (new Set(named).size !== named.length) return failure('cosigner_key_repeated', 'two scrutineers are named with the same key: their co-signatures cannot be told apart');
    const seen = new Set<string>();
    for (const cosignature of cosignatures) {
      if (seen.has(cosignature.publicKey)) return failure('cosignature_repeated', `${cosignature.name} co-signed twice`);
      seen.add(cosignature.publicKey);
      try {
        checkCosignature(bundle, cosignature, options.verifyEd25519);
      } catch (error) {
        return failure(codeOf(error), explain(error));
      }
    }
    const withKeys = bundle.scrutineers.filter((s) => s.publicKey !== undefined).length;
    if (cosignatures.length === 0) return pass(withKeys === 0 ? 'no scrutineer co-signs this bundle' : `none of the ${withKeys} scrutineers with a key has co-signed yet`);
    return pass(`${plural(cosignatures.length, 'co-signature')} valid (${cosignatures.map((c) => c.name).join(', ')}) of ${withKeys} scrutineers with a key`);
  },
};

const tokenKeysCheck: BundleCheck = {
  id: 'token_keys',
  run({ bundle }) {
    const groups = new Set<string>();
    const ids = new Set<string>();
    for (const [i, entry] of bundle.tokenKeys.entries()) {
      let spki: Uint8Array;
      try {
        spki = fromBase64(entry.spki, `tokenKeys[${i}].spki`);
      } catch (error) {
        return failure(codeOf(error), `token key ${i} (group ${entry.group}): ${explain(error)}`);
      }
      if (toHex(tokenKeyId(spki)) !== entry.keyId)
        return failure('token_key_id_mismatch', `token key ${i} (group ${entry.group}): key id is not the SHA-256 of the key`);
      if (groups.has(entry.group)) return failure('duplicate_key_group', `group ${entry.group} has more than one token key`);
      if (ids.has(entry.keyId)) return failure('duplicate_key_id', `key id ${entry.keyId} is published twice`);
      groups.add(entry.group);
      ids.add(entry.keyId);
    }
    return pass(`${plural(bundle.tokenKeys.length, 'token key')}, one per group, each id the SHA-256 of its key`);
  },
};

/** Runs `job` over 0..count-1 with at most `limit` pending at once, stopping early after `stop()`. */
async function forEachBounded(count: number, limit: number, job: (index: number) => Promise<void>, stop: () => number) {
  let next = 0;
  const worker = async () => {
    while (next < count && next < stop()) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}

const tokensCheck: BundleCheck = {
  id: 'tokens',
  async run({ ballots, options }) {
    // Every index below the first failure found is still checked, so the lowest failing index
    // is the first bad ballot however the signatures interleave.
    let firstBad = Infinity;
    let firstError: unknown;
    const record = (index: number, error: unknown) => {
      if (index < firstBad) {
        firstBad = index;
        firstError = error;
      }
    };
    await forEachBounded(
      ballots.length,
      options.concurrency ?? 64,
      async (index) => {
        const ballot = ballots[index]!;
        if (!ballot.bytes || !ballot.token) return record(index, ballot.error);
        const key = ballot.key;
        if (!key)
          return record(index, new AppError('token_key_unknown', `key id ${toHex(ballot.token.keyId)} is not a published token key`));
        try {
          await checkToken(ballot.bytes, { keyId: key.keyId, spki: key.spki, context: key.context }, options.verifyPss);
        } catch (error) {
          record(index, error);
        }
      },
      () => firstBad,
    );
    if (firstBad !== Infinity) return failure(codeOf(firstError), `ballot ${firstBad}: ${explain(firstError)}`);
    return pass(`${plural(ballots.length, 'token')} well-formed, for this poll and group, signed by the published keys`);
  },
};

const uniqueNoncesCheck: BundleCheck = {
  id: 'unique_nonces',
  run({ ballots }) {
    const seen = new Map<string, number>();
    for (const [index, ballot] of ballots.entries()) {
      if (!ballot.token) continue; // reported by `tokens`
      const key = bytesKey(ballot.token.nonce);
      const earlier = seen.get(key);
      if (earlier !== undefined)
        return failure('duplicate_nonce', `ballots ${earlier} and ${index} carry the same token nonce`);
      seen.set(key, index);
    }
    return pass(`${plural(seen.size, 'distinct nonce')}`);
  },
};

const ballotOrderCheck: BundleCheck = {
  id: 'ballot_order',
  run({ ballots }) {
    let previous: { index: number; bytes: Uint8Array } | undefined;
    for (const [index, ballot] of ballots.entries()) {
      if (!ballot.bytes) continue; // reported by `tokens`
      if (previous) {
        const order = compareBytes(previous.bytes, ballot.bytes);
        if (order === 0) return failure('ballots_unsorted', `ballot ${index} repeats ballot ${previous.index}`);
        if (order > 0) return failure('ballots_unsorted', `ballot ${index} sorts before ballot ${previous.index}`);
      }
      previous = { index, bytes: ballot.bytes };
    }
    return pass('ballots in strictly ascending token order');
  },
};

const issuedCheck: BundleCheck = {
  id: 'issued',
  run({ bundle, ballots }) {
    const { issued, checkedIn, expected } = bundle.electorate;
    const issuedTo = (group: string) => (Object.hasOwn(issued, group) ? issued[group]! : 0);
    const cast = new Map<string, number>();
    for (const ballot of ballots) if (ballot.key) cast.set(ballot.key.group, (cast.get(ballot.key.group) ?? 0) + 1);
    for (const [group, count] of cast)
      if (count > issuedTo(group))
        return failure('over_issued', `group ${group}: ${plural(count, 'ballot')} but ${plural(issuedTo(group), 'token')} issued`);
    const keyedGroups = new Set(bundle.tokenKeys.map((key) => key.group));
    let totalIssued = 0;
    for (const [group, count] of Object.entries(issued)) {
      if (!keyedGroups.has(group)) return failure('issued_without_key', `tokens issued to group ${group}, which has no token key`);
      // A voter receives at most one token per group, so no group was issued more tokens than
      // there were voters checked in.
      if (count > checkedIn)
        return failure('issued_exceeds_checked_in', `group ${group}: ${plural(count, 'token')} issued but ${checkedIn} checked in`);
      totalIssued += count;
    }
    // "Checked in" means holding at least one token.
    if (checkedIn > totalIssued)
      return failure('checked_in_exceeds_issued', `${checkedIn} checked in but only ${plural(totalIssued, 'token')} issued`);
    if (checkedIn > expected) return failure('checked_in_exceeds_expected', `${checkedIn} checked in but ${expected} expected`);
    // Written opinions come from expected members who are absent: at most expected − checked in per question.
    const opinionsPer = new Map<string, number>();
    for (const o of bundle.writtenOpinions) opinionsPer.set(o.questionId, (opinionsPer.get(o.questionId) ?? 0) + 1);
    for (const [question, count] of opinionsPer)
      if (count > expected - checkedIn)
        return failure('too_many_written_opinions', `question ${question}: ${plural(count, 'written opinion')} but only ${expected - checkedIn} expected members absent`);
    const perGroup = [...cast].map(([group, count]) => `${group} ${count}/${issuedTo(group)}`).join(', ');
    return pass(
      `ballots within tokens issued (${perGroup || 'no ballots'}); ` +
        `${checkedIn} checked in of ${expected} expected, ${plural(totalIssued, 'token')} issued`,
    );
  },
};

const sameChoice = (a: Choice | undefined, b: Choice | undefined): boolean =>
  a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b) && (typeof a !== 'object' || Array.isArray(a) || Object.keys(a).join() === Object.keys(b).join());

const choicesCheck: BundleCheck = {
  id: 'choices',
  run({ bundle }) {
    const { questions } = bundle.poll;
    for (const [index, ballot] of bundle.ballots.entries()) {
      let canonical;
      try {
        canonical = validateChoices(questions, ballot.choices, { allowWithheld: true });
      } catch (error) {
        return failure(codeOf(error), `ballot ${index}: ${explain(error)}`);
      }
      for (const q of questions)
        if (!sameChoice(ballot.choices[q.id], canonical[q.id]))
          return failure('non_canonical_choices', `ballot ${index}: question ${q.id}: options are not in canonical (sorted) order`);
    }
    const byId = new Map(questions.map((q) => [q.id, q]));
    for (const [index, opinion] of bundle.writtenOpinions.entries()) {
      const question = byId.get(opinion.questionId);
      if (!question) return failure('invalid_choices', `written opinion ${index}: no question ${opinion.questionId}`);
      let canonical;
      try {
        canonical = validateAnswer(question, opinion.choice);
      } catch (error) {
        return failure(codeOf(error), `written opinion ${index}: ${explain(error)}`);
      }
      if (!sameChoice(opinion.choice, canonical))
        return failure('non_canonical_choices', `written opinion ${index}: options are not in canonical (sorted) order`);
    }
    const opinions = bundle.writtenOpinions.length ? ` and ${plural(bundle.writtenOpinions.length, 'written opinion')}` : '';
    return pass(`${plural(bundle.ballots.length, 'ballot')}${opinions} answer with permitted choices`);
  },
};

const recountCheck: BundleCheck = {
  id: 'recount',
  run({ bundle }) {
    const { ballots, result, poll } = bundle;
    if (result.ballotsCast !== ballots.length)
      return failure('ballots_cast_mismatch', `the result says ${result.ballotsCast} ballots cast, the bundle holds ${ballots.length}`);
    // Counts include the written opinions of absent members, as the rules require.
    let recount;
    try {
      recount = resultOfBundle(bundle).questions;
    } catch (error) {
      return failure(codeOf(error), `the ballots cannot be counted under the rule: ${explain(error)}`);
    }
    const published = result.questions;
    const ids = (list: { id: string }[]) => list.map((q) => q.id).join(', ');
    if (recount.length !== published.length || recount.some((q, i) => q.id !== published[i]!.id))
      return failure('recount_mismatch', `the result lists questions [${ids(published)}], the poll asks [${ids(recount)}]`);
    for (const [i, q] of recount.entries()) {
      const counts = published[i]!.counts;
      for (const option of Object.keys(counts))
        if (!Object.hasOwn(q.counts, option))
          return failure('recount_mismatch', `question ${q.id}: the result counts ${option}, which no ballot could choose`);
      for (const [option, count] of Object.entries(q.counts)) {
        const claimed = Object.hasOwn(counts, option) ? counts[option] : undefined;
        if (claimed !== count)
          return failure(
            'recount_mismatch',
            `question ${q.id}, option ${option}: recount gives ${count}, the result says ${claimed ?? 'nothing'}`,
          );
      }
    }
    const questions = plural(recount.length, 'question');
    const opinions = bundle.writtenOpinions.length ? ` and ${plural(bundle.writtenOpinions.length, 'written opinion')}` : '';
    return pass(`recount of ${plural(ballots.length, 'ballot')}${opinions} matches the published counts for ${questions}`);
  },
};

/** The fields of a question's result, in the order a reader checks them. */
const RESULT_FIELDS = ['verdict', 'threshold', 'thresholdBase', 'quorumMet', 'writtenOpinions', 'cap', 'candidates', 'topGrade', 'explanation', 'warnings'] as const;

const verdictsCheck: BundleCheck = {
  id: 'verdicts',
  run({ bundle }) {
    const { result, poll } = bundle;
    let recomputed;
    try {
      recomputed = resultOfBundle(bundle);
    } catch (error) {
      return failure(codeOf(error), `the rule cannot be applied: ${explain(error)}`);
    }
    if (canonicalJson(recomputed.quorum ?? null) !== canonicalJson(result.quorum ?? null))
      return failure('verdict_mismatch', `quorum: the rule gives ${canonicalJson(recomputed.quorum ?? null)}, the result says ${canonicalJson(result.quorum ?? null)}`);
    for (const [i, mine] of recomputed.questions.entries()) {
      const theirs = result.questions[i];
      if (!theirs) return failure('verdict_mismatch', `question ${mine.id} is missing from the result`);
      for (const field of RESULT_FIELDS) {
        const a = canonicalJson(mine[field] ?? null);
        const b = canonicalJson(theirs[field] ?? null);
        if (a !== b) return failure('verdict_mismatch', `question ${mine.id}, ${field}: the rule gives ${a}, the result says ${b}`);
      }
    }
    for (const [i, mine] of (recomputed.candidates ?? []).entries()) {
      const theirs = result.candidates?.[i];
      if (canonicalJson(mine) !== canonicalJson(theirs ?? null))
        return failure('verdict_mismatch', `candidate ${mine.id}: the rule gives ${canonicalJson({ composite: mine.composite, band: mine.band, rank: mine.rank, valid: mine.valid, withheld: mine.withheld })}, the result says ${canonicalJson(theirs ? { composite: theirs.composite, band: theirs.band, rank: theirs.rank, valid: theirs.valid, withheld: theirs.withheld } : null)}`);
    }
    if (canonicalJson(recomputed) !== canonicalJson(result))
      return failure('verdict_mismatch', 'the result holds something the rule does not give');
    const verdicts = recomputed.questions.filter((q) => q.verdict !== undefined).map((q) => `${q.id} ${q.verdict}`);
    if (recomputed.candidates)
      return pass(
        `rule ${poll.rule.kind}: every composite, band, rank and withheld average re-derived (${recomputed.candidates.map((c) => `${c.id} ${c.composite ?? '—'} ${c.band ?? ''}`).join(', ')})`,
      );
    return pass(
      verdicts.length
        ? `rule ${poll.rule.kind}: every verdict, threshold and explanation re-derived (${verdicts.join(', ')})`
        : `rule ${poll.rule.kind}: plain counts, no verdict to re-derive`,
    );
  },
};

/** The checks after `format`, in report order. Append new ones here. */
export const bundleChecks: readonly BundleCheck[] = Object.freeze([
  signatureCheck,
  tokenKeysCheck,
  tokensCheck,
  uniqueNoncesCheck,
  ballotOrderCheck,
  issuedCheck,
  choicesCheck,
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
    keys.set(entry.keyId, { group: entry.group, keyId: tokenKeyId(spki), spki, context: tokenContext(bundle.poll.id, entry.group) });
  }
  return keys;
}

function decodeBallots(bundle: Bundle, keysById: Map<string, PublishedTokenKey>): DecodedBallot[] {
  const keysByRawId = new Map([...keysById].map(([hex, key]) => [bytesKey(fromHex(hex)), key]));
  return bundle.ballots.map((ballot) => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = fromBase64Url(ballot.token, 'token');
      const token = decodeToken(bytes);
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
  const context: VerificationContext = {
    bundle,
    input: input as Bundle,
    options,
    keysById,
    ballots: decodeBallots(bundle, keysById),
  };
  for (const check of bundleChecks) {
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
