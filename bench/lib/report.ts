/**
 * What every benchmark section hands back: rows for the printed table (one measured figure
 * each, already a median), the targets it can decide, and its raw samples for results.json.
 */
import { round } from './stats.ts';

export interface Row {
  metric: string;
  value: number | string;
  unit: string;
  note?: string;
}

export interface Target {
  claim: string;
  /** The measured figure the claim is decided on, or undefined when it was not measured. */
  measured: number | undefined;
  unit: string;
  met: boolean | undefined;
  note?: string;
}

export interface SectionResult {
  title: string;
  rows: Row[];
  targets: Target[];
  raw: unknown;
}

export const target = (claim: string, measured: number | undefined, unit: string, pass: (value: number) => boolean, note?: string): Target => ({
  claim,
  measured,
  unit,
  met: measured === undefined ? undefined : pass(measured),
  ...(note === undefined ? {} : { note }),
});

const show = (value: number | string): string => (typeof value === 'number' ? round(value).toLocaleString('en-US', { maximumFractionDigits: 6 }) : value);

function formatTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function formatSections(sections: SectionResult[]): string {
  const out: string[] = [];
  for (const section of sections) {
    out.push(`\n## ${section.title}`);
    out.push(formatTable(['metric', 'value', 'unit', 'note'], section.rows.map((r) => [r.metric, show(r.value), r.unit, r.note ?? ''])));
  }
  const targets = sections.flatMap((s) => s.targets);
  if (targets.length) {
    out.push('\n## Targets');
    out.push(
      formatTable(
        ['target', 'measured', 'status', 'note'],
        targets.map((t) => [
          t.claim,
          t.measured === undefined ? '—' : `${show(t.measured)} ${t.unit}`,
          t.met === undefined ? 'not measured' : t.met ? 'met' : 'MISSED',
          t.note ?? '',
        ]),
      ),
    );
  }
  return out.join('\n');
}

/**
 * The second runtime beside the first: every numeric row both measured, with the ratio of the
 * second's figure to the first's (measured in the same run, section after section).
 */
export function compareRuntimes(firstLabel: string, first: SectionResult[], secondLabel: string, second: SectionResult[]): { table: string; rows: RuntimeComparison[] } {
  const rows: RuntimeComparison[] = [];
  for (const a of first) {
    const b = second.find((s) => s.title === a.title);
    if (!b) continue;
    // A metric may repeat within a section (the CLI's CPU time under each size): the n-th with
    // a name pairs with the n-th of the same name.
    const seen = new Map<string, number>();
    for (const rowA of a.rows) {
      const key = `${rowA.metric}\u0000${rowA.unit}`;
      const nth = seen.get(key) ?? 0;
      seen.set(key, nth + 1);
      const rowB = b.rows.filter((r) => r.metric === rowA.metric && r.unit === rowA.unit)[nth];
      if (typeof rowA.value !== 'number' || typeof rowB?.value !== 'number' || rowA.value === 0) continue;
      rows.push({ section: a.title, metric: rowA.metric, unit: rowA.unit, first: rowA.value, second: rowB.value, ratio: rowB.value / rowA.value });
    }
  }
  const table = first
    .filter((a) => rows.some((r) => r.section === a.title))
    .map((a) =>
      [
        `### ${a.title}`,
        formatTable(
          ['metric', `${secondLabel} ÷ ${firstLabel}`, 'unit', firstLabel, secondLabel],
          rows.filter((r) => r.section === a.title).map((r) => [r.metric, r.ratio.toFixed(2), r.unit, show(r.first), show(r.second)]),
        ),
      ].join('\n'),
    )
    .join('\n\n');
  return { table, rows };
}

export interface RuntimeComparison {
  section: string;
  metric: string;
  unit: string;
  first: number;
  second: number;
  /** second ÷ first */
  ratio: number;
}
