/**
 * The committee's CSV export, on small bundles whose counts are worked out by hand: protocol v1
 * bundles (one ballot answers every question) and v2 bundles (one ballot per question, under that
 * question's key). The result in each bundle is the reference tally of its ballots
 * (resultOfBundle), so the rows below are what a server would publish; the expected text is
 * written out in full.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes, toBase64Url, toHex, utf8 } from '../../shared/encoding.ts';
import { resultOfBundle, type Bundle, type BundleV2 } from '../../shared/protocol/bundle.ts';
import type { Choice, Choices, Question } from '../../shared/protocol/poll.ts';
import { ruleSchema, type RuleInput } from '../../shared/tally/rules.ts';
import { csvField, resultsCsv, resultsCsvFileName } from '../../shared/export/results-csv.ts';
import { openingStatementOf } from '../helpers/bundle-fixture.ts';

/** A v1 bundle with everything the export reads; tokens and signature are placeholders it never reads. */
function bundleOf(options: { title: string; rule: RuleInput; questions: Question[]; ballots: Choices[]; expected: number; writtenOpinions?: Bundle['writtenOpinions'] }): Bundle {
  const partial = {
    format: 'anon-ballot-bundle/v1' as const,
    poll: { id: 'poll-1', meetingId: 'meeting-1', title: options.title, kind: options.rule.kind, questions: options.questions, rule: ruleSchema.parse(options.rule) },
    electorate: { expected: options.expected, checkedIn: options.ballots.length, issued: { members: options.ballots.length } },
    tokenKeys: [],
    ballots: options.ballots.map((choices, i) => ({ token: `t${i}`, choices })),
    writtenOpinions: options.writtenOpinions ?? [],
    exclusions: [],
  };
  return {
    ...partial,
    scrutineers: [],
    result: resultOfBundle(partial as unknown as Bundle),
    closedAt: '2026-11-27T08:30:00.000Z',
    signer: { alg: 'Ed25519', publicKey: '' },
    signature: '',
  } as Bundle;
}

/** The key id of a question's (placeholder) key in the v2 bundles below. */
const keyIdOf = (questionId: string) => sha256(utf8(`key|${questionId}`));
/** A placeholder v2 token naming `questionId`'s key in bytes 66–97, as ballotKeysOf reads it; never verified here. */
const tokenFor = (questionId: string, n: number) =>
  toBase64Url(concatBytes(new Uint8Array([0xba, 0x11]), sha256(utf8(`nonce|${questionId}|${n}`)), new Uint8Array(32), keyIdOf(questionId), new Uint8Array(256)));

/** A v2 bundle: `ballots` lists each question's answers; `issued` tokens per question (default: its answers). */
function bundleV2Of(options: { title: string; rule: RuleInput; questions: Question[]; ballots: Record<string, Choice[]>; expected: number; present: number; issued?: number }): BundleV2 {
  const partial = {
    format: 'anon-ballot-bundle/v2' as const,
    poll: { id: 'poll-2', meetingId: 'meeting-1', title: options.title, kind: options.rule.kind, questions: options.questions, rule: ruleSchema.parse(options.rule), anonymityFloor: 3 },
    electorate: {
      expected: options.expected,
      headCount: options.present,
      headCountNote: '',
      checkedIn: options.present,
      struck: 0,
      lateCheckIns: 0,
      present: options.present,
      submitted: Math.max(...Object.values(options.ballots).map((b) => b.length)),
      declaredNotVoted: null,
      refusedOverIssued: 0,
    },
    keySet: { digest: '0'.repeat(64), keyIds: [] },
    tokenKeys: options.questions.map((q) => ({ group: 'members', questionId: q.id, keyId: toHex(keyIdOf(q.id)), spki: '', issued: options.issued ?? options.ballots[q.id]!.length })),
    ballots: Object.entries(options.ballots).flatMap(([questionId, answers]) =>
      answers.map((answer, n) => ({ token: tokenFor(questionId, n), receipt: '0'.repeat(64), salt: '', answer })),
    ),
    writtenOpinions: [],
    exclusions: [],
    scrutineers: [],
    record: { opening: { seq: 1, digest: '0'.repeat(64) }, close: { seq: 2, digest: '0'.repeat(64) } },
  };
  const withOpening = { ...partial, opening: { statement: openingStatementOf(partial as unknown as BundleV2, partial.record.opening), cosignatures: [] } };
  return {
    ...withOpening,
    result: resultOfBundle(partial as unknown as BundleV2),
    closedAt: '2026-12-07T08:30:00.000Z',
    signer: { alg: 'Ed25519', publicKey: '' },
    signature: '',
  } as BundleV2;
}

const agree = (id: string, title: string): Question => ({ id, type: 'single', title, options: ['agree', 'disagree', 'abstain'] });
const lines = (csv: string) => csv.replace(/^\uFEFF/, '').split('\r\n');

describe('resultsCsv of a protocol v1 bundle', () => {
  // 9 expected, 6 present: quorum needs 5; passing needs 5 in favour (more than half of 9).
  const acceptance = bundleOf({
    title: '接收预备党员',
    rule: { kind: 'member_acceptance' },
    questions: [agree('c1', '张三'), agree('c2', '李四, "小李"')],
    expected: 9,
    ballots: [
      { c1: 'agree', c2: 'agree' },
      { c1: 'agree', c2: 'agree' },
      { c1: 'agree', c2: 'agree' },
      { c1: 'agree', c2: 'abstain' },
      { c1: 'agree', c2: 'disagree' },
      { c1: 'disagree', c2: 'abstain' },
    ],
    writtenOpinions: [{ questionId: 'c2', choice: 'agree' }],
  });

  it('starts with a UTF-8 byte order mark and ends every line with CRLF', () => {
    const csv = resultsCsv(acceptance);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(new TextEncoder().encode(csv).subarray(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
  });

  it('says whether the meeting could be held, then one row per candidate with counts, threshold and verdict (member acceptance, 9 expected)', () => {
    expect(lines(resultsCsv(acceptance))).toEqual([
      '投票事项,候选人或题目,同意,不同意,弃权,其中书面意见,所需票数,计算基数,结果,说明',
      '接收预备党员,到会人数（应到 9，实到 6）,,,,,5,应到 9,可以开会,' + acceptance.result.quorum!.explanation.zh,
      `接收预备党员,张三,5,1,0,0,5,应到 9,通过,${acceptance.result.questions[0]!.explanation!.zh}`,
      // 3 agree + 1 written opinion = 4 < 5: not passed. The name holds a comma and quotes.
      `接收预备党员,"李四, ""小李""",4,1,2,1,5,应到 9,未通过,${csvField(acceptance.result.questions[1]!.explanation!.zh)}`,
      '',
    ]);
    expect(acceptance.result.questions[1]!.explanation!.zh).toContain('同意 4 票');
  });

  it('writes English headers and verdicts on request, with the internal ids', () => {
    const [header, , first] = lines(resultsCsv(acceptance, 'en'));
    expect(header).toBe('Poll,Id,Candidate or question,Agree,Disagree,Abstain,Of which written opinions,Votes needed,Counted against,Verdict,Explanation');
    expect(first).toMatch(/^接收预备党员,c1,张三,5,1,0,0,5,expected 9,Passed,"张三: Passed: 5 in favour, more than half/);
  });

  it('gives one row per candidate of a league recommendation, with votes, rank and verdict', () => {
    // 5 expected, 5 present; 3 votes needed; cap 20% of 5 = 1.
    const league = bundleOf({
      title: '推荐优秀团员',
      rule: { kind: 'league_recommendation' },
      expected: 5,
      questions: [{ id: 'recommend', type: 'approval', title: '推荐人选', options: ['wang', 'zhao', 'qian'], optionLabels: { wang: '王五', zhao: '赵六', qian: '钱七' }, maxChoices: 2 }],
      ballots: [{ recommend: ['wang', 'zhao'] }, { recommend: ['wang', 'zhao'] }, { recommend: ['wang'] }, { recommend: ['wang', 'qian'] }, { recommend: [] }],
    });
    const rows = lines(resultsCsv(league)).map((line) => line.split(',').slice(0, 8));
    expect(rows[0]).toEqual(['投票事项', '候选人或题目', '得票', '其中书面意见', '所需票数', '计算基数', '排名', '结果']);
    expect(rows.slice(2, 5)).toEqual([
      ['推荐优秀团员', '王五', '4', '0', '3', '应到 5', '1', '推荐'],
      ['推荐优秀团员', '赵六', '2', '0', '3', '应到 5', '2', '不推荐'],
      ['推荐优秀团员', '钱七', '1', '0', '3', '应到 5', '3', '不推荐'],
    ]);
  });

  it('names a conversion verdict by its option', () => {
    const conversion = bundleOf({
      title: '预备党员转正',
      rule: { kind: 'member_conversion' },
      expected: 3,
      questions: [{ id: 'c1', type: 'single', title: '张三', options: ['convert', 'extend', 'cancel', 'abstain'] }],
      ballots: [{ c1: 'convert' }, { c1: 'convert' }, { c1: 'extend' }],
    });
    expect(lines(resultsCsv(conversion))[0]).toBe('投票事项,候选人或题目,按期转正,延长预备期,取消预备党员资格,弃权,其中书面意见,所需票数,计算基数,结果,说明');
    expect(lines(resultsCsv(conversion))[2]).toMatch(/^预备党员转正,张三,2,1,0,0,0,2,应到 3,按期转正,/);
  });

  it('has no verdict columns for a generic poll, and shows option ids that have no label', () => {
    const generic = bundleOf({ title: 'Lunch', rule: { kind: 'generic' }, expected: 2, questions: [{ id: 'q', type: 'single', title: 'Where?', options: ['a', 'b'] }], ballots: [{ q: 'a' }, { q: 'a' }] });
    expect(lines(resultsCsv(generic))).toEqual(['投票事项,候选人或题目,a,b,结果,说明', 'Lunch,Where?,2,0,,', '']);
  });
});

describe('resultsCsv of a protocol v2 bundle', () => {
  // 7 expected, 5 present (head count): quorum needs 4; passing needs 4 in favour.
  const acceptance = bundleV2Of({
    title: '接收预备党员',
    rule: { kind: 'member_acceptance' },
    questions: [agree('c1', '张三'), agree('c2', '李四')],
    expected: 7,
    present: 5,
    ballots: { c1: ['agree', 'agree', 'agree', 'agree', 'disagree'], c2: ['agree', 'abstain', 'disagree', 'agree'] },
    issued: 5,
  });

  it('gives each candidate its tokens issued and ballots returned beside the counts, and no internal id', () => {
    const csv = resultsCsv(acceptance);
    expect(lines(csv)).toEqual([
      '投票事项,候选人或题目,发出选票凭证,收回选票,同意,不同意,弃权,其中书面意见,所需票数,计算基数,结果,说明',
      '接收预备党员,到会人数（应到 7，实到 5）,,,,,,,4,应到 7,可以开会,' + acceptance.result.quorum!.explanation.zh,
      // 张三: 4 of the 5 returned in favour: passed. 李四: 4 of 5 returned, 2 in favour: not passed.
      `接收预备党员,张三,5,5,4,1,0,0,4,应到 7,通过,${acceptance.result.questions[0]!.explanation!.zh}`,
      `接收预备党员,李四,5,4,2,1,1,0,4,应到 7,未通过,${acceptance.result.questions[1]!.explanation!.zh}`,
      '',
    ]);
    expect(csv).not.toMatch(/,c[12],|quorum|members/);
  });

  it('keeps the ids in English, where a column says they are ids', () => {
    expect(lines(resultsCsv(acceptance, 'en'))[0]).toBe(
      'Poll,Id,Candidate or question,Tokens issued,Ballots returned,Agree,Disagree,Abstain,Of which written opinions,Votes needed,Counted against,Verdict,Explanation',
    );
    expect(lines(resultsCsv(acceptance, 'en'))[2]).toMatch(/^接收预备党员,c1,张三,5,5,4,1,0,0,4,expected 7,Passed,/);
  });

  it('reads the abstention of a grade ballot as 不了解 (Cannot judge)', () => {
    const grades = { good: '好', fairly_good: '较好', average: '一般', poor: '差', abstain: '不了解' };
    const confirmation = bundleV2Of({
      title: '入党积极分子民主推荐（测评）',
      rule: { kind: 'activist_confirmation' },
      questions: [{ id: 'c1', type: 'single', title: '王五', options: ['good', 'fairly_good', 'average', 'poor', 'abstain'], optionLabels: grades }],
      expected: 4,
      present: 4,
      ballots: { c1: ['good', 'good', 'abstain', 'average'] },
    });
    expect(lines(resultsCsv(confirmation))[0]).toMatch(/^投票事项,候选人或题目,发出选票凭证,收回选票,好,较好,一般,差,不了解,/);
    expect(lines(resultsCsv(confirmation))[1]).toMatch(/^入党积极分子民主推荐（测评）,参加人数（应参加 4，实际参加 4）,(,)+3,应到 4,参加人数符合要求,/);
    expect(lines(resultsCsv(confirmation))[2]).toMatch(/^入党积极分子民主推荐（测评）,王五,4,4,2,0,1,0,1,/);
    expect(lines(resultsCsv(confirmation, 'en'))[0]).toMatch(/^Poll,Id,Candidate or question,Tokens issued,Ballots returned,Good,Fairly good,Average,Poor,Cannot judge,/);
  });
});

describe('csvField', () => {
  it('quotes commas, quotes and line breaks, and leaves plain text and numbers alone', () => {
    expect(csvField('张三')).toBe('张三');
    expect(csvField(16)).toBe('16');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField(undefined)).toBe('');
  });

  it('keeps text that Excel would run as a formula as text', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});

it('offers an ASCII file name with the poll id and the close date', () => {
  expect(resultsCsvFileName({ poll: { id: 'p-1' } as Bundle['poll'], closedAt: '2026-11-27T08:30:00.000Z' })).toBe('results-p-1-2026-11-27.csv');
});
