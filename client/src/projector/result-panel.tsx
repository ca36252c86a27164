/**
 * A closed poll's result as announced in the room: per candidate (question) the counts as large
 * bars, the threshold drawn across them ("需 16 票"), the verdict and the rule's own sentence
 * (from shared/tally, the same words as the signed bundle). The three evaluations show each
 * candidate's composite score and sentence instead of bars.
 */
import { For, Show } from 'solid-js';
import { optionLabel as catalogueOption, verdictLabel as catalogueVerdict, type ExportLocale } from '../../../shared/export/results-csv.ts';
import type { Question } from '../../../shared/protocol/poll.ts';
import type { Explanation, QuestionResult } from '../../../shared/tally/result.ts';
import { locale } from '../i18n/index.ts';
import type { LivePoll } from './live-store.ts';
import { pt } from './messages.ts';
import { PhaseBadge } from './turnout-panel.tsx';

const inLocale = (sentence: Explanation) => (locale() === 'zh' ? sentence.zh : sentence.en);

/** Options and verdicts read from the one catalogue of labels the board, tally sheet and CSV use. */
const optionLabel = (question: Question | undefined, option: string) => catalogueOption(question, option, locale() as ExportLocale);
const verdictLabel = (question: Question | undefined, verdict: string) => catalogueVerdict(verdict, question, locale() as ExportLocale);

const POSITIVE = new Set(['passed', 'convert', 'recommended', 'indicator_met']);
const NEGATIVE = new Set(['failed', 'no_quorum', 'cancel', 'not_recommended', 'indicator_not_met']);

function verdictTone(verdict: string) {
  return POSITIVE.has(verdict) ? 'good' : NEGATIVE.has(verdict) ? 'bad' : 'neutral';
}

function VerdictBadge(props: { question: Question | undefined; verdict: string }) {
  return <span class={`pj-verdict-badge pj-tone-${verdictTone(props.verdict)}`}>{verdictLabel(props.question, props.verdict)}</span>;
}

function QuestionResultCard(props: { question: Question | undefined; result: QuestionResult }) {
  const options = () =>
    props.question && props.question.type !== 'score' ? props.question.options : Object.keys(props.result.counts);
  const count = (option: string) => props.result.counts[option] ?? 0;
  const scale = () =>
    Math.max(1, ...options().map(count), props.result.threshold ?? 0, props.result.thresholdBase?.value ?? 0);
  const percent = (n: number) => `${(100 * n) / scale()}%`;
  const candidate = (option: string) => props.result.candidates?.find((c) => c.id === option);
  return (
    <article class="pj-question" aria-label={props.question?.title ?? props.result.id}>
      <h3 class="pj-question-title">{props.question?.title ?? props.result.id}</h3>
      <div class="pj-chart">
        <div class="pj-plot" aria-hidden="true">
          <For each={options()}>
            {(option) => (
              <div class="pj-column">
                <span class="pj-bar-count">{count(option)}</span>
                <div class={`pj-bar pj-bar-${option}`} style={{ height: percent(count(option)) }} />
              </div>
            )}
          </For>
          <Show when={props.result.threshold}>
            {(threshold) => (
              <div class="pj-threshold" style={{ bottom: percent(threshold()) }}>
                <span class="pj-threshold-label">{pt('result.threshold', { n: threshold() })}</span>
              </div>
            )}
          </Show>
        </div>
        <ul class="plain pj-legend">
          <For each={options()}>
            {(option) => (
              <li>
                <span class="pj-option">{optionLabel(props.question, option)}</span>
                <span class="visually-hidden">{pt('result.votes', { n: count(option) })}</span>
                <Show when={candidate(option)}>{(c) => <VerdictBadge question={props.question} verdict={c().verdict} />}</Show>
              </li>
            )}
          </For>
        </ul>
      </div>
      <Show when={props.result.verdict && !props.result.candidates}>
        <p class="pj-verdict">
          <VerdictBadge question={props.question} verdict={props.result.verdict!} />
        </p>
      </Show>
      <Show when={props.result.explanation}>{(sentence) => <p class="pj-sentence">{inLocale(sentence())}</p>}</Show>
      <For each={props.result.warnings ?? []}>{(warning) => <p class="pj-warning">{inLocale(warning)}</p>}</For>
    </article>
  );
}

export function ResultPanel(props: { poll: LivePoll }) {
  const closed = () => props.poll.closed!;
  const result = () => closed().result;
  const question = (id: string) => props.poll.questions.find((q) => q.id === id);
  const titleId = () => `pj-poll-${props.poll.id}`;
  return (
    <section class="pj-poll pj-result" aria-labelledby={titleId()}>
      <header class="pj-poll-head">
        <h2 id={titleId()}>{props.poll.title}</h2>
        <PhaseBadge phase={props.poll.phase} />
      </header>
      {/* The quorum's base is `present` (the head count and approved late check-ins; v1: checked in). */}
      <p class="pj-result-meta">{pt('result.meta', { expected: closed().expected, present: closed().present, submitted: props.poll.submitted })}</p>
      <Show when={result().quorum}>
        {(quorum) => <p class={`pj-quorum pj-tone-${quorum().met ? 'good' : 'bad'}`}>{inLocale(quorum().explanation)}</p>}
      </Show>
      <Show
        when={result().candidates}
        fallback={
          <div class="pj-questions" classList={{ 'pj-questions-many': result().questions.length > 3 }}>
            <For each={result().questions}>{(r) => <QuestionResultCard question={question(r.id)} result={r} />}</For>
          </div>
        }
      >
        {(candidates) => (
          <ul class="plain pj-evaluations">
            <For each={candidates()}>
              {(c) => (
                <li class="pj-evaluation">
                  <span class="pj-question-title">{question(c.id)?.title ?? c.id}</span>
                  <span class="pj-composite">{c.composite === null ? pt('result.noComposite') : pt('result.composite', { score: c.composite.toFixed(2) })}</span>
                  <span class="pj-sentence">{inLocale(c.explanation)}</span>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
    </section>
  );
}
