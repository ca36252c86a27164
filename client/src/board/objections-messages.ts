/** Messages of the objection form and counts on the board, Chinese first, English complete. */
import { createTranslator } from '../i18n/index.ts';

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
  'objection.submit': '提交异议',
  'objection.sending': '正在提交…',
  'objection.received': '已收到你的异议（{date}）。公示期结束后，本页公布收到的异议件数和处理情况（不公布内容）。',
  'objection.error': '提交失败：{message}',
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
  'objection.submit': 'Send the objection',
  'objection.sending': 'Sending…',
  'objection.received': 'Your objection was received ({date}). When the publicity period ends, this page shows how many objections were received and how they were dealt with (not what they said).',
  'objection.error': 'Not sent: {message}',
  'objection.summaryNone': 'No objection was received during the publicity period.',
  'objection.summary': '{n} objection(s) received during the publicity period. Outcomes:',
  'objection.proceed': 'looked into, the result stands: {n}',
  'objection.defer': 'deferred for further inquiry: {n}',
  'objection.reject': 'not upheld: {n}',
  'objection.pending': 'not yet dealt with: {n}',
};

export const to = createTranslator<ObjectionKey>({ zh, en });
