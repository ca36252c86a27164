/**
 * One poll of the meeting: its ballot (candidates), and what the organizer may do in its
 * phase — rename or delete a draft; name the scrutineers and enter written opinions of members
 * unable to attend before voting opens; the sign-in sheet from check-in on; while voting, the
 * turnout and the number who said they did not vote; after close, the result with its facts
 * and verdict sentences, the link to the tally sheet and the signed bundle. No count of
 * choices is ever shown before close: the server has none to give (GET /bundle answers
 * wrong_phase).
 */
import { isBranchMeetingKind } from '../../../shared/tally/rules.ts';
import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import type { Question } from '../../../shared/protocol/poll.ts';
import type { Bundle } from '../../../shared/protocol/bundle.ts';
import { optionLabel } from '../components/ballot-paper.tsx';
import { locale } from '../i18n/index.ts';
import { createAction } from './action.ts';
import type { ConsoleApi, MeetingPoll, PollRecord, RosterVoter, Scrutineer } from './api.ts';
import { ADVISORY_KINDS, DecisionsPanel } from './decisions-panel.tsx';
import { ObjectionsPanel } from './objections-panel.tsx';
import { ct, kindLabel, phaseLabel } from './i18n.ts';
import { createLoad } from './load.ts';
import { ErrorLine } from './error-line.tsx';
import { ResultFacts } from './result-facts.tsx';
import { SignInSheetPanel } from './sign-in-sheet.tsx';
import { VotingFacts } from './voting-facts.tsx';

const splitNames = (text: string) =>
  text
    .split(/[,，、;；\n]+/)
    .map((n) => n.trim())
    .filter((n) => n !== '');

function candidatesOf(poll: MeetingPoll): string {
  return poll.questions
    .map((q) => (q.type === 'approval' ? q.options.map((o) => optionLabel(q, o)).join('、') : q.title))
    .join('、');
}

function RenameDraft(props: { api: ConsoleApi; poll: MeetingPoll; onChanged: () => void }) {
  const [title, setTitle] = createSignal(props.poll.title);
  const rename = createAction();
  const remove = createAction();
  return (
    <div class="stack-tight">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void rename.run(async () => {
            await props.api.renamePoll(props.poll.id, title());
            props.onChanged();
          });
        }}
      >
        <label for={`rename-${props.poll.id}`}>{ct('poll.rename')}</label>
        <input id={`rename-${props.poll.id}`} class="input" type="text" value={title()} onInput={(e) => setTitle(e.currentTarget.value)} />
        <button type="submit" class="button button-secondary button-inline" disabled={rename.busy()}>
          {ct('poll.renameButton')}
        </button>
        <button
          type="button"
          class="button button-secondary button-inline"
          disabled={remove.busy()}
          onClick={() =>
            void remove.run(async () => {
              await props.api.deletePoll(props.poll.id);
              props.onChanged();
            })
          }
        >
          {ct('poll.delete')}
        </button>
      </form>
      <p class="hint">{ct('poll.editCandidatesHint')}</p>
      <ErrorLine text={rename.error() ?? remove.error()} />
    </div>
  );
}

/** "张三（zhangsan）": a scrutineer with the account they co-sign with; "张三": without one. */
const WITH_ACCOUNT = /^(.+?)\s*[（(]([A-Za-z0-9._-]{3,64})[)）]$/;
function parseScrutineer(entry: string, role: Scrutineer['role']): Scrutineer {
  const match = WITH_ACCOUNT.exec(entry);
  return match ? { name: match[1]!, role, account: match[2]! } : { name: entry, role };
}

function ScrutineersForm(props: { api: ConsoleApi; poll: MeetingPoll; record: PollRecord; onChanged: () => void }) {
  const namesOf = (role: Scrutineer['role']) =>
    props.record.scrutineers
      .filter((s) => s.role === role)
      .map((s) => (s.account ? `${s.name}（${s.account}）` : s.name))
      .join('、');
  const [supervisors, setSupervisors] = createSignal(namesOf('supervisor'));
  const [counters, setCounters] = createSignal(namesOf('counter'));
  const save = createAction();
  const [saved, setSaved] = createSignal(false);
  return (
    <form
      class="stack-tight"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        void save.run(async () => {
          await props.api.setScrutineers(props.poll.id, [
            ...splitNames(supervisors()).map((entry) => parseScrutineer(entry, 'supervisor')),
            ...splitNames(counters()).map((entry) => parseScrutineer(entry, 'counter')),
          ]);
          setSaved(true);
          props.onChanged();
        });
      }}
    >
      <h4>{ct('scrutineers.title')}</h4>
      <p class="hint">{ct('scrutineers.help')}</p>
      <label for={`sup-${props.poll.id}`}>{ct('scrutineers.supervisors')}</label>
      <input id={`sup-${props.poll.id}`} class="input" type="text" value={supervisors()} onInput={(e) => setSupervisors(e.currentTarget.value)} />
      <label for={`cnt-${props.poll.id}`}>{ct('scrutineers.counters')}</label>
      <input id={`cnt-${props.poll.id}`} class="input" type="text" value={counters()} onInput={(e) => setCounters(e.currentTarget.value)} />
      <button type="submit" class="button button-secondary button-inline" disabled={save.busy()}>
        {ct('scrutineers.save')}
      </button>
      <Show when={saved()}>
        <p class="success" role="status">
          {ct('saved')}
        </p>
      </Show>
      <ErrorLine text={save.error()} />
    </form>
  );
}

function QuestionInput(props: { question: Question; name: string; value: string | string[] | undefined; onChange: (v: string | string[]) => void }) {
  const q = props.question;
  if (q.type === 'score') return null;
  return (
    <fieldset class="opinion-question">
      <legend>{q.title}</legend>
      <For each={q.options}>
        {(option) => (
          <label class="check-line">
            <Show
              when={q.type === 'approval'}
              fallback={<input type="radio" name={props.name} value={option} checked={props.value === option} onChange={() => props.onChange(option)} />}
            >
              <input
                type="checkbox"
                value={option}
                checked={Array.isArray(props.value) && props.value.includes(option)}
                onChange={(e) => {
                  const list = Array.isArray(props.value) ? props.value : [];
                  props.onChange(e.currentTarget.checked ? [...list, option] : list.filter((o) => o !== option));
                }}
              />
            </Show>
            {optionLabel(q, option)}
          </label>
        )}
      </For>
    </fieldset>
  );
}

function WrittenOpinions(props: { api: ConsoleApi; poll: MeetingPoll; record: PollRecord; voters: RosterVoter[]; onChanged: () => void }) {
  const [voterId, setVoterId] = createSignal('');
  const [choices, setChoices] = createSignal<Record<string, string | string[]>>({});
  const save = createAction();
  const remove = createAction();
  const nameOf = (id: string) => props.voters.find((v) => v.id === id)?.name ?? id;
  return (
    <div class="stack-tight">
      <h4>{ct('opinions.title')}</h4>
      <p class="hint">{ct('opinions.help')}</p>
      <Show when={props.record.writtenOpinions.length > 0}>
        <ul class="plain fact-list">
          <For each={props.record.writtenOpinions}>
            {(opinion) => (
              <li>
                <span>
                  {opinion.name ?? nameOf(opinion.voterId)}
                  {locale() === 'en' ? ': ' : '：'}
                  {props.poll.questions
                    .map((q) => {
                      const c = opinion.choices[q.id];
                      return c === undefined ? '' : `${q.title} ${Array.isArray(c) ? c.map((o) => optionLabel(q, o)).join('、') : optionLabel(q, c)}`;
                    })
                    .filter((s) => s)
                    .join(locale() === 'en' ? '; ' : '；')}
                </span>
                <button
                  type="button"
                  class="button button-secondary button-inline"
                  disabled={remove.busy()}
                  onClick={() =>
                    void remove.run(async () => {
                      await props.api.removeWrittenOpinion(props.poll.id, opinion.voterId);
                      props.onChanged();
                    })
                  }
                >
                  {ct('opinions.remove')}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form
        class="stack-tight"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run(async () => {
            if (!voterId()) throw new Error(ct('opinions.chooseVoter'));
            await props.api.setWrittenOpinion(props.poll.id, voterId(), choices());
            setVoterId('');
            setChoices({});
            props.onChanged();
          });
        }}
      >
        <label for={`op-voter-${props.poll.id}`}>{ct('opinions.voter')}</label>
        <select id={`op-voter-${props.poll.id}`} class="select" value={voterId()} onChange={(e) => setVoterId(e.currentTarget.value)}>
          <option value="">{ct('opinions.chooseVoter')}</option>
          <For each={props.voters}>{(v) => <option value={v.id}>{`${v.name}（${v.number}）`}</option>}</For>
        </select>
        <For each={props.poll.questions}>
          {(q) => (
            <QuestionInput
              question={q}
              name={`op-${props.poll.id}-${q.id}`}
              value={choices()[q.id]}
              onChange={(v) => setChoices({ ...choices(), [q.id]: v })}
            />
          )}
        </For>
        <button type="submit" class="button button-secondary button-inline" disabled={save.busy()}>
          {ct('opinions.save')}
        </button>
        <ErrorLine text={save.error() ?? remove.error()} />
      </form>
    </div>
  );
}

/** Verdicts that mean "not passed": drawn in red, the others in green. */
const NEGATIVE_VERDICTS = new Set(['failed', 'no_quorum', 'no_decision', 'not_recommended', 'indicator_not_met', 'no_grade']);

function countsLine(question: Question, counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([option, n]) => `${question.type === 'score' ? option : optionLabel(question, option)} ${n}`)
    .join(locale() === 'en' ? ', ' : '，');
}

export function PollResult(props: { api: ConsoleApi; poll: MeetingPoll }) {
  const loaded = createLoad(() => props.poll.id, (id) => props.api.bundle(id));
  const bundle = loaded.value;
  // The bundle as the server signed it, saved as a file (a blob URL: the download needs no second request).
  const download = createMemo(() => {
    const b = bundle();
    return b ? URL.createObjectURL(new Blob([JSON.stringify(b, null, 2)], { type: 'application/json' })) : undefined;
  });
  onCleanup(() => {
    const href = download();
    if (href) URL.revokeObjectURL(href);
  });
  return (
    <div class="result stack-tight">
      <h4>{ct('result.title')}</h4>
      <ErrorLine text={loaded.error()} />
      <Show when={bundle()}>
        {(b) => <ResultBody bundle={b()} />}
      </Show>
      <p class="link-row">
        <a class="button button-secondary button-inline" href={`/tally-sheet?poll=${encodeURIComponent(props.poll.id)}`}>
          {ct('result.tallySheet')}
        </a>
        <Show when={download()}>
          {(href) => (
            <a class="button button-secondary button-inline" href={href()} download={`bundle-${props.poll.id}.json`}>
              {ct('result.download')}
            </a>
          )}
        </Show>
      </p>
    </div>
  );
}

function ResultBody(props: { bundle: Bundle }) {
  const result = () => props.bundle.result;
  const question = (id: string) => props.bundle.poll.questions.find((q) => q.id === id)!;
  return (
    <>
      <ResultFacts bundle={props.bundle} />
      <Show when={result().quorum}>{(q) => <p class={q().met ? 'verdict-ok' : 'verdict-no'}>{q().explanation[locale()]}</p>}</Show>
      <ul class="plain result-list">
        <For each={result().questions}>
          {(r) => (
            <li class={`result-item ${r.verdict && NEGATIVE_VERDICTS.has(r.verdict) ? 'result-item-negative' : ''}`} data-question={r.id}>
              <h5>{question(r.id).title}</h5>
              <p class="counts">{countsLine(question(r.id), r.counts)}</p>
              <Show when={r.explanation}>{(e) => <p class="verdict">{e()[locale()]}</p>}</Show>
              <Show when={r.candidates}>
                {(list) => (
                  <ol class="ranked">
                    <For each={list()}>{(c) => <li>{c.explanation[locale()]}</li>}</For>
                  </ol>
                )}
              </Show>
            </li>
          )}
        </For>
      </ul>
      <Show when={result().candidates}>
        {(list) => (
          <ol class="ranked">
            <For each={list()}>{(c) => <li>{c.explanation[locale()]}</li>}</For>
          </ol>
        )}
      </Show>
    </>
  );
}

export function PollCard(props: {
  api: ConsoleApi;
  poll: MeetingPoll;
  voters: RosterVoter[];
  onChanged: () => void;
  /** False for a scrutineer, who watches: forms that change something are not offered. */
  canChange?: boolean;
  /** This poll's own next step, when the meeting has several polls. */
  step?: { label: string; danger: boolean; onClick: () => void } | undefined;
  /** The meeting allows check-in after voting opens: the sheet keeps being read while voting. */
  lateCheckIn?: boolean;
  /** The units above the meeting's (nearest first): who may pre-examine a development object. */
  higherUnits?: readonly string[];
}) {
  const beforeVoting = () => props.poll.phase === 'draft' || props.poll.phase === 'checkin';
  const closed = () => props.poll.phase === 'closed' || props.poll.phase === 'published';
  const record = createLoad(
    () => (beforeVoting() ? props.poll.id : undefined),
    (id) => props.api.record(id),
  );
  const refetch = record.reload;
  const changed = () => {
    void refetch();
    props.onChanged();
  };
  return (
    <article class="panel poll-card" aria-labelledby={`poll-${props.poll.id}`} data-poll={props.poll.id}>
      <header class="poll-head">
        <h3 id={`poll-${props.poll.id}`}>{props.poll.title}</h3>
        <span class={`phase phase-${props.poll.phase}`}>{phaseLabel(props.poll.phase)}</span>
      </header>
      <p class="hint">
        {kindLabel(props.poll.kind)} · {ct('poll.candidatesList', { names: candidatesOf(props.poll) })}
      </p>
      {/* Scrutineers register their key, co-sign the opening and the result, and approve on this page. */}
      <p class="hint">
        <a href={`/cosign?poll=${encodeURIComponent(props.poll.id)}`} data-cosign-link>
          {ct('poll.cosignLink')}
        </a>
      </p>
      <Show when={props.step}>
        {(step) => (
          <button type="button" class={`button button-inline ${step().danger ? 'button-danger' : 'button-primary'}`} onClick={() => step().onClick()}>
            {step().label}
          </button>
        )}
      </Show>
      <Show when={props.poll.phase === 'voting'}>
        <VotingFacts api={props.api} poll={props.poll} canChange={props.canChange ?? true} onChanged={props.onChanged} />
      </Show>
      {/* Near the top while the meeting runs: the chair reads the 未签到名单 from it before the head count. */}
      <Show when={props.poll.phase === 'checkin' || props.poll.phase === 'voting'}>
        <SignInSheetPanel api={props.api} poll={props.poll} lateCheckIn={props.lateCheckIn ?? false} />
      </Show>
      <Show when={props.poll.phase === 'draft'}>
        <RenameDraft api={props.api} poll={props.poll} onChanged={props.onChanged} />
      </Show>
      <Show when={record.error()}>
        <ErrorLine text={record.error()} />
      </Show>
      <Show when={beforeVoting() && record.value()}>
        {(r) => (
          <>
            <ScrutineersForm api={props.api} poll={props.poll} record={r()} onChanged={changed} />
            <Show when={isBranchMeetingKind(props.poll.kind)}>
              <WrittenOpinions api={props.api} poll={props.poll} record={r()} voters={props.voters} onChanged={changed} />
            </Show>
          </>
        )}
      </Show>
      <Show when={closed()}>
        <PollResult api={props.api} poll={props.poll} />
      </Show>
      <Show when={closed() && ADVISORY_KINDS.has(props.poll.kind)}>
        <DecisionsPanel api={props.api} poll={props.poll} canChange={props.canChange ?? true} higherUnits={props.higherUnits ?? []} />
      </Show>
      <Show when={props.poll.phase === 'published'}>
        <ObjectionsPanel api={props.api} pollId={props.poll.id} canAnswer={props.canChange ?? true} />
      </Show>
      {/* After close, the attendance for the minutes (实到名单), below the result. */}
      <Show when={closed()}>
        <SignInSheetPanel api={props.api} poll={props.poll} lateCheckIn={false} />
      </Show>
    </article>
  );
}
