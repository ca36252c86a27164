/**
 * Checks that protocol v1 and v2 bundles share: every token signed by a published key for its
 * context, no nonce twice, ballots in token order, the recount, and the rule applied again.
 */
import { checkToken } from '../crypto/token.ts';
import { canonicalJson } from '../crypto/jcs.ts';
import { compareBytes, toHex } from '../encoding.ts';
import { AppError } from '../errors.ts';
import { resultOfBundle } from '../protocol/bundle.ts';
import { bindingViolations } from '../tally/binding.ts';
import { bytesKey, codeOf, explain, failure, forEachBounded, pass, plural, type BundleCheck } from './context.ts';

export const tokensCheck: BundleCheck = {
  id: 'tokens',
  async run({ ballots, options, tokenType }) {
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
          await checkToken(ballot.bytes, { keyId: key.keyId, spki: key.spki, context: key.context }, options.verifyPss, tokenType);
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

export const uniqueNoncesCheck: BundleCheck = {
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

export const ballotOrderCheck: BundleCheck = {
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

export const recountCheck: BundleCheck = {
  id: 'recount',
  run({ bundle }) {
    const { ballots, result } = bundle;
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

export const verdictsCheck: BundleCheck = {
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
    // A rule looser than the Working Rules allow is counted as published (it is what the meeting
    // used), but said: the software refuses such a poll now (shared/tally/binding.ts).
    const loosened = bindingViolations(poll.rule).map((v) => `; WARNING: ${v.en}`).join('');
    if (recomputed.candidates)
      return pass(
        `rule ${poll.rule.kind}: every composite, band, rank and withheld average re-derived (${recomputed.candidates.map((c) => `${c.id} ${c.composite ?? '—'} ${c.band ?? ''}`).join(', ')})`,
      );
    return pass(
      verdicts.length
        ? `rule ${poll.rule.kind}: every verdict, threshold and explanation re-derived (${verdicts.join(', ')})${loosened}`
        : `rule ${poll.rule.kind}: plain counts, no verdict to re-derive`,
    );
  },
};
