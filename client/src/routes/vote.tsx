/**
 * /vote: the voter's page. Code (from the link, or typed and its key fingerprints compared with
 * the projector) → checked in → waiting → ballot paper → review → cast → receipt; a candidate
 * of the three evaluations also gets a separate, signed self-evaluation screen. The steps and
 * their state live in stores/vote-session.ts; this file only draws them. Each new screen moves
 * focus to its heading, and a polite live region announces check-in, the opening of the vote,
 * the cast and a submitted self-evaluation.
 *
 * On a kiosk (stores/kiosk.ts) each voter gets a freshly mounted page: after the done screen's
 * countdown, or a minute without input, the storage is wiped, the history entry replaced and
 * the whole voter page (every signal, every DOM node) thrown away and mounted anew.
 */
import { createEffect, createSignal, For, Match, on, onCleanup, onMount, Show, Switch, type JSX } from 'solid-js';
import { createVoterApi } from '../../../shared/protocol/api-client.ts';
import type { Question } from '../../../shared/protocol/poll.ts';
import { heldTokenFingerprint, parseVotingFragment, type VoterStore } from '../../../shared/protocol/voter-flow.ts';
import { BallotQuestions, optionLabel, ScoreCard } from '../components/ballot-paper.tsx';
import { Fingerprints, KeyLine, keyLabel } from '../components/fingerprints.tsx';
import { KioskDoneNotice, KioskIdleWarning } from '../components/kiosk-bar.tsx';
import { ReceiptCard } from '../components/receipt-card.tsx';
import { VotingCodeInput } from '../components/voting-code-input.tsx';
import { forgetLocale, t, type MessageKey } from '../i18n/index.ts';
import { createInactivityCountdown, isKiosk, KIOSK_TIMES, kioskPath } from '../stores/kiosk.ts';
import { filledCount, type ScoreQuestion } from '../stores/scores.ts';
import { createVoteSession, forgetAllVoters, type BallotSlot, type VoteSession } from '../stores/vote-session.ts';
import { openVoterStore, revocableStore } from '../stores/voter-store.ts';

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

function CodeForm(props: { session: VoteSession; kiosk: boolean }) {
  let input!: HTMLInputElement;
  // After a refused code, put the cursor back in the field to correct it.
  createEffect(on(props.session.error, (error) => error && !props.session.retry() && input.focus(), { defer: true }));
  return (
    <form
      class="stack"
      onSubmit={(event) => {
        event.preventDefault();
        void props.session.checkIn(props.session.codeText(), undefined, 'typed');
      }}
    >
      <ScreenTitle>{t('code.title')}</ScreenTitle>
      <Show when={props.kiosk}>
        <p class="kiosk-note" id="kiosk-note">
          {t('kiosk.codeNote')}
        </p>
      </Show>
      <label class="field-label" for="voting-code">
        {t('code.label')}
      </label>
      <VotingCodeInput
        id="voting-code"
        ref={(element) => (input = element)}
        name="code"
        enterkeyhint="go"
        describedBy={props.kiosk ? 'voting-code-hint kiosk-note' : 'voting-code-hint'}
        value={props.session.codeText()}
        onInput={(value) => props.session.editCode(value)}
      />
      <p class="hint" id="voting-code-hint">
        {t('code.hint')}
      </p>
      <ErrorAlert session={props.session} />
      {/* One button at a time: after a network failure it retries the very same check-in (a link's
          code is not in the field), until the voter edits the code. */}
      <Show
        when={props.session.retry()}
        fallback={
          <button type="submit" class="button button-primary" disabled={props.session.busy()} aria-busy={props.session.busy()}>
            {props.session.busy() ? t('checkin.busy') : t('code.submit')}
          </button>
        }
      >
        {(again) => (
          <button type="button" class="button button-primary" onClick={() => again()()}>
            {t('code.retry')}
          </button>
        )}
      </Show>
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

/**
 * A typed code (or a link without fingerprints): the served keys' fingerprints, compared with
 * the projector before anything is blinded or sent to /api/checkin.
 */
function ConfirmKeys(props: { session: VoteSession }) {
  const pending = () => props.session.confirming()!;
  const items = () =>
    pending().keys.keys.map((key) => ({
      label: keyLabel(key.pollTitle, key.group, pending().keys.meeting.polls.find((p) => p.id === key.pollId)?.groups.length ?? 1),
      fingerprint: key.fingerprint,
    }));
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <ScreenTitle>{t('confirm.title')}</ScreenTitle>
      <p>{t('confirm.voter', { name: pending().keys.voterName })}</p>
      <p>{t('confirm.body')}</p>
      <Fingerprints items={items()} />
      <Show
        when={props.session.keysDiffer()}
        fallback={
          <>
            <button type="button" class="button button-primary" onClick={props.session.confirmKeys}>
              {t('confirm.match')}
            </button>
            <button type="button" class="button button-secondary" onClick={props.session.rejectKeys}>
              {t('confirm.differ')}
            </button>
          </>
        }
      >
        <div class="alert alert-stack" role="alert">
          {/* The buttons just pressed are gone: the focus goes to what replaced them. */}
          <h2 tabindex="-1" ref={(heading) => queueMicrotask(() => heading.focus())}>
            {t('confirm.differTitle')}
          </h2>
          <p>{t('confirm.differBody')}</p>
        </div>
        <button type="button" class="button button-secondary" onClick={props.session.leaveConfirm}>
          {t('confirm.back')}
        </button>
      </Show>
    </div>
  );
}

/** Candidates only: the way to the signed self-evaluation, kept apart from the anonymous ballot. */
function SelfEvaluationOffer(props: { session: VoteSession }) {
  const self = props.session.self;
  return (
    <Show when={self.items().length > 0}>
      <section class="card card-signed" aria-labelledby="self-offer-title">
        <h2 id="self-offer-title">{t('self.title')}</h2>
        <Show when={self.isSubmitted()} fallback={<p>{t('self.offer')}</p>}>
          <p class="self-done">
            <span aria-hidden="true">✓ </span>
            {t('self.done')}
          </p>
        </Show>
        <button type="button" class="button button-secondary" onClick={self.show}>
          {self.isSubmitted() ? t('self.change') : t('self.open')}
        </button>
      </section>
    </Show>
  );
}

/**
 * The self-evaluation: not anonymous, and it says so before anything else. Sent with the code
 * the page holds in memory, or, after a reload, the code typed again here.
 */
function SelfEvaluationScreen(props: { session: VoteSession }) {
  const self = props.session.self;
  const [code, setCode] = createSignal('');
  let form!: HTMLFormElement;
  return (
    <form
      class="stack"
      ref={form}
      onSubmit={async (event) => {
        event.preventDefault();
        if (await self.submit(code())) return self.hide();
        const first = self.incomplete()[0];
        const field = first ? emptyField(form, first.question.id) : form.querySelector<HTMLInputElement>('#self-code');
        field?.focus();
      }}
    >
      <MeetingTitle session={props.session} />
      <ScreenTitle>{t('self.title')}</ScreenTitle>
      <p class="signed-note">{t('self.signed', { name: self.voterName() })}</p>
      <For each={self.items()}>
        {(item) => (
          <ScoreCard
            question={item.question}
            scores={self.scoresOf(item)}
            onScore={(criterion, value) => self.setScore(item, criterion, value)}
            flag={self.tried()}
          />
        )}
      </For>
      <Show when={self.needsCode()}>
        <label class="field-label" for="self-code">
          {t('code.label')}
        </label>
        <VotingCodeInput id="self-code" describedBy="self-code-hint" value={code()} onInput={setCode} />
        <p class="hint" id="self-code-hint">
          {t('self.codeHint')}
        </p>
      </Show>
      <Show when={self.error()}>
        {(key) => (
          <p class="alert" role="alert">
            {t(key())}
          </p>
        )}
      </Show>
      <button type="submit" class="button button-primary" disabled={self.sending()} aria-busy={self.sending()}>
        {self.sending() ? t('self.sending') : t('self.submit')}
      </button>
      <button type="button" class="button button-secondary" disabled={self.sending()} onClick={self.hide}>
        {t('self.back')}
      </button>
    </form>
  );
}

/** The first control of a question still to be answered: an empty score field, else its first input. */
function emptyField(form: HTMLFormElement, questionId: string) {
  const inputs = [...form.querySelectorAll<HTMLInputElement>(`[data-question="${questionId}"] input:not([type="range"])`)];
  return inputs.find((input) => input.type === 'number' && input.value === '') ?? inputs[0];
}

const GROUP_BALLOTS: Record<string, MessageKey> = {
  representatives: 'ballot.asRepresentatives',
  members: 'ballot.asMembers',
};

/**
 * Above a ballot paper: which group the voter scores as (someone in both groups has two
 * papers of the same evaluation), and the fingerprint of the key of this paper's token.
 */
function PaperHeading(props: { slot: BallotSlot }) {
  const group = () => (props.slot.poll.kind === 'three_evaluations' ? GROUP_BALLOTS[props.slot.held.group] : undefined);
  return (
    <>
      <Show when={group()}>{(key) => <p class="group-badge">{t(key())}</p>}</Show>
      <KeyLine fingerprint={heldTokenFingerprint(props.slot.held)} />
    </>
  );
}

function Receipts(props: { session: VoteSession; kiosk: boolean }) {
  const list = () => props.session.receiptList();
  return (
    <For each={list()}>
      {(r) => <ReceiptCard receipt={r.receipt} title={list().length > 1 ? r.title : undefined} copyable={!props.kiosk} />}
    </For>
  );
}

function Waiting(props: { session: VoteSession; kiosk: boolean }) {
  // One entry per poll, with the groups the voter will score as (someone in two groups has two papers).
  const waitingPolls = () => {
    const waiting = props.session.slots().filter((s) => s.poll.phase === 'checkin');
    return [...new Set(waiting.map((s) => s.poll))].map((poll) => ({
      poll,
      groups: waiting.filter((s) => s.poll === poll && poll.kind === 'three_evaluations').flatMap((s) => GROUP_BALLOTS[s.held.group] ?? []),
    }));
  };
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
        <Fingerprints
          items={props.session.fingerprints().map((key) => ({
            label: keyLabel(key.poll.title, key.group, key.poll.groups.length),
            fingerprint: key.fingerprint,
          }))}
          note={t('fingerprint.compare')}
        />
      </Show>
      <section class="card card-wait" aria-labelledby="wait-title">
        <h2 id="wait-title">{t('wait.title')}</h2>
        <p>{t('wait.body')}</p>
        <Show when={props.kiosk}>
          <p class="kiosk-note">{t('kiosk.waitNote')}</p>
        </Show>
      </section>
      <SelfEvaluationOffer session={props.session} />
      <section aria-labelledby="items-title">
        <h2 id="items-title">{t('wait.items')}</h2>
        <For each={waitingPolls()}>
          {({ poll, groups }) => (
            <div class="poll-items">
              <h3>{poll.title}</h3>
              <Show when={groups.length > 0}>
                <p class="hint">{groups.map((key) => t(key)).join(' · ')}</p>
              </Show>
              <ul>
                <For each={poll.questions}>
                  {(question) => (
                    <li>
                      {question.title}
                      <Show when={question.type === 'approval'}>
                        {/* For a recommendation the candidates are the options. */}
                        <span class="hint">
                          {'：'}
                          {(question.type === 'approval' ? question.options : []).map((option) => optionLabel(question, option)).join('、')}
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
        <Receipts session={props.session} kiosk={props.kiosk} />
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
  const scored = () => props.slot.questions.find((q): q is ScoreQuestion => q.type === 'score');
  let form!: HTMLFormElement;
  return (
    <form
      class="stack"
      ref={form}
      onSubmit={(event) => {
        event.preventDefault();
        setTried(true);
        const first = props.session.review(props.slot)[0];
        if (first) emptyField(form, first.id)?.focus();
      }}
    >
      <MeetingTitle session={props.session} />
      <ScreenTitle>{props.slot.poll.title}</ScreenTitle>
      <PaperHeading slot={props.slot} />
      <BallotCount session={props.session} />
      <Show when={props.slot.poll.questions.some((q) => q.type === 'single')}>
        <p>{t('ballot.instructions')}</p>
      </Show>
      <Show when={scored()}>
        {(q) => <p>{t('score.instructions', { min: q().min, max: q().max })}</p>}
      </Show>
      <Show when={props.slot.questions.length < props.slot.poll.questions.length}>
        <p class="own-note">{t('score.ownLeftOut')}</p>
      </Show>
      <BallotQuestions session={props.session} slot={props.slot} tried={tried()} />
      <Show when={missing() > 0}>
        <p class="alert" role="alert">
          {t(scored() ? 'ballot.missingScores' : 'ballot.missing', { n: missing() })}
        </p>
      </Show>
      <button type="submit" class="button button-primary">
        {t('ballot.next')}
      </button>
    </form>
  );
}

function Review(props: { session: VoteSession; slot: BallotSlot }) {
  const answerText = (question: Question) => {
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
        <PaperHeading slot={props.slot} />
        <dl class="review-list">
          <For each={props.slot.questions}>
            {(question) => (
              <Show
                when={question.type === 'score' && question}
                fallback={
                  <div class="review-row">
                    <dt>{question.title}</dt>
                    <dd>{answerText(question)}</dd>
                  </div>
                }
              >
                {(score) => {
                  const given = () => props.session.scores(props.slot, score());
                  return (
                    <div class="review-row review-row-scores">
                      <dt>{score().title}</dt>
                      <dd>
                        <Show when={filledCount(score(), given()) > 0} fallback={t('review.notScored')}>
                          <ul class="plain score-review">
                            <For each={score().criteria}>
                              {(criterion) => (
                                <li>
                                  <span>{optionLabel(score(), criterion)}</span> <strong>{given()[criterion]}</strong>
                                </li>
                              )}
                            </For>
                          </ul>
                          <Show when={props.session.comment(props.slot, score()).trim()}>
                            {(text) => <p class="review-comment">{t('review.comment', { text: text() })}</p>}
                          </Show>
                        </Show>
                      </dd>
                    </div>
                  );
                }}
              </Show>
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

/** `kiosk`: the seconds left before the screen clears, and the way to clear it now. */
function Done(props: { session: VoteSession; kiosk: { seconds: number; next: () => void } | undefined }) {
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <div class="done-mark" aria-hidden="true">
        ✓
      </div>
      <ScreenTitle class="done-title">{t('done.title')}</ScreenTitle>
      <p class="lead">{t('done.body')}</p>
      <Show when={props.kiosk}>{(kiosk) => <KioskDoneNotice seconds={kiosk().seconds} />}</Show>
      <Receipts session={props.session} kiosk={props.kiosk !== undefined} />
      <SelfEvaluationOffer session={props.session} />
      <Show when={props.kiosk} fallback={<p class="hint">{t('done.close')}</p>}>
        {(kiosk) => (
          <button type="button" class="button button-primary" onClick={() => kiosk().next()}>
            {t('kiosk.next')}
          </button>
        )}
      </Show>
      <p>{t('done.board')}</p>
    </div>
  );
}

function Notice(props: { session: VoteSession; title: string; body: string }) {
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <ScreenTitle>{props.title}</ScreenTitle>
      <p>{props.body}</p>
      <SelfEvaluationOffer session={props.session} />
    </div>
  );
}

/**
 * The kiosk's clock: the done screen's countdown, and the minute without input after which any
 * other screen is cleared. A code screen nobody has used has nothing to clear; clearing it
 * anyway would only move the focus around, so its countdown simply starts over.
 */
function createKioskClock(session: VoteSession, onNextVoter: () => void) {
  const pristine = () => !countdown.touched() && session.view() === 'enter-code' && !session.error();
  const countdown = createInactivityCountdown(
    () => (session.view() === 'done' ? KIOSK_TIMES.done : KIOSK_TIMES.idle),
    () => (pristine() ? countdown.restart() : onNextVoter()),
  );
  createEffect(on(session.view, () => countdown.restart(), { defer: true }));
  return {
    left: countdown.left,
    stay: countdown.restart,
    warning: () => session.view() !== 'done' && countdown.left() <= KIOSK_TIMES.warning && !pristine(),
  };
}

/** One voter's pass through the page. A kiosk mounts a fresh one for each voter. */
function VoterScreens(props: { store: VoterStore; kiosk: boolean; onNextVoter: () => void }) {
  const session = createVoteSession({ api: createVoterApi(''), store: props.store });
  const clock = props.kiosk ? createKioskClock(session, props.onNextVoter) : undefined;
  let root!: HTMLElement;
  onMount(() => session.start());
  if (props.kiosk) {
    // Leaving a finished voter's page (Back, a reload, another address) wipes it at once: a page
    // loaded again later would otherwise show their receipt until its countdown ran out. Any
    // other screen is kept, so that a reload by accident loses no one's check-in.
    const onPageHide = () => session.view() === 'done' && props.onNextVoter();
    window.addEventListener('pagehide', onPageHide);
    onCleanup(() => window.removeEventListener('pagehide', onPageHide));
  }
  // Move focus to the new screen's title, except on the first screen, where focus stays at
  // the top of the document as on any page load. A kiosk's code screen puts it in the code
  // field instead, ready for the next voter's typing.
  createEffect(
    on(session.view, (view, previous) => {
      if (props.kiosk && view === 'enter-code' && !session.error())
        queueMicrotask(() => root.querySelector<HTMLElement>('#voting-code')?.focus());
      else if (previous !== undefined) queueMicrotask(() => root.querySelector<HTMLElement>('[data-screen-title]')?.focus());
    }),
  );
  return (
    <section class="page" ref={root} data-view={session.view()}>
      <p class="visually-hidden" role="status" aria-live="polite">
        {session.announcement() ? t(session.announcement()!) : ''}
      </p>
      {/* Always present, so that the message is announced when it appears in it. */}
      <div role="status">
        <Show when={session.connectionLost()}>
          <p class="notice-bar">{t('status.connectionLost')}</p>
        </Show>
      </div>
      <Switch>
        <Match when={session.view() === 'loading'}>
          <Busy text={t('loading')} />
        </Match>
        <Match when={session.view() === 'checking-in'}>
          <Busy text={t('checkin.busy')} />
        </Match>
        <Match when={session.view() === 'enter-code'}>
          <CodeForm session={session} kiosk={props.kiosk} />
        </Match>
        <Match when={session.view() === 'confirm-keys'}>
          <ConfirmKeys session={session} />
        </Match>
        <Match when={session.view() === 'self-evaluation'}>
          <SelfEvaluationScreen session={session} />
        </Match>
        <Match when={session.view() === 'waiting'}>
          <Waiting session={session} kiosk={props.kiosk} />
        </Match>
        <Match when={session.view() === 'ballot' && session.current()}>
          {(slot) => <Ballot session={session} slot={slot()} />}
        </Match>
        <Match when={session.view() === 'review' && session.current()}>
          {(slot) => <Review session={session} slot={slot()} />}
        </Match>
        <Match when={session.view() === 'done'}>
          <Done session={session} kiosk={clock && { seconds: clock.left(), next: props.onNextVoter }} />
        </Match>
        <Match when={session.view() === 'closed'}>
          <Notice session={session} title={t('closed.title')} body={t('closed.body')} />
        </Match>
        <Match when={session.view() === 'no-ballot'}>
          <Notice session={session} title={t('none.title')} body={t('none.body')} />
        </Match>
      </Switch>
      <Show when={clock?.warning()}>
        <KioskIdleWarning seconds={clock!.left()} onStay={clock!.stay} />
      </Show>
    </section>
  );
}

export function VotePage() {
  const kiosk = isKiosk();
  const store = openVoterStore();
  // Kiosk: each voter writes through their own revocable view of the store.
  let voterStore = kiosk ? revocableStore(store) : undefined;
  const [voter, setVoter] = createSignal(1);

  /**
   * Kiosk: wipes what the last voter left (tokens, receipts, session, language, a selected
   * receipt), replaces the history entry so that Back leads to no screen of theirs, and mounts a
   * fresh page. The clipboard is left alone: a kiosk never writes to it.
   */
  function nextVoter() {
    voterStore?.revoke();
    voterStore = revocableStore(store);
    forgetAllVoters(store);
    forgetLocale();
    window.getSelection()?.removeAllRanges();
    history.replaceState(null, '', kioskPath());
    setVoter((n) => n + 1);
  }
  // Opening a voting link while this page is shown changes only the fragment, without a page
  // load: start over with the new code, as a load would. Nothing is wiped here, even on a
  // kiosk: the link may be the same voter's again after a failed check-in, whose retry needs
  // the stored blinding state; the wipe comes with this voter's done screen or idle minute.
  const onHashChange = () => {
    if (parseVotingFragment(location.hash).code) setVoter((n) => n + 1);
  };
  // A kiosk page brought back by Back from the back-forward cache may still show the last voter.
  const onPageShow = (event: PageTransitionEvent) => kiosk && event.persisted && nextVoter();
  window.addEventListener('hashchange', onHashChange);
  window.addEventListener('pageshow', onPageShow);
  onCleanup(() => {
    window.removeEventListener('hashchange', onHashChange);
    window.removeEventListener('pageshow', onPageShow);
  });

  // Keyed on the voter's number: a new number disposes the old page and mounts a new one.
  return (
    <Show when={voter()} keyed>
      {(_voter) => <VoterScreens store={voterStore?.store ?? store} kiosk={kiosk} onNextVoter={nextVoter} />}
    </Show>
  );
}
