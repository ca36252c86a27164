/**
 * The committee's CSV export, on small bundles whose counts are worked out by hand. The result
 * in each bundle is the reference tally of its ballots (resultOfBundle), so the rows below are
 * what a server would publish; the expected text is written out in full.
 */
import { describe, expect, it } from 'vitest';
import { resultOfBundle, type Bundle } from '../../shared/protocol/bundle.ts';
import type { Choices, Question } from '../../shared/protocol/poll.ts';
import { ruleSchema, type RuleInput } from '../../shared/tally/rules.ts';
import { csvField, resultsCsv, resultsCsvFileName } from '../../shared/export/results-csv.ts';

/** A bundle with everything the export reads; tokens and signature are placeholders it never reads. */
function bundleOf(options: { title: string; rule: RuleInput; questions: Question[]; ballots: Choices[]; expected: number; writtenOpinions?: Bundle['writtenOpinions'] }): Bundle {
  const partial = {
    poll: { id: 'poll-1', meetingId: 'meeting-1', title: options.title, kind: options.rule.kind, questions: options.questions, rule: ruleSchema.parse(options.rule) },
    electorate: { expected: options.expected, checkedIn: options.ballots.length, issued: { members: options.ballots.length } },
    tokenKeys: [],
    ballots: options.ballots.map((choices, i) => ({ token: `t${i}`, choices })),
    writtenOpinions: options.writtenOpinions ?? [],
    exclusions: [],
  };
  return {
    format: 'anon-ballot-bundle/v1',
    ...partial,
    scrutineers: [],
    result: resultOfBundle(partial),
    closedAt: '2026-11-27T08:30:00.000Z',
    signer: { alg: 'Ed25519', publicKey: '' },
    signature: '',
  } as Bundle;
}

const agree = (id: string, title: string): Question => ({ id, type: 'single', title, options: ['agree', 'disagree', 'abstain'] });
const lines = (csv: string) => csv.replace(/^\uFEFF/, '').split('\r\n');

describe('resultsCsv', () => {
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

  it('gives the quorum, then one row per candidate with counts, threshold and verdict (member acceptance, 9 expected)', () => {
    expect(lines(resultsCsv(acceptance))).toEqual([
      '投票事项,编号,候选人或题目,同意,不同意,弃权,其中书面意见,所需票数,计算基数,结果,说明',
      '接收预备党员,quorum,法定人数（应到 9，实到 6）,,,,,5,应到 9,符合法定人数,' + acceptance.result.quorum!.explanation.zh,
      `接收预备党员,c1,张三,5,1,0,0,5,应到 9,通过,${acceptance.result.questions[0]!.explanation!.zh}`,
      // 3 agree + 1 written opinion = 4 < 5: not passed. The name holds a comma and quotes.
      `接收预备党员,c2,"李四, ""小李""",4,1,2,1,5,应到 9,未通过,${csvField(acceptance.result.questions[1]!.explanation!.zh)}`,
      '',
    ]);
    expect(acceptance.result.questions[1]!.explanation!.zh).toContain('同意 4 票');
  });

  it('writes English headers and verdicts on request', () => {
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
    const rows = lines(resultsCsv(league)).map((line) => line.split(',').slice(0, 9));
    expect(rows[0]).toEqual(['投票事项', '编号', '候选人或题目', '得票', '其中书面意见', '所需票数', '计算基数', '排名', '结果']);
    expect(rows.slice(2, 5)).toEqual([
      ['推荐优秀团员', 'wang', '王五', '4', '0', '3', '应到 5', '1', '推荐'],
      ['推荐优秀团员', 'zhao', '赵六', '2', '0', '3', '应到 5', '2', '不推荐'],
      ['推荐优秀团员', 'qian', '钱七', '1', '0', '3', '应到 5', '3', '不推荐'],
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
    expect(lines(resultsCsv(conversion))[0]).toBe('投票事项,编号,候选人或题目,按期转正,延长预备期,取消预备党员资格,弃权,其中书面意见,所需票数,计算基数,结果,说明');
    expect(lines(resultsCsv(conversion))[2]).toMatch(/^预备党员转正,c1,张三,2,1,0,0,0,2,应到 3,按期转正,/);
  });

  it('has no verdict columns for a generic poll', () => {
    const generic = bundleOf({ title: 'Lunch', rule: { kind: 'generic' }, expected: 2, questions: [{ id: 'q', type: 'single', title: 'Where?', options: ['a', 'b'] }], ballots: [{ q: 'a' }, { q: 'a' }] });
    expect(lines(resultsCsv(generic))).toEqual(['投票事项,编号,候选人或题目,a,b,结果,说明', 'Lunch,q,Where?,2,0,,', '']);
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
