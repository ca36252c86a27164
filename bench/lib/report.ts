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
