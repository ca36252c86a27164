/**
 * The committee's spreadsheet of a published result: bundle → CSV text (RFC 4180, CRLF) that
 * Excel opens with Chinese intact, thanks to the UTF-8 byte order mark it needs to guess the
 * encoding. Pure: no I/O, no clock. The numbers are the bundle's signed `result`, never
 * recomputed here (the verifier checks that they follow from the ballots).
 *
 * Both bundle formats: v1 (one ballot answers every question) and v2 (one ballot per question,
 * under that question's key), whose rows also say how many ballot tokens were issued and how
 * many ballots returned for each candidate.
 *
 * One row per candidate or question:
 *   - whether the meeting could be held (到会人数; 参加人数 for ballots among the masses) first,
 *     when the rule has a quorum;
 *   - a `single` question (a candidate to accept, convert, grade; a generic question): its
 *     counts in one column per option, then threshold, verdict, explanation;
 *   - an `approval` question (the league recommendation): one row per candidate (option), with
 *     its votes, rank and verdict;
 *   - three evaluations: one row per candidate, with raters per group, composite, band, rank.
 * Optional columns (votes, rank, composite …) appear only when some row fills them. The Chinese
 * table shows no internal id where a label exists: the id column is English only (rows keep
 * their id for the pages, as `row.id`).
 *
 * Text that Excel would run as a formula (starting with = + - @, tab or CR) is prefixed with an
 * apostrophe, as OWASP recommends for CSV export: a candidate named "=HYPERLINK(…)" by a careless
 * or hostile organizer stays text on the committee's computer.
 */
import { ballotKeysOf, isV2, type Bundle } from '../protocol/bundle.ts';
import { ABSTAIN, type Question } from '../protocol/poll.ts';
import { ABSTAIN_LABEL } from '../tally/rules.ts';

export type ExportLocale = 'zh' | 'en';
type Bilingual = { zh: string; en: string };

/** Labels of the options the presets create; a question's own `optionLabels` win in Chinese. */
const OPTION_LABELS: Record<string, Bilingual> = {
  agree: { zh: '同意', en: 'Agree' },
  disagree: { zh: '不同意', en: 'Disagree' },
  abstain: { zh: '弃权', en: 'Abstain' },
  convert: { zh: '按期转正', en: 'Convert on schedule' },
  extend: { zh: '延长预备期', en: 'Extend probation' },
  cancel: { zh: '取消预备党员资格', en: 'Cancel probationary membership' },
  good: { zh: '好', en: 'Good' },
  fairly_good: { zh: '较好', en: 'Fairly good' },
  average: { zh: '一般', en: 'Average' },
  poor: { zh: '差', en: 'Poor' },
  excellent: { zh: '优秀', en: 'Excellent' },
  qualified: { zh: '合格', en: 'Qualified' },
  basically_qualified: { zh: '基本合格', en: 'Basically qualified' },
  unqualified: { zh: '不合格', en: 'Unqualified' },
  // Three evaluations: the counts of a score question are raters per group.
  representatives: { zh: '师生代表评议人数', en: 'Representatives rating' },
  members: { zh: '所在单位（班级）成员评议人数', en: 'Members of the unit rating' },
};

/** Verdict ids of docs/bundle-format.md "Rules" (those that are not option or grade ids). */
const VERDICT_LABELS: Record<string, Bilingual> = {
  passed: { zh: '通过', en: 'Passed' },
  failed: { zh: '未通过', en: 'Not passed' },
  no_quorum: { zh: '到会人数不足，不能开会', en: 'Too few present: no vote' },
  no_decision: { zh: '未形成决议', en: 'No resolution' },
  decided: { zh: '已表决', en: 'Decided' },
  recommended: { zh: '推荐', en: 'Recommended' },
  not_recommended: { zh: '不推荐', en: 'Not recommended' },
  tied_at_cap: { zh: '名额线上并列（由支委会决定）', en: 'Tied at the cap (for the committee)' },
  indicator_met: { zh: '达到参考指标', en: 'Indicator met' },
  indicator_not_met: { zh: '未达到参考指标', en: 'Indicator not met' },
  no_grade: { zh: '未评定等级', en: 'No grade' },
  over_cap: { zh: '超出优秀名额（由支部决定）', en: 'Over the cap (for the branch)' },
  quorum_met: { zh: '可以开会', en: 'Quorum met' },
  quorum_not_met: { zh: '不能开会', en: 'No quorum' },
  // Opinion ballots among the masses (测评): attendance, not a meeting's quorum.
  attendance_met: { zh: '参加人数符合要求', en: 'Attendance met' },
  attendance_not_met: { zh: '参加人数不足', en: 'Attendance not met' },
  invalid: { zh: '参评人数不足，结果无效', en: 'Invalid: too few took part' },
};

/** On grade ballots (protocol v2) the abstention reads 不了解: the voter cannot judge the candidate. */
const CANNOT_JUDGE: Bilingual = { zh: ABSTAIN_LABEL, en: 'Cannot judge' };

export function optionLabel(question: Question | undefined, option: string, locale: ExportLocale): string {
  const own = question && 'optionLabels' in question ? question.optionLabels?.[option] : undefined;
  const builtin = (option === ABSTAIN && own === ABSTAIN_LABEL ? CANNOT_JUDGE : OPTION_LABELS[option])?.[locale];
  return locale === 'zh' ? (own ?? builtin ?? option) : (builtin ?? own ?? option);
}

/** A verdict in words: an option or grade id (conversion, appraisal) reads as that option. */
export function verdictLabel(verdict: string, question: Question | undefined, locale: ExportLocale): string {
  if (question && 'options' in question && question.options.includes(verdict)) return optionLabel(question, verdict, locale);
  return VERDICT_LABELS[verdict]?.[locale] ?? optionLabel(question, verdict, locale);
}

/** Kinds voted by the masses (测评): their quorum is attendance, not whether a meeting can be held. */
const MASSES_KINDS = new Set(['activist_confirmation', 'development_object_confirmation']);

const THRESHOLD_BASE: Record<string, Bilingual> = {
  expected: { zh: '应到', en: 'expected' },
  present: { zh: '实到', en: 'present' },
  ballots: { zh: '有效票', en: 'votes cast' },
};

/** One CSV field: numbers as they are; text quoted when it holds a comma, quote or line break. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

type Row = Record<string, string | number | undefined>;

/** Column ids in order; `optional` ones are dropped when no row fills them; `en`-only ones are internal. */
const COLUMNS: { id: string; label: Bilingual; optional?: boolean; enOnly?: boolean }[] = [
  { id: 'poll', label: { zh: '投票事项', en: 'Poll' } },
  { id: 'id', label: { zh: '编号', en: 'Id' }, enOnly: true },
  { id: 'name', label: { zh: '候选人或题目', en: 'Candidate or question' } },
  { id: 'issued', label: { zh: '发出选票凭证', en: 'Tokens issued' }, optional: true },
  { id: 'returned', label: { zh: '收回选票', en: 'Ballots returned' }, optional: true },
  // option columns are spliced in here
  { id: 'votes', label: { zh: '得票', en: 'Votes' }, optional: true },
  { id: 'writtenOpinions', label: { zh: '其中书面意见', en: 'Of which written opinions' }, optional: true },
  { id: 'threshold', label: { zh: '所需票数', en: 'Votes needed' }, optional: true },
  { id: 'thresholdBase', label: { zh: '计算基数', en: 'Counted against' }, optional: true },
  { id: 'rank', label: { zh: '排名', en: 'Rank' }, optional: true },
  { id: 'composite', label: { zh: '综合得分', en: 'Composite' }, optional: true },
  { id: 'verdict', label: { zh: '结果', en: 'Verdict' } },
  { id: 'explanation', label: { zh: '说明', en: 'Explanation' } },
];
const OPTION_COLUMNS_AT = 5;

export interface ResultTable {
  /** Column ids and headings, in order: poll, (id,) name, (issued, returned,) one per option counted, then the rest. */
  columns: { id: string; label: string }[];
  /** One per row; option columns are keyed `option:<optionId>`; `verdictId` (not a column) is the verdict's id. */
  rows: Record<string, string | number | undefined>[];
}

/** What the table reads of a bundle: v2's keys and ballots give each question's tokens issued and ballots returned. */
export type TableInput = Pick<Bundle, 'poll' | 'result'> & Partial<Pick<Bundle, 'format' | 'tokenKeys' | 'ballots'>>;

/** v2: per question, tokens issued under its keys (every group) and ballots returned under them. */
function issuedAndReturned(bundle: TableInput): Map<string, { issued: number; returned: number }> {
  const perQuestion = new Map<string, { issued: number; returned: number }>();
  if (!bundle.format || !bundle.tokenKeys || !bundle.ballots || !isV2(bundle as Bundle)) return perQuestion;
  const v2 = bundle as Extract<Bundle, { format: 'anon-ballot-bundle/v2' }>;
  const entry = (id: string) => perQuestion.get(id) ?? perQuestion.set(id, { issued: 0, returned: 0 }).get(id)!;
  for (const key of v2.tokenKeys) entry(key.questionId).issued += key.issued;
  for (const key of ballotKeysOf(v2)) if (key) entry(key.questionId).returned += 1;
  return perQuestion;
}

/**
 * The rows of the result, as the CSV, the board and the tally sheet show them: one table, so the
 * three never disagree about what a row says.
 */
export function resultTable(bundle: TableInput, locale: ExportLocale = 'zh'): ResultTable {
  const { poll, result } = bundle;
  const tokens = issuedAndReturned(bundle);
  const questionById = new Map(poll.questions.map((q) => [q.id, q]));
  const rows: Row[] = [];
  // Option columns: every option counted in a row, in order of first appearance.
  const optionColumns = new Map<string, string>();
  const countColumn = (question: Question | undefined, option: string) => {
    const id = `option:${option}`;
    if (!optionColumns.has(id)) optionColumns.set(id, optionLabel(question, option, locale));
    return id;
  };

  if (result.quorum) {
    const { expected, present, met } = result.quorum;
    const masses = MASSES_KINDS.has(poll.rule.kind);
    const verdictId = masses ? (met ? 'attendance_met' : 'attendance_not_met') : met ? 'quorum_met' : 'quorum_not_met';
    rows.push({
      poll: poll.title,
      id: 'quorum',
      name:
        locale === 'en'
          ? `${masses ? 'Attendance' : 'Quorum'} (expected ${expected}, present ${present})`
          : masses
            ? `参加人数（应参加 ${expected}，实际参加 ${present}）`
            : `到会人数（应到 ${expected}，实到 ${present}）`,
      threshold: result.quorum.needed,
      thresholdBase: `${THRESHOLD_BASE.expected![locale]} ${expected}`,
      verdict: VERDICT_LABELS[verdictId]![locale],
      verdictId,
      explanation: result.quorum.explanation[locale],
    });
  }

  const evaluations = new Map((result.candidates ?? []).map((c) => [c.id, c]));
  const bands = poll.rule.kind === 'three_evaluations' ? new Map(poll.rule.bands.map((b) => [b.id, b.label])) : new Map<string, string>();

  for (const outcome of result.questions) {
    const question = questionById.get(outcome.id);
    const base = outcome.thresholdBase ? `${THRESHOLD_BASE[outcome.thresholdBase.base]![locale]} ${outcome.thresholdBase.value}` : undefined;
    if (question?.type === 'approval') {
      const ranked = new Map((outcome.candidates ?? []).map((c) => [c.id, c]));
      for (const option of question.options) {
        const candidate = ranked.get(option);
        rows.push({
          poll: poll.title,
          id: option,
          name: optionLabel(question, option, locale),
          votes: outcome.counts[option] ?? 0,
          writtenOpinions: outcome.writtenOpinions,
          threshold: outcome.threshold,
          thresholdBase: base,
          rank: candidate?.rank,
          verdict: candidate ? verdictLabel(candidate.verdict, question, locale) : '',
          verdictId: candidate?.verdict,
          explanation: candidate?.explanation[locale] ?? '',
        });
      }
      continue;
    }
    const row: Row = {
      poll: poll.title,
      id: outcome.id,
      name: question?.title ?? outcome.id,
      issued: tokens.get(outcome.id)?.issued,
      returned: tokens.get(outcome.id)?.returned,
      writtenOpinions: outcome.writtenOpinions,
      threshold: outcome.threshold,
      thresholdBase: base,
      rank: outcome.rank,
      verdict: outcome.verdict !== undefined ? verdictLabel(outcome.verdict, question, locale) : '',
      verdictId: outcome.verdict,
      explanation: outcome.explanation?.[locale] ?? '',
    };
    for (const [option, count] of Object.entries(outcome.counts)) row[countColumn(question, option)] = count;
    const evaluation = evaluations.get(outcome.id);
    if (evaluation) {
      row.rank = evaluation.rank ?? undefined;
      row.composite = evaluation.composite ?? undefined;
      row.verdict = !evaluation.valid
        ? VERDICT_LABELS.invalid![locale]
        : evaluation.band !== null
          ? (bands.get(evaluation.band) ?? evaluation.band)
          : '';
      row.verdictId = evaluation.valid ? (evaluation.band ?? undefined) : 'invalid';
      row.explanation = evaluation.explanation[locale];
    }
    rows.push(row);
  }

  const shown = (c: (typeof COLUMNS)[number]) => (!c.enOnly || locale === 'en') && (!c.optional || rows.some((row) => row[c.id] !== undefined));
  const columns = [
    ...COLUMNS.slice(0, OPTION_COLUMNS_AT).filter(shown).map((c) => ({ id: c.id, label: c.label[locale] })),
    ...[...optionColumns].map(([id, label]) => ({ id, label })),
    ...COLUMNS.slice(OPTION_COLUMNS_AT).filter(shown).map((c) => ({ id: c.id, label: c.label[locale] })),
  ];
  return { columns, rows };
}

export function resultsCsv(bundle: TableInput, locale: ExportLocale = 'zh'): string {
  const { columns, rows } = resultTable(bundle, locale);
  const lines = [columns.map((c) => csvField(c.label)), ...rows.map((row) => columns.map((c) => csvField(row[c.id])))];
  return `\uFEFF${lines.map((fields) => fields.join(',')).join('\r\n')}\r\n`;
}

/** The file name offered for the download: poll id and close date, ASCII only. */
export const resultsCsvFileName = (bundle: Pick<Bundle, 'poll' | 'closedAt'>) =>
  `results-${bundle.poll.id}-${bundle.closedAt.slice(0, 10)}.csv`;
