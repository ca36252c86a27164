/**
 * /vote: the voter's page. Code (from the link or typed) → checked in → waiting → ballot paper
 * → review → cast → receipt. The steps and their state live in stores/vote-session.ts; this
 * file only draws them. Each new screen moves focus to its heading, and a polite live region
 * announces check-in, the opening of the vote and the cast.
 */
import { createEffect, createSignal, For, Match, on, onMount, Show, Switch, type JSX } from 'solid-js';
import { createVoterApi } from '../../../shared/protocol/api-client.ts';
import { BallotQuestions, optionLabel } from '../components/ballot-paper.tsx';
import { Fingerprints } from '../components/fingerprints.tsx';
import { ReceiptCard } from '../components/receipt-card.tsx';
import { t } from '../i18n/index.ts';
import { createVoteSession, type BallotSlot, type VoteSession } from '../stores/vote-session.ts';
import { openVoterStore } from '../stores/voter-store.ts';

/** The screen's title; it takes focus when a new screen replaces the previous one. */
function ScreenTitle(props: { children: JSX.Element; class?: string }) {
  return (
    <h1 tabindex="-1" class={props.class} data-screen-title>
      {props.children}
    </h1>
  );
}

function ErrorAlert(props: { session: VoteSession }) {
  return (
    <Show when={props.session.error()}>
      {(key) => (
        <p class="alert" role="alert">
          {t(key())}
        </p>
      )}
    </Show>
  );
}

function Busy(props: { text: string }) {
  return (
    <div class="busy">
      <span class="spinner" aria-hidden="true" />
      <ScreenTitle class="busy-title">{props.text}</ScreenTitle>
    </div>
  );
}

function CodeForm(props: { session: VoteSession }) {
  const [code, setCode] = createSignal('');
  let input!: HTMLInputElement;
  // After a refused code, put the cursor back in the field to correct it.
  createEffect(on(props.session.error, (error) => error && !props.session.retry() && input.focus(), { defer: true }));
  return (
    <form
      class="stack"
      onSubmit={(event) => {
        event.preventDefault();
        void props.session.checkIn(code(), undefined, 'typed');
      }}
    >
      <ScreenTitle>{t('code.title')}</ScreenTitle>
      <label class="field-label" for="voting-code">
        {t('code.label')}
      </label>
      <input
        id="voting-code"
        ref={input}
        class="code-input mono"
        name="code"
        type="text"
        required
        maxlength={40}
        autocomplete="off"
        autocapitalize="characters"
        spellcheck={false}
        enterkeyhint="go"
        placeholder="XXXX-XXXX-XXXX-XXXX"
        aria-describedby="voting-code-hint"
        value={code()}
        onInput={(event) => setCode(event.currentTarget.value)}
      />
      <p class="hint" id="voting-code-hint">
        {t('code.hint')}
      </p>
      <ErrorAlert session={props.session} />
      <Show when={props.session.retry()}>
        {(again) => (
          <button type="button" class="button button-secondary" onClick={() => again()()}>
            {t('code.retry')}
          </button>
        )}
      </Show>
      <button type="submit" class="button button-primary" disabled={props.session.busy()} aria-busy={props.session.busy()}>
        {props.session.busy() ? t('checkin.busy') : t('code.submit')}
      </button>
    </form>
  );
}

function MeetingTitle(props: { session: VoteSession }) {
  return (
    <Show when={props.session.meeting()}>
      {(meeting) => <p class="eyebrow">{meeting().title}</p>}
    </Show>
  );
}

function Receipts(props: { session: VoteSession }) {
  const list = () => props.session.receiptList();
  return (
    <For each={list()}>{(r) => <ReceiptCard receipt={r.receipt} title={list().length > 1 ? r.title : undefined} />}</For>
  );
}

function Waiting(props: { session: VoteSession }) {
  const waitingPolls = () => props.session.slots().filter((s) => s.poll.phase === 'checkin').map((s) => s.poll);
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <ScreenTitle class="checked-in">
        <span class="check" aria-hidden="true">
          ✓
        </span>{' '}
        {t('checkin.done')}
      </ScreenTitle>
      <Show when={props.session.voterName()}>{(name) => <p>{t('checkin.voter', { name: name() })}</p>}</Show>
      <Show when={props.session.typed()}>
        <Fingerprints fingerprints={props.session.fingerprints()} />
      </Show>
      <section class="card card-wait" aria-labelledby="wait-title">
        <h2 id="wait-title">{t('wait.title')}</h2>
        <p>{t('wait.body')}</p>
      </section>
      <section aria-labelledby="items-title">
        <h2 id="items-title">{t('wait.items')}</h2>
        <For each={waitingPolls()}>
          {(poll) => (
            <div class="poll-items">
              <h3>{poll.title}</h3>
              <ul>
                <For each={poll.questions}>
                  {(question) => (
                    <li>
                      {question.title}
                      <Show when={question.type === 'approval'}>
                        {/* For a recommendation the candidates are the options. */}
                        <span class="hint">
                          {'：'}
                          {question.options.map((option) => optionLabel(question, option)).join('、')}
                        </span>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </div>
          )}
        </For>
      </section>
      <p class="hint">{t('checkin.anonymous')}</p>
      <Show when={props.session.receiptList().length > 0}>
        <Receipts session={props.session} />
      </Show>
    </div>
  );
}

function BallotCount(props: { session: VoteSession }) {
  const total = () => props.session.slots().length + props.session.receiptList().length;
  return (
    <Show when={total() > 1}>
      <p class="hint">{t('ballot.count', { i: props.session.receiptList().length + 1, n: total() })}</p>
    </Show>
  );
}

function Ballot(props: { session: VoteSession; slot: BallotSlot }) {
  // The "still missing" message appears only after a first try to go on, then follows the choices.
  const [tried, setTried] = createSignal(false);
  const missing = () => (tried() ? props.session.unanswered(props.slot).length : 0);
  let form!: HTMLFormElement;
  return (
    <form
      class="stack"
      ref={form}
      onSubmit={(event) => {
        event.preventDefault();
        setTried(true);
        const first = props.session.review(props.slot)[0];
        if (first) form.querySelector<HTMLInputElement>(`[data-question="${first.id}"] input`)?.focus();
      }}
    >
      <MeetingTitle session={props.session} />
      <ScreenTitle>{props.slot.poll.title}</ScreenTitle>
      <BallotCount session={props.session} />
      <Show when={props.slot.poll.questions.some((q) => q.type === 'single')}>
        <p>{t('ballot.instructions')}</p>
      </Show>
      <BallotQuestions session={props.session} slot={props.slot} />
      <Show when={missing() > 0}>
        <p class="alert" role="alert">
          {t('ballot.missing', { n: missing() })}
        </p>
      </Show>
      <button type="submit" class="button button-primary">
        {t('ballot.next')}
      </button>
    </form>
  );
}

function Review(props: { session: VoteSession; slot: BallotSlot }) {
  const answerText = (questionIndex: number) => {
    const question = props.slot.poll.questions[questionIndex]!;
    const value = props.session.answer(props.slot, question);
    const chosen = typeof value === 'string' ? [value] : (value ?? []);
    return chosen.length === 0 ? t('review.none') : chosen.map((option) => optionLabel(question, option)).join('、');
  };
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <ScreenTitle>{t('review.title')}</ScreenTitle>
      <p>{t('review.body')}</p>
      <section class="card">
        <h2>{props.slot.poll.title}</h2>
        <dl class="review-list">
          <For each={props.slot.poll.questions}>
            {(question, index) => (
              <div class="review-row">
                <dt>{question.title}</dt>
                <dd>{answerText(index())}</dd>
              </div>
            )}
          </For>
        </dl>
      </section>
      <ErrorAlert session={props.session} />
      <button
        type="button"
        class="button button-primary"
        disabled={props.session.sending()}
        aria-busy={props.session.sending()}
        onClick={() => void props.session.cast()}
      >
        {props.session.sending() ? t('review.sending') : t('review.cast')}
      </button>
      <button type="button" class="button button-secondary" disabled={props.session.sending()} onClick={props.session.backToBallot}>
        {t('review.back')}
      </button>
    </div>
  );
}

function Done(props: { session: VoteSession }) {
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <div class="done-mark" aria-hidden="true">
        ✓
      </div>
      <ScreenTitle class="done-title">{t('done.title')}</ScreenTitle>
      <p class="lead">{t('done.body')}</p>
      <Receipts session={props.session} />
      <p>{t('done.board')}</p>
      <p class="hint">{t('done.close')}</p>
    </div>
  );
}

function Notice(props: { session: VoteSession; title: string; body: string }) {
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <ScreenTitle>{props.title}</ScreenTitle>
      <p>{props.body}</p>
    </div>
  );
}

export function VotePage() {
  const session = createVoteSession({ api: createVoterApi(''), store: openVoterStore() });
  let root!: HTMLElement;
  onMount(() => session.start());
  // Move focus to the new screen's title, except on the first screen, where focus stays at
  // the top of the document as on any page load.
  createEffect(
    on(session.view, (_view, previous) => {
      if (previous !== undefined) queueMicrotask(() => root.querySelector<HTMLElement>('[data-screen-title]')?.focus());
    }),
  );
  return (
    <section class="page" ref={root} data-view={session.view()}>
      <p class="visually-hidden" role="status" aria-live="polite">
        {session.announcement() ? t(session.announcement()!) : ''}
      </p>
      <Show when={session.connectionLost()}>
        <p class="notice-bar">{t('status.connectionLost')}</p>
      </Show>
      <Switch>
        <Match when={session.view() === 'loading'}>
          <Busy text={t('loading')} />
        </Match>
        <Match when={session.view() === 'checking-in'}>
          <Busy text={t('checkin.busy')} />
        </Match>
        <Match when={session.view() === 'enter-code'}>
          <CodeForm session={session} />
        </Match>
        <Match when={session.view() === 'waiting'}>
          <Waiting session={session} />
        </Match>
        <Match when={session.view() === 'ballot' && session.current()}>
          {(slot) => <Ballot session={session} slot={slot()} />}
        </Match>
        <Match when={session.view() === 'review' && session.current()}>
          {(slot) => <Review session={session} slot={slot()} />}
        </Match>
        <Match when={session.view() === 'done'}>
          <Done session={session} />
        </Match>
        <Match when={session.view() === 'closed'}>
          <Notice session={session} title={t('closed.title')} body={t('closed.body')} />
        </Match>
        <Match when={session.view() === 'no-ballot'}>
          <Notice session={session} title={t('none.title')} body={t('none.body')} />
        </Match>
      </Switch>
    </section>
  );
}
