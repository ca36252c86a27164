/**
 * Branch general meeting accepting probationary members (DOMAIN §1). One question per
 * candidate: agree / disagree / abstain. Quorum: present·2 > expected. Passing: votes in
 * favour (written opinions included) more than half of the expected voting members — not of
 * those present, not of valid ballots. 9 expected → 5 needed; 10 expected → 6 needed.
 */
import type { z } from 'zod';
import { countWithOpinions, quorumOf, thresholdFor, type TallyInput } from './common.ts';
import type { agreeRuleSchema } from './rules.ts';
import type { PollResult } from './result.ts';
import { thresholdPhrase, writtenNote } from './wording.ts';

export function tallyMemberAcceptance(input: TallyInput<z.output<typeof agreeRuleSchema>>): PollResult {
  const { rule, electorate } = input;
  const quorum = quorumOf(rule.quorum, electorate, 'party');
  const questions = countWithOpinions(input.questions, input.ballots, input.writtenOpinions).map(({ question, counts, written, votes }) => {
    const { needed, value, thresholdBase } = thresholdFor(rule.pass, electorate, votes);
    const agree = counts.agree ?? 0;
    const passed = agree >= needed;
    const verdict = !quorum.met ? 'no_quorum' : passed ? 'passed' : 'failed';
    const note = writtenNote(written);
    const phrase = thresholdPhrase(rule.pass, value, 'party', !passed);
    const explanation =
      verdict === 'no_quorum'
        ? { zh: `${question.title}：${quorum.explanation.zh}`, en: `${question.title}: ${quorum.explanation.en}` }
        : verdict === 'passed'
          ? {
              zh: `${question.title}：通过：同意 ${agree} 票${note.zh}，${phrase.zh}（需 ${needed} 票）`,
              en: `${question.title}: Passed: ${agree} in favour${note.en}, ${phrase.en} (${needed} needed).`,
            }
          : {
              zh: `${question.title}：未通过：同意 ${agree} 票${note.zh}，${phrase.zh}（需 ${needed} 票）`,
              en: `${question.title}: Not passed: ${agree} in favour${note.en}, not ${phrase.en} (${needed} needed).`,
            };
    return {
      id: question.id,
      counts,
      writtenOpinions: written,
      threshold: needed,
      thresholdBase,
      quorumMet: quorum.met,
      verdict,
      explanation,
    };
  });
  return { ballotsCast: input.ballots.length, quorum, questions };
}
