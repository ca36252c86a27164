/**
 * The roster import parser (shared/protocol/roster-csv.ts), on hand-written files: the good
 * shapes a secretary's spreadsheet comes in, and each kind of error with its line number.
 */
import { describe, expect, it } from 'vitest';
import { parseRosterCsv, splitCsvRecords } from '../../shared/protocol/roster-csv.ts';

const codes = (text: string, options?: Parameters<typeof parseRosterCsv>[1]) =>
  parseRosterCsv(text, options).errors.map((e) => [e.line, e.code]);

describe('reading a roster', () => {
  it('reads a Chinese header, 正式 and 预备, and several groups', () => {
    const parsed = parseRosterCsv('姓名,学号/工号,组别,身份\n张三,2024001,members,正式\n李四,2024002,members;representatives,预备\n');
    expect(parsed.header).toBe(true);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toEqual([
      { line: 2, name: '张三', number: '2024001', groups: ['members'], status: 'full' },
      { line: 3, name: '李四', number: '2024002', groups: ['members', 'representatives'], status: 'probationary' },
    ]);
  });

  it('reads an English header in another column order, with CRLF line ends and a BOM', () => {
    const parsed = parseRosterCsv('\uFEFFNumber,Name,Status,Groups\r\nT001,Wang Wu,probationary,members\r\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toEqual([{ line: 2, name: 'Wang Wu', number: 'T001', groups: ['members'], status: 'probationary' }]);
  });

  it('reads rows without a header as name, number, groups, status; an empty groups cell means members', () => {
    const parsed = parseRosterCsv('张三,2024001,,正式\n\n李四,2024002,members,full');
    expect(parsed.header).toBe(false);
    expect(parsed.rows.map((r) => [r.line, r.name, r.groups])).toEqual([
      [1, '张三', ['members']],
      [3, '李四', ['members']], // the blank line 2 still counts
    ]);
  });

  it('keeps commas and quotes inside quoted fields, and counts lines inside a quoted line break', () => {
    const parsed = parseRosterCsv('"欧阳, 娜娜",2024001,members,正式\n"王""小""明",2024002,members,正式\n"两\n行",2024003,members,正式\n赵六,2024004,members,正式');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => [r.line, r.name])).toEqual([
      [1, '欧阳, 娜娜'],
      [2, '王"小"明'],
      [3, '两\n行'],
      [5, '赵六'],
    ]);
  });

  it('reads a header with only name and number: full members of the default group', () => {
    const parsed = parseRosterCsv('姓名,学号\n张三,2024001');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toEqual([{ line: 2, name: '张三', number: '2024001', groups: ['members'], status: 'full' }]);
  });

  it('reads a tab-separated paste from a spreadsheet', () => {
    const parsed = parseRosterCsv('姓名\t学号\t组别\t身份\n张三\t2024001\tmembers\t正式');
    expect(parsed.rows).toEqual([{ line: 2, name: '张三', number: '2024001', groups: ['members'], status: 'full' }]);
  });

  it('splits records on the separator only outside quotes', () => {
    expect(splitCsvRecords('a,"b,c",d\n', ',').map((r) => r.fields)).toEqual([['a', 'b,c', 'd']]);
  });
});

describe('errors, each with its line', () => {
  it('a wrong number of columns', () => {
    expect(codes('姓名,学号,组别,身份\n张三,2024001,members\n李四,2024002,members,正式')).toEqual([[2, 'column_count']]);
    expect(parseRosterCsv('张三,2024001,members').errors[0]!.detail).toEqual({ expected: 4, found: 3 });
  });

  it('an empty name and an empty number', () => {
    expect(codes(' ,2024001,members,正式\n张三,,members,正式')).toEqual([
      [1, 'empty_name'],
      [2, 'empty_number'],
    ]);
  });

  it('a status that is neither full nor probationary', () => {
    expect(codes('张三,2024001,members,正式\n李四,2024002,members,群众\n王五,2024003,members,')).toEqual([
      [2, 'bad_status'],
      [3, 'bad_status'],
    ]);
  });

  it('a number twice in the file, naming the earlier line', () => {
    const parsed = parseRosterCsv('张三,2024001,members,正式\n李四,2024002,members,正式\n王五,2024001,members,正式');
    expect(parsed.errors).toEqual([{ line: 3, code: 'duplicate_in_file', detail: { value: '2024001', other: 1 } }]);
    expect(parsed.rows.map((r) => r.name)).toEqual(['张三', '李四']);
  });

  it('a number already on the roster', () => {
    expect(codes('张三,2024001,members,正式\n李四,2024002,members,正式', { existingNumbers: ['2024002'] })).toEqual([[2, 'duplicate_on_roster']]);
  });

  it('a group no poll of the meeting has, and a group that is not an id', () => {
    const options = { knownGroups: ['members', 'representatives'] };
    expect(codes('张三,2024001,members,正式\n李四,2024002,teachers,正式\n王五,2024003,组一,正式', options)).toEqual([
      [2, 'unknown_group'],
      [3, 'bad_group'],
    ]);
    // Without a list of known groups, any well-formed group is accepted.
    expect(codes('李四,2024002,teachers,正式')).toEqual([]);
  });

  it('an unclosed quote, and a quote in the middle of a field', () => {
    expect(codes('张三,2024001,members,正式\n"李四,2024002,members,正式\n王五,2024003,members,正式')).toEqual([[2, 'unclosed_quote']]);
    expect(codes('张"三,2024001,members,正式\n"李四"x,2024002,members,正式')).toEqual([
      [1, 'stray_quote'],
      [2, 'stray_quote'],
    ]);
  });

  it('a header with a column it does not know, or without the number column', () => {
    expect(codes('姓名,学号,生日\n张三,2024001,2000-01-01')).toEqual([[1, 'bad_header']]);
    expect(parseRosterCsv('姓名,身份\n张三,正式').errors).toEqual([{ line: 1, code: 'bad_header', detail: { value: 'number' } }]);
  });

  it('a row with errors is left out of the rows; the good rows stay', () => {
    const parsed = parseRosterCsv('姓名,学号,组别,身份\n张三,2024001,members,正式\n,2024002,members,正式\n王五,2024003,members,预备');
    expect(parsed.rows.map((r) => r.name)).toEqual(['张三', '王五']);
    expect(parsed.errors).toEqual([{ line: 3, code: 'empty_name', detail: {} }]);
  });
});
