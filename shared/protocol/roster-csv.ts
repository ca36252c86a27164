/**
 * A roster as a branch secretary has it: a spreadsheet saved as CSV, or lines pasted from it.
 * Columns: name, student/staff number, group(s), full/probationary — with an optional header
 * row in Chinese (姓名,学号/工号,组别,身份) or English (name,number,groups,status) that may
 * also put the columns in another order. Fields may be quoted ("张三, 李四" keeps its comma;
 * "" inside quotes is one "). A tab-separated paste from a spreadsheet works too.
 *
 * The parser is pure and checks everything before anything is saved: every problem comes back
 * with its line number (a line of the file, counting the header and blank lines), and a row
 * with a problem is left out of `rows`. The organizer sees the errors, fixes the file or
 * chooses to save only the good rows.
 */
import { ID_PATTERN } from './poll.ts';

export type RosterStatus = 'full' | 'probationary';

export interface RosterRow {
  /** Line of the file where the row starts (1-based). */
  line: number;
  name: string;
  number: string;
  groups: string[];
  status: RosterStatus;
}

export type RosterErrorCode =
  | 'bad_header'
  | 'column_count'
  | 'empty_name'
  | 'empty_number'
  | 'too_long'
  | 'bad_status'
  | 'bad_group'
  | 'unknown_group'
  | 'duplicate_in_file'
  | 'duplicate_on_roster'
  | 'unclosed_quote'
  | 'stray_quote';

export interface RosterError {
  line: number;
  code: RosterErrorCode;
  /** What the message needs: the offending value, the other line, the expected count. */
  detail: Record<string, string | number>;
}

export interface RosterParse {
  rows: RosterRow[];
  errors: RosterError[];
  /** Whether the first line was taken as a header. */
  header: boolean;
}

export interface RosterOptions {
  /** Numbers already on the meeting's roster. */
  existingNumbers?: Iterable<string>;
  /** Groups a voter may belong to (those of the meeting's polls); when absent, any well-formed id. */
  knownGroups?: Iterable<string>;
}

type Field = 'name' | 'number' | 'groups' | 'status';
const COLUMNS: Field[] = ['name', 'number', 'groups', 'status'];

const HEADER_NAMES: Record<string, Field> = {
  姓名: 'name',
  名字: 'name',
  name: 'name',
  学号: 'number',
  工号: 'number',
  '学号/工号': 'number',
  '学号／工号': 'number',
  学工号: 'number',
  编号: 'number',
  number: 'number',
  'student/staff number': 'number',
  组别: 'groups',
  分组: 'groups',
  组: 'groups',
  group: 'groups',
  groups: 'groups',
  'group(s)': 'groups',
  身份: 'status',
  类别: 'status',
  status: 'status',
};

const STATUS_WORDS: Record<string, RosterStatus> = {
  正式: 'full',
  正式党员: 'full',
  full: 'full',
  预备: 'probationary',
  预备党员: 'probationary',
  probationary: 'probationary',
};

const DEFAULT_GROUPS = ['members'];
const MAX_NAME = 200;
const MAX_NUMBER = 40;

interface CsvRecord {
  line: number;
  fields: string[];
  error?: RosterError;
}

/**
 * Splits CSV text into records (RFC 4180 quoting, CRLF or LF). A quoted field may hold the
 * separator and line breaks, so a record's line is where it starts. Blank lines are dropped.
 */
export function splitCsvRecords(text: string, separator: string): CsvRecord[] {
  const source = text.replace(/^\uFEFF/, '');
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false; // this field already had its quoted part
    let error: RosterError | undefined;
    for (;;) {
      if (i >= source.length) break;
      const ch = source[i]!;
      if (ch === '"' && !quoted && field.trim() === '') {
        // Quoted field (spaces before the quote are dropped): up to the closing quote; "" is a quote.
        const quoteLine = line;
        field = '';
        quoted = true;
        i++;
        let closed = false;
        while (i < source.length) {
          const c = source[i]!;
          if (c === '"' && source[i + 1] === '"') {
            field += '"';
            i += 2;
          } else if (c === '"') {
            closed = true;
            i++;
            break;
          } else {
            if (c === '\n') line++;
            field += c;
            i++;
          }
        }
        if (!closed) error ??= { line: quoteLine, code: 'unclosed_quote', detail: {} };
      } else if (ch === separator) {
        fields.push(field);
        field = '';
        quoted = false;
        i++;
      } else if (ch === '\r' || ch === '\n') {
        i += ch === '\r' && source[i + 1] === '\n' ? 2 : 1;
        line++;
        break;
      } else {
        // A quote inside an unquoted field, or text after a closing quote: the line is malformed.
        if (ch === '"' || (quoted && !/\s/.test(ch))) error ??= { line, code: 'stray_quote', detail: {} };
        if (!quoted) field += ch;
        i++;
      }
    }
    fields.push(field);
    if (error) records.push({ line: start, fields, error });
    else if (fields.some((f) => f.trim() !== '')) records.push({ line: start, fields });
  }
  return records;
}

/** A spreadsheet paste separates by tabs; a saved CSV by commas. Decided by the first line. */
function detectSeparator(text: string): string {
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
}

const normalizeHeader = (cell: string) => cell.trim().toLowerCase().replace(/\s+/g, ' ');

/** The column order a header row gives, or undefined if the line is not a header. */
function headerColumns(fields: string[]): { columns: Field[] } | { unknown: string } | undefined {
  const mapped = fields.map((f) => HEADER_NAMES[normalizeHeader(f)]);
  // A header starts with a recognised name; a data row starts with a person's name.
  if (mapped[0] === undefined) return undefined;
  const unknownAt = mapped.findIndex((m) => m === undefined);
  if (unknownAt >= 0) return { unknown: fields[unknownAt]!.trim() };
  const columns = mapped as Field[];
  if (new Set(columns).size !== columns.length) return { unknown: fields.find((f, i) => columns.indexOf(columns[i]!) !== i)!.trim() };
  return { columns };
}

/** Splits a groups cell: 组别 may list several, separated by ; ； 、 | or spaces. */
function splitGroups(cell: string): string[] {
  return cell
    .split(/[;；、|\s]+/)
    .map((g) => g.trim())
    .filter((g) => g !== '');
}

export function parseRosterCsv(text: string, options: RosterOptions = {}): RosterParse {
  const records = splitCsvRecords(text, detectSeparator(text));
  const errors: RosterError[] = [];
  const rows: RosterRow[] = [];
  const existing = new Set(options.existingNumbers ?? []);
  const known = options.knownGroups ? new Set(options.knownGroups) : undefined;
  const seen = new Map<string, number>();

  let columns: Field[] = COLUMNS;
  let header = false;
  const first = records[0];
  if (first && !first.error) {
    const found = headerColumns(first.fields);
    if (found && 'columns' in found) {
      header = true;
      columns = found.columns;
      for (const required of ['name', 'number'] as const)
        if (!columns.includes(required)) errors.push({ line: first.line, code: 'bad_header', detail: { value: required } });
    } else if (found) {
      header = true;
      errors.push({ line: first.line, code: 'bad_header', detail: { value: found.unknown } });
    }
  }
  // A header that cannot be read leaves every row's meaning unknown: report it alone.
  if (errors.length) return { rows: [], errors, header };

  for (const record of header ? records.slice(1) : records) {
    const { line } = record;
    const problems: RosterError[] = [];
    const problem = (code: RosterErrorCode, detail: RosterError['detail'] = {}) => problems.push({ line, code, detail });
    if (record.error) {
      errors.push(record.error);
      continue;
    }
    if (record.fields.length !== columns.length) {
      errors.push({ line, code: 'column_count', detail: { expected: columns.length, found: record.fields.length } });
      continue;
    }
    const cell = (field: Field) => {
      const at = columns.indexOf(field);
      return at < 0 ? undefined : record.fields[at]!.trim();
    };
    const name = cell('name')!;
    const number = cell('number')!;
    if (name === '') problem('empty_name');
    else if (name.length > MAX_NAME) problem('too_long', { value: name.slice(0, 20), max: MAX_NAME });
    if (number === '') problem('empty_number');
    else if (number.length > MAX_NUMBER) problem('too_long', { value: number.slice(0, 20), max: MAX_NUMBER });

    const groupsCell = cell('groups');
    const groups = groupsCell ? splitGroups(groupsCell) : DEFAULT_GROUPS;
    for (const group of groups) {
      if (!ID_PATTERN.test(group)) problem('bad_group', { value: group });
      else if (known && !known.has(group)) problem('unknown_group', { value: group, known: [...known].join(', ') });
    }
    if (groups.length > 5 || new Set(groups).size !== groups.length) problem('bad_group', { value: groupsCell ?? '' });

    const statusCell = cell('status');
    // Without a status column every row is a full member; an empty cell in the column is an error.
    const status = statusCell === undefined ? 'full' : STATUS_WORDS[statusCell.toLowerCase()];
    if (!status) problem('bad_status', { value: statusCell ?? '' });

    if (number !== '') {
      const earlier = seen.get(number);
      if (earlier !== undefined) problem('duplicate_in_file', { value: number, other: earlier });
      else if (existing.has(number)) problem('duplicate_on_roster', { value: number });
      else seen.set(number, line);
    }
    if (problems.length) errors.push(...problems);
    else rows.push({ line, name, number, groups, status: status! });
  }
  return { rows, errors, header };
}
