/**
 * Opinion ballots for confirming activists and development objects (DOMAIN §3). Each
 * candidate is graded 好 / 较好 / 一般 / 差 (the grades are a setting; the first is the top
 * grade). The rules set no vote threshold: the branch committee decides after hearing
 * opinions. The software reports the counts, the share of the top grade, and the configured
 * indicator (default: attendance more than half of expected, and the top grade from more than
 * half of those present). The verdict is advisory.
 */
import type { z } from 'zod';
import { countWithOpinions, quorumOf, thresholdFor, type TallyInput } from './common.ts';
import type { opinionRuleSchema } from './rules.ts';
import type { PollResult } from './result.ts';
import { thresholdPhrase, writtenNote } from './wording.ts';

export function tallyOpinionBallot(input: TallyInput<z.output<typeof opinionRuleSchema>>): PollResult {
  const { rule, electorate } = input;
  const attendance = quorumOf(rule.attendance, electorate, 'masses');
  const top = rule.grades[0]!;
  const questions = countWithOpinions(input.questions, input.ballots, input.writtenOpinions).map(({ question, counts, written, votes }) => {
    const { needed, value, thresholdBase } = thresholdFor(rule.topGrade, electorate, votes);
    const topVotes = counts[top.id] ?? 0;
    const graded = rule.grades.reduce((sum, g) => sum + (counts[g.id] ?? 0), 0);
    const topMet = topVotes >= needed;
    const met = attendance.met && topMet;
    const phrase = thresholdPhrase(rule.topGrade, value, 'masses', !topMet);
    const note = writtenNote(written);
    const share = graded > 0 ? `${Math.round((topVotes * 1000) / graded) / 10}%` : '—';
    const gradeZh = rule.grades.map((g) => `${g.label} ${counts[g.id] ?? 0}`).join('、');
    const gradeEn = rule.grades.map((g) => `${g.label} ${counts[g.id] ?? 0}`).join(', ');
    return {
      id: question.id,
      counts,
      writtenOpinions: written,
      threshold: needed,
      thresholdBase,
      quorumMet: attendance.met,
      verdict: met ? 'indicator_met' : 'indicator_not_met',
      explanation: {
        zh: `${question.title}：${met ? '达到' : '未达到'}参考指标（${gradeZh}；“${top.label}”占 ${share}${note.zh}）。${attendance.met ? '' : `${attendance.explanation.zh}。`}“${top.label}”${topVotes} 票，${phrase.zh}（需 ${needed} 票）。结果供支部委员会参考。`,
        en: `${question.title}: indicator ${met ? 'met' : 'not met'} (${gradeEn}; "${top.label}" ${share}${note.en}). ${attendance.met ? '' : `${attendance.explanation.en} `}"${top.label}" ${topVotes} votes, ${topMet ? '' : 'not '}${phrase.en} (${needed} needed). Advisory: the branch committee decides.`,
      },
      topGrade: { grade: top.id, votes: topVotes, of: graded },
    };
  });
  return { ballotsCast: input.ballots.length, quorum: attendance, questions };
}
