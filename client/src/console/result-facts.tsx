/**
 * The attendance and voting facts of a closed poll, read from its signed bundle, as the record
 * of a vote lists them: expected, the head count taken when voting opened, check-ins (struck,
 * late), present, written opinions, submitted, ballots returned, declared not voted, refused
 * submissions. Bundles of polls closed before protocol v2 (`anon-ballot-bundle/v1`) have fewer
 * facts and say so.
 */
import { For, Show } from 'solid-js';
import { isV2, type Bundle, type BundleV2 } from '../../../shared/protocol/bundle.ts';
import { ct, type ConsoleKey } from './i18n.ts';

type Row = { label: ConsoleKey; value: string; field: string };

/**
 * Members who gave a written opinion: the bundle lists them answer by answer (one per question,
 * with no name), and each member answers a question once, so the most answers to one question.
 */
export function writtenOpinionAuthors(bundle: Bundle): number {
  const perQuestion = new Map<string, number>();
  for (const w of bundle.writtenOpinions) perQuestion.set(w.questionId, (perQuestion.get(w.questionId) ?? 0) + 1);
  return Math.max(0, ...perQuestion.values());
}

function rowsOf(bundle: BundleV2): Row[] {
  const e = bundle.electorate;
  const people = (n: number) => ct('result.people', { n });
  return [
    { label: 'result.expected', value: people(e.expected), field: 'expected' },
    { label: 'result.headCount', value: people(e.headCount), field: 'head-count' },
    { label: 'result.checkedIn', value: people(e.checkedIn), field: 'checked-in' },
    { label: 'result.struck', value: people(e.struck), field: 'struck' },
    { label: 'result.late', value: people(e.lateCheckIns), field: 'late' },
    { label: 'result.present', value: people(e.present), field: 'present' },
    { label: 'result.written', value: people(writtenOpinionAuthors(bundle)), field: 'written' },
    { label: 'result.submitted', value: people(e.submitted), field: 'submitted' },
    { label: 'result.ballots', value: ct('result.ballotCount', { n: bundle.ballots.length }), field: 'ballots' },
    { label: 'result.declared', value: e.declaredNotVoted === null ? ct('result.notRecorded') : people(e.declaredNotVoted), field: 'declared' },
    { label: 'result.refused', value: ct('result.times', { n: e.refusedOverIssued }), field: 'refused' },
  ];
}

export function ResultFacts(props: { bundle: Bundle }) {
  return (
    <Show
      when={isV2(props.bundle) ? props.bundle : undefined}
      fallback={
        <>
          <p class="facts" data-format="v1">
            {ct('result.facts', {
              expected: props.bundle.electorate.expected,
              present: props.bundle.electorate.checkedIn,
              ballots: props.bundle.result.ballotsCast,
              written: writtenOpinionAuthors(props.bundle),
            })}
          </p>
          <p class="hint">{ct('result.v1')}</p>
        </>
      }
    >
      {(v2) => (
        <>
          <h5>{ct('result.factsLabel')}</h5>
          <dl class="result-facts" data-format="v2">
            <For each={rowsOf(v2())}>
              {(row) => (
                <div class="result-fact">
                  <dt>{ct(row.label)}</dt>
                  <dd data-fact={row.field}>{row.value}</dd>
                </div>
              )}
            </For>
          </dl>
          <p class="hint">{ct('result.ballotsHint')}</p>
          <Show when={v2().electorate.headCountNote}>{(note) => <p class="hint">{ct('result.note', { note: note() })}</p>}</Show>
        </>
      )}
    </Show>
  );
}
