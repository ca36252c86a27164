/**
 * The ballot paper of each preset kind, written from the candidates and the rule, so that
 * every branch gets the same uniformly prepared ballot:
 *  - acceptance: per candidate 同意 / 不同意 / 弃权;
 *  - conversion: per candidate 按期转正 / 延长预备期 / 取消预备党员资格 / 弃权 — without
 *    "extend" for a candidate whose probation was already extended (with a warning);
 *  - league recommendation: one approval question "recommend up to k";
 *  - activist / development object, democratic appraisal: per candidate the rule's grades
 *    (好 / 较好 / 一般 / 差) and 不了解;
 *  - three evaluations: per candidate a score on each criterion, or 不了解.
 */
import type { Question } from '../protocol/poll.ts';
import type { Explanation } from './result.ts';
import { ABSTAIN } from '../protocol/poll.ts';
import { ABSTAIN_LABEL, AGREE_CHOICES, CONVERSION_CHOICES, type Rule } from './rules.ts';
import { SECOND_EXTENSION_WARNING } from './member-conversion.ts';

export interface Candidate {
  id: string;
  name: string;
}

export function presetQuestions(
  rule: Exclude<Rule, { kind: 'generic' }>,
  title: string,
  candidates: readonly Candidate[],
  maxChoices?: number,
): { questions: Question[]; warnings: (Explanation & { candidate: string })[] } {
  const warnings: (Explanation & { candidate: string })[] = [];
  switch (rule.kind) {
    case 'member_acceptance':
      return { questions: candidates.map((c) => ({ id: c.id, type: 'single', title: c.name, options: [...AGREE_CHOICES] })), warnings };
    case 'member_conversion':
      return {
        questions: candidates.map((c) => {
          const extended = rule.extendedBefore.includes(c.id);
          if (extended) warnings.push({ candidate: c.id, ...SECOND_EXTENSION_WARNING });
          return { id: c.id, type: 'single', title: c.name, options: CONVERSION_CHOICES.filter((o) => !(extended && o === 'extend')) };
        }),
        warnings,
      };
    case 'league_recommendation':
      return {
        questions: [
          {
            id: 'recommend',
            type: 'approval',
            title,
            options: candidates.map((c) => c.id),
            optionLabels: Object.fromEntries(candidates.map((c) => [c.id, c.name])),
            maxChoices: maxChoices ?? candidates.length,
          },
        ],
        warnings,
      };
    case 'three_evaluations':
      return {
        questions: candidates.map((c) => ({
          id: c.id,
          type: 'score',
          title: c.name,
          criteria: rule.criteria.map((k) => k.id),
          criterionLabels: Object.fromEntries(rule.criteria.map((k) => [k.id, k.label])),
          min: rule.scale.min,
          max: rule.scale.max,
        })),
        warnings,
      };
    case 'activist_confirmation':
    case 'development_object_confirmation':
    case 'democratic_appraisal':
      return {
        questions: candidates.map((c) => ({
          id: c.id,
          type: 'single',
          title: c.name,
          // Every ballot is cast (protocol v2): a voter who cannot judge says so (不了解).
          options: [...rule.grades.map((g) => g.id), ABSTAIN],
          optionLabels: { ...Object.fromEntries(rule.grades.map((g) => [g.id, g.label])), [ABSTAIN]: ABSTAIN_LABEL },
        })),
        warnings,
      };
  }
}
