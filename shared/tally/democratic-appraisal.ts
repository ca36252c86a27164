/**
 * Annual democratic appraisal of members (DOMAIN §5). Each full member is graded 优秀 / 合格 /
 * 基本合格 / 不合格 by secret ballot (probationary members vote but are not graded). A member's
 * grade by the votes is the best grade that more than half of the votes cast on them reach or
 * exceed (the median grade). 优秀 is capped at one third of the members graded (a setting, at
 * least 1): the members who reach it are ranked by their 优秀 votes and the cap line is drawn;
 * those below the line stay in the report as `over_cap`, a tie across the line as
 * `tied_at_cap` — the branch decides; nobody is dropped silently.
 */
import type { z } from 'zod';
import { countWithOpinions, quorumOf, type TallyInput } from './common.ts';
import type { appraisalRuleSchema } from './rules.ts';
import type { PollResult, QuestionResult } from './result.ts';
import { writtenNote } from './wording.ts';

export function appraisalCap(rule: z.output<typeof appraisalRuleSchema>, graded: number): number {
  return Math.max(1, Math.floor((graded * rule.topGradeCap.numerator) / rule.topGradeCap.denominator));
}

export function tallyDemocraticAppraisal(input: TallyInput<z.output<typeof appraisalRuleSchema>>): PollResult {
  const { rule, electorate } = input;
  const quorum = quorumOf(rule.quorum, electorate, 'party');
  const top = rule.grades[0]!;
  const label = (id: string | null) => rule.grades.find((g) => g.id === id)?.label ?? '—';
  const counted = countWithOpinions(input.questions, input.ballots, input.writtenOpinions);
  const cap = appraisalCap(rule, counted.length);

  const graded = counted.map(({ question, counts, written }) => {
    // Votes are grades given: an abstention (不了解) grades nobody, so it is not in the base.
    const votes = rule.grades.reduce((sum, g) => sum + (counts[g.id] ?? 0), 0);
    // The best grade reached or exceeded by more than half of the votes.
    let atOrAbove = 0;
    let grade: string | null = null;
    for (const g of rule.grades) {
      atOrAbove += counts[g.id] ?? 0;
      if (atOrAbove * 2 > votes) {
        grade = g.id;
        break;
      }
    }
    return { question, counts, written, votes, grade, topVotes: counts[top.id] ?? 0, reachedAtOrAbove: atOrAbove };
  });
  const reachingTop = graded.filter((g) => quorum.met && g.grade === top.id);

  const questions: QuestionResult[] = graded.map(({ question, counts, written, votes, grade, topVotes, reachedAtOrAbove }) => {
    const tally = rule.grades.map((g) => `${g.label} ${counts[g.id] ?? 0} 票`).join('、');
    const tallyEn = rule.grades.map((g) => `${g.label} ${counts[g.id] ?? 0}`).join(', ');
    const note = writtenNote(written);
    const base = { id: question.id, counts, writtenOpinions: written, quorumMet: quorum.met, grade, cap };
    if (!quorum.met)
      return { ...base, verdict: 'no_quorum', explanation: { zh: `${question.title}：${quorum.explanation.zh}`, en: `${question.title}: ${quorum.explanation.en}` } };
    if (grade === null)
      return {
        ...base,
        verdict: 'no_grade',
        explanation: { zh: `${question.title}：没有选票，无法评定（${tally}）`, en: `${question.title}: no votes, no grade (${tallyEn}).` },
      };
    const reason = {
      zh: `“${label(grade)}”及以上 ${reachedAtOrAbove} 票，超过 ${votes} 票的半数`,
      en: `${reachedAtOrAbove} of ${votes} votes are "${label(grade)}" or better, more than half`,
    };
    if (grade !== top.id)
      return {
        ...base,
        verdict: grade,
        explanation: { zh: `${question.title}：${label(grade)}（${tally}${note.zh}；${reason.zh}）`, en: `${question.title}: ${label(grade)} (${tallyEn}${note.en}; ${reason.en}).` },
      };
    const rank = 1 + reachingTop.filter((g) => g.topVotes > topVotes).length;
    const ahead = rank - 1;
    const tied = reachingTop.filter((g) => g.topVotes === topVotes).length;
    if (ahead + tied <= cap)
      return {
        ...base,
        rank,
        verdict: top.id,
        explanation: {
          zh: `${question.title}：${top.label}（${tally}${note.zh}；${reason.zh}），“${top.label}”票数排名第 ${rank}，在名额 ${cap} 名以内`,
          en: `${question.title}: ${top.label} (${tallyEn}${note.en}; ${reason.en}), rank ${rank} by "${top.label}" votes, within the cap of ${cap}.`,
        },
      };
    const tiedAtCap = ahead < cap;
    return {
      ...base,
      rank,
      verdict: tiedAtCap ? 'tied_at_cap' : 'over_cap',
      explanation: tiedAtCap
        ? {
            zh: `${question.title}：票数达到“${top.label}”（${tally}；${reason.zh}），与另外 ${tied - 1} 人并列第 ${rank}，并列者超出“${top.label}”名额 ${cap} 名，请支部决定`,
            en: `${question.title}: reaches "${top.label}" by the votes (${tallyEn}; ${reason.en}) but ties for rank ${rank} with ${tied - 1} other${tied === 2 ? '' : 's'} across the cap of ${cap}: for the branch to decide.`,
          }
        : {
            zh: `${question.title}：票数达到“${top.label}”（${tally}；${reason.zh}），但排名第 ${rank}，在“${top.label}”名额 ${cap} 名的线下，请支部决定`,
            en: `${question.title}: reaches "${top.label}" by the votes (${tallyEn}; ${reason.en}) but ranks ${rank}, below the line of ${cap}: for the branch to decide.`,
          },
    };
  });
  return { ballotsCast: input.ballots.length, quorum, questions };
}
