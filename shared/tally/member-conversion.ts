/**
 * Converting a probationary member to full member (DOMAIN §1): same quorum and passing rule as
 * acceptance. Choices per candidate: convert on schedule / extend probation / cancel the
 * probationary membership / abstain. The verdict is the choice that reaches the threshold, or
 * `no_decision` when none does (or, under unusual settings, when two tie at the top).
 * Probation may be extended only once: a candidate listed in `extendedBefore` carries a warning.
 */
import type { z } from 'zod';
import { countWithOpinions, quorumOf, thresholdFor, type TallyInput } from './common.ts';
import type { conversionRuleSchema } from './rules.ts';
import type { Explanation, PollResult } from './result.ts';
import { thresholdPhrase, writtenNote } from './wording.ts';

const OUTCOMES = ['convert', 'extend', 'cancel'] as const;
const OUTCOME_ZH = { convert: '按期转正', extend: '延长预备期', cancel: '取消预备党员资格' } as const;
const OUTCOME_EN = { convert: 'Convert on schedule', extend: 'Extend probation', cancel: 'Cancel probationary membership' } as const;

export const SECOND_EXTENSION_WARNING: Explanation = {
  zh: '该同志的预备期已延长过一次，不能再次延长（延长预备期只能一次）',
  en: 'This probation was already extended once; it cannot be extended again.',
};

export function tallyMemberConversion(input: TallyInput<z.output<typeof conversionRuleSchema>>): PollResult {
  const { rule, electorate } = input;
  const quorum = quorumOf(rule.quorum, electorate, 'party');
  const questions = countWithOpinions(input.questions, input.ballots, input.writtenOpinions).map(({ question, counts, written, votes }) => {
    const { needed, value, thresholdBase } = thresholdFor(rule.pass, electorate, votes);
    const reaching = OUTCOMES.filter((o) => (counts[o] ?? 0) >= needed).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0));
    const top = reaching[0];
    const decided = top !== undefined && (reaching.length === 1 || (counts[top] ?? 0) > (counts[reaching[1]!] ?? 0));
    const verdict = !quorum.met ? 'no_quorum' : decided ? top! : 'no_decision';
    const note = writtenNote(written);
    const tallyZh = OUTCOMES.map((o) => `${OUTCOME_ZH[o]} ${counts[o] ?? 0} 票`).join('，');
    const tallyEn = OUTCOMES.map((o) => `${OUTCOME_EN[o].toLowerCase()} ${counts[o] ?? 0}`).join(', ');
    let explanation: Explanation;
    if (verdict === 'no_quorum') explanation = { zh: `${question.title}：${quorum.explanation.zh}`, en: `${question.title}: ${quorum.explanation.en}` };
    else if (verdict === 'no_decision') {
      const phrase = thresholdPhrase(rule.pass, value, 'party');
      explanation = {
        zh: `${question.title}：未形成决议：没有一项意见${phrase.zh}（需 ${needed} 票；${tallyZh}${note.zh}）`,
        en: `${question.title}: No decision: no choice received ${phrase.en} (${needed} needed; ${tallyEn}${note.en}).`,
      };
    } else {
      const outcome = verdict as (typeof OUTCOMES)[number];
      const phrase = thresholdPhrase(rule.pass, value, 'party');
      explanation = {
        zh: `${question.title}：${OUTCOME_ZH[outcome]}：${counts[outcome]} 票${note.zh}，${phrase.zh}（需 ${needed} 票）`,
        en: `${question.title}: ${OUTCOME_EN[outcome]}: ${counts[outcome]} votes${note.en}, ${phrase.en} (${needed} needed).`,
      };
    }
    return {
      id: question.id,
      counts,
      writtenOpinions: written,
      threshold: needed,
      thresholdBase,
      quorumMet: quorum.met,
      verdict,
      explanation,
      ...(rule.extendedBefore.includes(question.id) ? { warnings: [SECOND_EXTENSION_WARNING] } : {}),
    };
  });
  return { ballotsCast: input.ballots.length, quorum, questions };
}
