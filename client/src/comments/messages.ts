/** Messages of the candidate's comments page (/comments), Chinese first. */
import { createTranslator } from '../i18n/index.ts';

const zh = {
  'comments.title': '查看给我的评语',
  'comments.lead': '“三评”结束后，被评人可以用自己的投票码，在签到时用的设备上查看评价人写给自己的评语。评语不署名，加密给你本人，服务器和支部书记、组织委员都看不到，不公布。',
  'comments.code': '投票码',
  'comments.codeHint': '印在你的投票单上。',
  'comments.submit': '查看',
  'comments.busy': '正在查询…',
  'comments.none': '这个投票码下没有已结束的“三评”。评价结束后再来查看。',
  'comments.empty': '没有人给你写评语。',
  'comments.withheld': '为你评分的人少于匿名下限，为保护评价人，评语不显示。',
  'comments.count': '共 {n} 条，按文字排序，与评价人和提交先后无关。',
  'comments.error': '查询失败：{message}',
  'comments.keyMissing': '评语已加密给你签到时这台设备上生成的密钥，只能在那台设备上查看。这台设备上没有你的密钥。',
} as const;

export type CommentsKey = keyof typeof zh;

const en: Record<CommentsKey, string> = {
  'comments.title': 'Comments written to me',
  'comments.lead':
    'When the three evaluations have closed, a candidate can read, with their own voting code and on the device they checked in with, the comments raters wrote to them. Comments are unsigned and sealed to you: neither the server nor the organizers can read them; they are never published.',
  'comments.code': 'Voting code',
  'comments.codeHint': 'Printed on your voting slip.',
  'comments.submit': 'Show',
  'comments.busy': 'Looking up…',
  'comments.none': 'No closed evaluation has you as a candidate under this code. Come back when the evaluation has closed.',
  'comments.empty': 'Nobody wrote you a comment.',
  'comments.withheld': 'Fewer people than the anonymity floor scored you: to protect them, the comments are not shown.',
  'comments.count': '{n} in all, sorted by their text, not by who wrote them or when.',
  'comments.error': 'The lookup failed: {message}',
  'comments.keyMissing': 'The comments are sealed to the key your device made when you checked in, and can be read only on that device. This device does not hold your key.',
};

export const tc = createTranslator<CommentsKey>({ zh, en });
