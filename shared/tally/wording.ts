/**
 * The sentences that explain a verdict, in Chinese and English, built from the numbers of the
 * rule so that a projected result reads e.g.
 *   通过：同意 16 票，超过应到会有表决权正式党员 30 人的半数（需 16 票）
 *   Passed: 16 in favour, more than half of the 30 expected voting members (16 needed).
 */
import type { Quorum, Threshold } from './rules.ts';

export type Body = 'party' | 'league' | 'masses';

const FRACTION_ZH = { '1/2': '半数', '3/5': '五分之三', '2/3': '三分之二', '3/4': '四分之三', '4/5': '五分之四' } as const;
const FRACTION_EN = { '1/2': 'half', '3/5': 'three fifths', '2/3': 'two thirds', '3/4': 'three quarters', '4/5': 'four fifths' } as const;
/** "三分之二" for `2/3`: how a Chinese sentence names a threshold's fraction. */
export const fractionZh = (fraction: keyof typeof FRACTION_ZH): string => FRACTION_ZH[fraction];
export const fractionEn = (fraction: keyof typeof FRACTION_EN): string => FRACTION_EN[fraction];

const COMPARE_ZH = { more_than: '超过', at_least: '达到' } as const;
const COMPARE_EN = { more_than: 'more than', at_least: 'at least' } as const;

const MEMBER_ZH = { party: '有表决权正式党员', league: '有表决权团员', masses: '参加测评人员' } as const;
const MEMBER_EN = { party: 'voting members', league: 'voting league members', masses: 'participants' } as const;

export function baseZh(base: Threshold['base'], value: number, body: Body): string {
  if (body === 'masses' && base !== 'ballots') return `${base === 'expected' ? '应参加' : '实际参加'}测评 ${value} 人`;
  if (base === 'expected') return `应到会${MEMBER_ZH[body]} ${value} 人`;
  if (base === 'present') return `实到会${MEMBER_ZH[body]} ${value} 人`;
  return `有效票 ${value} 票`;
}

export function baseEn(base: Threshold['base'], value: number, body: Body): string {
  if (base === 'expected') return `the ${value} expected ${MEMBER_EN[body]}`;
  if (base === 'present') return `the ${value} ${MEMBER_EN[body]} present`;
  return `the ${value} votes cast`;
}

/** "超过应到会有表决权正式党员 30 人的半数" / "more than half of the 30 expected voting members" */
export function thresholdPhrase(t: Threshold, value: number, body: Body, negated = false) {
  return {
    zh: `${negated ? '未' : ''}${COMPARE_ZH[t.comparison]}${baseZh(t.base, value, body)}的${FRACTION_ZH[t.fraction]}`,
    en: `${COMPARE_EN[t.comparison]} ${FRACTION_EN[t.fraction]} of ${baseEn(t.base, value, body)}`,
  };
}

export function quorumSentence(q: Quorum, present: number, expected: number, needed: number, body: Body, met: boolean) {
  const zhCompare = `${met ? '' : '未'}${COMPARE_ZH[q.comparison]}应到 ${expected} 人的${FRACTION_ZH[q.fraction]}`;
  if (body === 'masses')
    return met
      ? {
          zh: `参加人数符合要求：实际参加测评 ${present} 人，${COMPARE_ZH[q.comparison]}应参加 ${expected} 人的${FRACTION_ZH[q.fraction]}（需 ${needed} 人）`,
          en: `Attendance met: ${present} took part, ${COMPARE_EN[q.comparison]} ${FRACTION_EN[q.fraction]} of the ${expected} expected (${needed} needed).`,
        }
      : {
          zh: `参加人数不足：实际参加测评 ${present} 人，未${COMPARE_ZH[q.comparison]}应参加 ${expected} 人的${FRACTION_ZH[q.fraction]}（需 ${needed} 人）`,
          en: `Attendance not met: ${present} took part, not ${COMPARE_EN[q.comparison]} ${FRACTION_EN[q.fraction]} of the ${expected} expected (${needed} needed).`,
        };
  return met
    ? {
        zh: `符合法定人数：实到会${MEMBER_ZH[body]} ${present} 人，${zhCompare}（需 ${needed} 人）`,
        en: `Quorum met: ${present} ${MEMBER_EN[body]} present, ${COMPARE_EN[q.comparison]} ${FRACTION_EN[q.fraction]} of the ${expected} expected (${needed} needed).`,
      }
    : {
        zh: `不足法定人数，不能表决：实到会${MEMBER_ZH[body]} ${present} 人，${zhCompare}（需 ${needed} 人）`,
        en: `No quorum, no vote: ${present} ${MEMBER_EN[body]} present, not ${COMPARE_EN[q.comparison]} ${FRACTION_EN[q.fraction]} of the ${expected} expected (${needed} needed).`,
      };
}

export function writtenNote(written: number) {
  return written > 0 ? { zh: `（含书面意见 ${written} 票）`, en: ` (including ${written} written opinion${written === 1 ? '' : 's'})` } : { zh: '', en: '' };
}
