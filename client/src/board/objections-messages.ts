/**
 * Messages of the objection form and counts on the board, Chinese first, English complete, and
 * the sentence for each refusal of an objection: said in the page's language, with when to try
 * again under a limit, never the server's English inside a Chinese sentence.
 */
import { ApiError } from '../../../shared/protocol/api-client.ts';
import { AppError } from '../../../shared/errors.ts';
import { createTranslator } from '../i18n/index.ts';
import { waitText } from '../i18n/wait.ts';

const zh = {
  'objection.heading': '提出异议',
  'objection.lead': '对这项结果有异议，可以在公示期内向党组织反映。异议交由本单位党组织和上级组织部门调查处理。',
  'objection.text': '异议内容',
  'objection.textHint': '请写明事实和理由，5 至 2000 字。',
  'objection.who': '署名方式',
  'objection.anonymous': '匿名（不留姓名）',
  'objection.named': '署名',
  'objection.name': '姓名',
  'objection.contact': '联系方式（选填）',
  'objection.contactHint': '便于党组织向你核实情况。',
  'objection.anonymousNote': '匿名提交时，系统不记录你的姓名、网络地址或任何能识别你的信息。',
  'objection.code': '投票码（会议名单上的成员可填）',
  'objection.codeHint': '如果你在这次会议的名单上，可以填上投票单上的投票码：这样，即使很多人同时在提交异议，你的异议也能提交成功。投票码不会透露你投了什么票，投过票以后照样可以用。每个投票码每天可以对这项结果提交 {perDay} 条异议。投票码只用来确认你是成员，系统核对后不会保存：党组织只看到这条异议来自“一位会议成员”，看不到是谁。不填也可以照常提交。',
  'objection.submit': '提交异议',
  'objection.sending': '正在提交…',
  'objection.received': '已收到你的异议（{date}）。公示期结束后，本页公布收到的异议件数和处理情况（不公布内容）。',
  'objection.receivedMember': '已收到你的异议（{date}）。投票码有效，已确认是会议成员；投票码没有保存，党组织看不到是谁。公示期结束后，本页公布收到的异议件数和处理情况（不公布内容）。',
  'objection.error': '提交失败：{message}',
  'objection.badCode': '投票码是 16 位字母和数字（不含 0、1、O、I），请检查是否输错；也可以不填投票码，照常提交。',
  'objection.notEligible': '这个投票码不在作出这项表决的会议名单上。请核对投票单上的投票码；也可以不填投票码，照常提交。',
  'objection.tooMany': '提交的异议太多，请在 {wait}再试。会议名单上的成员填写投票码，现在就可以提交。',
  'objection.tooManyLater': '提交的异议太多，请稍后再试。',
  'objection.memberTooMany': '这个投票码今天已经对这项结果提交了 {perDay} 条异议（每天最多 {perDay} 条），请在 {wait}再试。',
  'objection.network': '连不上服务器。请检查网络后重试。',
  'objection.ended': '公示期已经结束，不能再提交异议。请刷新页面查看。',
  'objection.summaryNone': '公示期内未收到异议。',
  'objection.summary': '公示期内共收到异议 {n} 件。处理情况：',
  'objection.proceed': '经核查，不影响结果，继续办理 {n} 件',
  'objection.defer': '暂缓，待核实 {n} 件',
  'objection.reject': '不予采纳 {n} 件',
  'objection.pending': '尚未处理 {n} 件',
} as const;

export type ObjectionKey = keyof typeof zh;

const en: Record<ObjectionKey, string> = {
  'objection.heading': 'Object to this result',
  'objection.lead': 'If you object to this result, tell the Party organization during the publicity period. Objections go to the unit and to the organization department, who look into them.',
  'objection.text': 'Your objection',
  'objection.textHint': 'State the facts and your reasons, 5 to 2000 characters.',
  'objection.who': 'Signed or anonymous',
  'objection.anonymous': 'Anonymous (no name)',
  'objection.named': 'With my name',
  'objection.name': 'Name',
  'objection.contact': 'How to reach you (optional)',
  'objection.contactHint': 'So that the organization can ask you about it.',
  'objection.anonymousNote': 'An anonymous objection is stored without your name, network address or anything else that identifies you.',
  'objection.code': 'Voting code (members of the meeting may add it)',
  'objection.codeHint': 'If you are on this meeting’s roster, you may add the voting code from your slip: your objection then gets through even when many other people are sending objections. The code does not reveal how you voted, and it still works after you have voted. Each code can send {perDay} objections a day about this result. The code only shows that you are a member; it is checked and not kept: the organization sees that the objection came from “a member of the meeting”, not who. You may also leave it empty and send as anyone may.',
  'objection.submit': 'Send the objection',
  'objection.sending': 'Sending…',
  'objection.received': 'Your objection was received ({date}). When the publicity period ends, this page shows how many objections were received and how they were dealt with (not what they said).',
  'objection.receivedMember': 'Your objection was received ({date}). Your voting code was recognised: you are confirmed as a member of the meeting; the code was not kept, and the organization cannot see who you are. When the publicity period ends, this page shows how many objections were received and how they were dealt with (not what they said).',
  'objection.error': 'Not sent: {message}',
  'objection.badCode': 'A voting code has 16 letters and digits (never 0, 1, O or I): check for a typing mistake, or leave it empty and object as anyone may.',
  'objection.notEligible': 'This voting code is not on the roster of the meeting that took this vote. Check the code on your slip, or leave it empty and object as anyone may.',
  'objection.tooMany': 'Too many objections have been sent; try again {wait}. Members of the meeting can send theirs now with their voting code.',
  'objection.tooManyLater': 'Too many objections have been sent; try again later.',
  'objection.memberTooMany': 'This voting code has already sent {perDay} objections about this result today (at most {perDay} a day); try again {wait}.',
  'objection.network': 'Cannot reach the server. Check your connection and try again.',
  'objection.ended': 'The publicity period has ended: objections are no longer taken. Reload the page to see the outcome.',
  'objection.summaryNone': 'No objection was received during the publicity period.',
  'objection.summary': '{n} objection(s) received during the publicity period. Outcomes:',
  'objection.proceed': 'looked into, the result stands: {n}',
  'objection.defer': 'deferred for further inquiry: {n}',
  'objection.reject': 'not upheld: {n}',
  'objection.pending': 'not yet dealt with: {n}',
};

export const to = createTranslator<ObjectionKey>({ zh, en });

/**
 * Objections one voting code may send about one result in a day, until the server's setting
 * (LIMIT_MEMBER_OBJECTIONS_PER_DAY, in GET /api/public/polls/:id/objections) has been read: its
 * default. A student deciding whether to use their code needs the number, not "a few".
 */
export const MEMBER_OBJECTIONS_PER_DAY = 3;

/**
 * Why an objection was not taken, for the one who sent it. `withCode`: whether it carried a
 * voting code, which decides whose share a limit's refusal speaks of (server/services/objections.ts).
 */
export function objectionErrorText(error: unknown, withCode: boolean, perDay = MEMBER_OBJECTIONS_PER_DAY): string {
  if (error instanceof ApiError || error instanceof AppError) {
    const wait = error instanceof ApiError && error.retryAfterSeconds !== undefined ? waitText(error.retryAfterSeconds) : undefined;
    switch (error.code) {
      case 'bad_code':
        return to('objection.badCode');
      // A code on no roster at all, or on another meeting's: the same advice.
      case 'unknown_code':
      case 'not_eligible':
        return to('objection.notEligible');
      case 'rate_limited':
        if (wait === undefined) return to('objection.tooManyLater');
        // Without a code the sender may be anyone: a member can still object, with their code.
        return withCode ? to('objection.memberTooMany', { wait, perDay }) : to('objection.tooMany', { wait });
      case 'network':
        return to('objection.network');
      case 'wrong_phase':
        return to('objection.ended');
    }
  }
  return to('objection.error', { message: error instanceof Error ? error.message : String(error) });
}
