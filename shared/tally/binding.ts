/**
 * The binding part of the Working Rules (DOMAIN §1): a branch general meeting that accepts or
 * converts a probationary member can be held only when the voting members present are more than
 * half of those expected, and a candidate passes only with votes in favour from more than half of
 * the expected voting members. A setting may make either stricter (attendance 2/3, 4/5, …), never
 * looser: the base is always the expected count, and the share at least "more than half".
 *
 * `bindingViolations` lists every looser setting of a rule, each as a sentence that cites the
 * rule; the server refuses such a poll (shared/protocol/api.ts) and the verifier warns about a
 * bundle whose rule is looser (bundles published before the refusal existed).
 */
import { BRANCH_MEETING_KINDS, FRACTIONS, type PollKind, type Quorum, type Rule, type Threshold } from './rules.ts';
import type { Explanation } from './result.ts';

/** The kinds whose thresholds the Working Rules fix. */
export const BINDING_KINDS: readonly PollKind[] = BRANCH_MEETING_KINDS;

/**
 * At least as strict as "more than half" over the same base, for every base: a fraction above
 * one half (either comparison), or one half with "more than". Exactly half is never enough.
 */
export function atLeastMoreThanHalf(t: Pick<Threshold, 'fraction' | 'comparison'>): boolean {
  const [num, den] = FRACTIONS[t.fraction];
  return num * 2 > den || (num * 2 === den && t.comparison === 'more_than');
}

const QUORUM_RULE = '《中国共产党发展党员工作细则》：到会有表决权的正式党员超过应到会人数的半数，才能开会';
const PASS_RULE = '《中国共产党发展党员工作细则》：赞成人数超过应到会有表决权的正式党员的半数，才能通过';

export interface BindingViolation extends Explanation {
  /** The setting at fault, as the poll form names it. */
  setting: 'quorum' | 'pass';
}

export function bindingViolations(rule: Rule): BindingViolation[] {
  if (!BINDING_KINDS.includes(rule.kind) || !('quorum' in rule) || !('pass' in rule)) return [];
  const found: BindingViolation[] = [];
  const quorum: Quorum = rule.quorum;
  if (!atLeastMoreThanHalf(quorum))
    found.push({
      setting: 'quorum',
      zh: `开会人数只能比“超过应到会人数的半数”更严，不能放宽（${QUORUM_RULE}）`,
      en: 'The attendance rule may only be stricter than "more than half of the expected voting members", never looser (Working Rules for Developing Party Members).',
    });
  const pass: Threshold = rule.pass;
  if (pass.base !== 'expected')
    found.push({
      setting: 'pass',
      zh: `通过的基数是应到会有表决权的正式党员人数，不能改为实到人数或收回票数（${PASS_RULE}）`,
      en: 'The pass base is the expected voting members, not those present nor the ballots returned (Working Rules for Developing Party Members).',
    });
  else if (!atLeastMoreThanHalf(pass))
    found.push({
      setting: 'pass',
      zh: `通过票数只能比“超过应到会有表决权的正式党员的半数”更严，不能放宽（${PASS_RULE}）`,
      en: 'The pass threshold may only be stricter than "more than half of the expected voting members", never looser (Working Rules for Developing Party Members).',
    });
  return found;
}
