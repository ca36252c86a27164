/**
 * Youth League recommendation of outstanding members (推优, DOMAIN §2). An approval ballot:
 * "recommend up to k of these candidates". Quorum: more than half present. A candidate passes
 * when votes·2 > expected (base and fraction are settings). Then the cap (default 20% of the
 * branch — expected plus excluded — rounded down or, as a setting, to the nearest; at least 1)
 * is applied to the passing
 * candidates ranked by votes. A tie that straddles the cap line is reported as `tied_at_cap`
 * for every candidate in it: never broken silently.
 */
import type { z } from 'zod';
import { countWithOpinions, quorumOf, thresholdFor, type TallyInput } from './common.ts';
import type { leagueRuleSchema } from './rules.ts';
import type { CandidateResult, PollResult } from './result.ts';
import { thresholdPhrase, writtenNote } from './wording.ts';

export function recommendationCap(rule: z.output<typeof leagueRuleSchema>, expected: number, excluded: number): number {
  if (rule.capCount !== undefined) return rule.capCount;
  const hundredths = (expected + excluded) * rule.capPercent;
  // Integers throughout: nearest rounds half up (20% of 13 = 2.6 → 3; of 12.5 would be 2.5 → 3).
  return Math.max(1, rule.capRounding === 'nearest' ? Math.floor((hundredths + 50) / 100) : Math.floor(hundredths / 100));
}

export function tallyLeagueRecommendation(input: TallyInput<z.output<typeof leagueRuleSchema>>): PollResult {
  const { rule, electorate } = input;
  const quorum = quorumOf(rule.quorum, electorate, 'league');
  const cap = recommendationCap(rule, electorate.expected, electorate.excluded);
  const questions = countWithOpinions(input.questions, input.ballots, input.writtenOpinions).map(({ question, counts, written, votes }) => {
    const { needed, value, thresholdBase } = thresholdFor(rule.pass, electorate, votes);
    const options = question.type === 'score' ? [] : question.options;
    const votesOf = (id: string) => counts[id] ?? 0;
    // Competition ranking by votes: 1, 2, 2, 4 …
    const rankOf = (id: string) => 1 + options.filter((o) => votesOf(o) > votesOf(id)).length;
    const passing = options.filter((o) => quorum.met && votesOf(o) >= needed);
    const label = (id: string) => (question.type === 'score' ? undefined : question.optionLabels?.[id]) ?? id;
    const pass = thresholdPhrase(rule.pass, value, 'league');
    const fail = thresholdPhrase(rule.pass, value, 'league', true);
    const note = writtenNote(written);
    const candidates: CandidateResult[] = options.map((id) => {
      const v = votesOf(id);
      const rank = rankOf(id);
      const base = { id, votes: v, rank };
      if (!quorum.met)
        return { ...base, verdict: 'not_recommended', explanation: { zh: `${label(id)}：不推荐：${quorum.explanation.zh}`, en: `${label(id)}: Not recommended: ${quorum.explanation.en}` } };
      if (v < needed)
        return {
          ...base,
          verdict: 'not_recommended',
          explanation: { zh: `${label(id)}：不推荐：得票 ${v}，${fail.zh}（需 ${needed} 票）`, en: `${label(id)}: Not recommended: ${v} votes, not ${pass.en} (${needed} needed).` },
        };
      // Among passing candidates: how many are strictly ahead, and how many share this vote count.
      const ahead = passing.filter((o) => votesOf(o) > v).length;
      const tied = passing.filter((o) => votesOf(o) === v).length;
      if (ahead + tied <= cap)
        return {
          ...base,
          verdict: 'recommended',
          explanation: {
            zh: `${label(id)}：推荐：得票 ${v}，${pass.zh}（需 ${needed} 票），排名第 ${rank}，在推荐名额 ${cap} 名以内`,
            en: `${label(id)}: Recommended: ${v} votes, ${pass.en} (${needed} needed), rank ${rank}, within the cap of ${cap}.`,
          },
        };
      if (ahead < cap)
        return {
          ...base,
          verdict: 'tied_at_cap',
          explanation: {
            zh: `${label(id)}：并列：得票 ${v}，与另外 ${tied - 1} 人并列第 ${rank}，并列者超出剩余推荐名额（共 ${cap} 名），请支部委员会决定`,
            en: `${label(id)}: Tied at the cap: ${v} votes, tied for rank ${rank} with ${tied - 1} other${tied === 2 ? '' : 's'}; the tie crosses the cap of ${cap} and is left to the branch committee.`,
          },
        };
      return {
        ...base,
        verdict: 'not_recommended',
        explanation: {
          zh: `${label(id)}：不推荐：得票 ${v}，达到票数要求，但排名第 ${rank}，超出推荐名额 ${cap} 名`,
          en: `${label(id)}: Not recommended: ${v} votes passes the threshold, but rank ${rank} is beyond the cap of ${cap}.`,
        },
      };
    });
    const recommended = candidates.filter((c) => c.verdict === 'recommended').length;
    const ties = candidates.filter((c) => c.verdict === 'tied_at_cap').length;
    return {
      id: question.id,
      counts,
      writtenOpinions: written,
      threshold: needed,
      thresholdBase,
      quorumMet: quorum.met,
      verdict: quorum.met ? 'decided' : 'no_quorum',
      explanation: quorum.met
        ? {
            zh: `推荐 ${recommended} 人${ties ? `，并列待定 ${ties} 人` : ''}（推荐名额 ${cap} 名，每人需 ${needed} 票）${note.zh}`,
            en: `${recommended} recommended${ties ? `, ${ties} tied at the cap` : ''} (cap ${cap}; ${needed} votes needed each${note.en}).`,
          }
        : quorum.explanation,
      cap,
      candidates,
    };
  });
  return { ballotsCast: input.ballots.length, quorum, questions };
}
