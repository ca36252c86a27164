/**
 * /vote: the voter's page (protocol v2). Code (from the link, or typed) → check-in with the room
 * code, the key-set fingerprint checked by the link or compared with the projector → waiting,
 * until voting opens for everyone at once → one ballot paper per poll → review → submit the
 * poll → receipts; a candidate of the three evaluations also gets a separate, signed
 * self-evaluation screen. The steps and their state live in stores/vote-session.ts (over
 * stores/voter-machine.ts); the screens are in client/src/vote/. Each new screen moves focus to
 * its heading, and a polite live region announces check-in, a lost check-in, the opening of
 * the vote, the submission and a submitted self-evaluation.
 *
 * On a kiosk (stores/kiosk.ts) each person gets a freshly mounted page: after the checked-in
 * and done screens' countdowns, or a minute without input, the screen is cleared (receipts,
 * language, the tab's voter), the history entry replaced and the whole voter page thrown away
 * and mounted anew. Pending check-ins and uncast tokens stay on the kiosk for their voters.
 */
import { createEffect, createMemo, createSignal, Match, on, onCleanup, onMount, Show, Switch } from 'solid-js';
import { createVoterApi } from '../../../shared/protocol/api-client.ts';
import { parseVotingFragment, type VoterStore } from '../../../shared/protocol/voter-flow.ts';
import { KioskIdleWarning } from '../components/kiosk-bar.tsx';
import { forgetLocale, t } from '../i18n/index.ts';
import { createInactivityCountdown, forgetBetweenVoters, isKiosk, KIOSK_TIMES, kioskPath } from '../stores/kiosk.ts';
import { createVoteSession, type VoteSession } from '../stores/vote-session.ts';
import { openVoterStore } from '../stores/voter-store.ts';
import { BallotScreen, ReviewScreen } from '../vote/ballot.tsx';
import { CheckInScreen, KeysDiffer } from '../vote/check-in.tsx';
import { CodeForm } from '../vote/code-form.tsx';
import { DoneScreen, NoBallotScreen } from '../vote/done.tsx';
import { Busy } from '../vote/parts.tsx';
import { SelfEvaluationScreen } from '../vote/self-evaluation.tsx';
import { LostScreen, WaitingScreen } from '../vote/waiting.tsx';
import '../vote/vote.css';

/** The screen shown: stages that differ only by a request on its way share their screen (and its focus). */
type Screen = 'busy' | 'code' | 'check-in' | 'keys-differ' | 'waiting' | 'lost' | 'ballot' | 'review' | 'done' | 'no-ballot' | 'self-evaluation';

function screenOf(session: VoteSession): Screen {
  if (session.self.open()) return 'self-evaluation';
  switch (session.stage()) {
    case 'loading':
      return 'busy';
    case 'looking-up':
      // A typed code keeps its form on screen while it is looked up, so a mistyped code is there to correct.
      return session.codeText() ? 'code' : 'busy';
    case 'enter-code':
      return 'code';
    case 'check-in':
    case 'checking-in':
      return 'check-in';
    case 'keys-differ':
      return 'keys-differ';
    case 'waiting':
      return 'waiting';
    case 'lost':
      return 'lost';
    case 'voting':
      return 'ballot';
    case 'review':
    case 'casting':
      return 'review';
    case 'done':
      return 'done';
    case 'no-ballot':
      return 'no-ballot';
  }
}

/**
 * The kiosk's clock: the checked-in and done screens' countdowns, and the minute without input
 * after which any other screen is cleared. A code screen nobody has used has nothing to clear;
 * clearing it anyway would only move the focus around, so its countdown simply starts over.
 */
function createKioskClock(screen: () => Screen, session: VoteSession, onNextVoter: () => void) {
  const short = () => screen() === 'done' || screen() === 'waiting';
  const pristine = () => !countdown.touched() && screen() === 'code' && !session.error();
  const countdown = createInactivityCountdown(
    () => (screen() === 'done' ? KIOSK_TIMES.done : screen() === 'waiting' ? KIOSK_TIMES.checkedIn : KIOSK_TIMES.idle),
    () => (pristine() ? countdown.restart() : onNextVoter()),
  );
  createEffect(on(screen, () => countdown.restart(), { defer: true }));
  return {
    left: countdown.left,
    stay: countdown.restart,
    warning: () => !short() && countdown.left() <= KIOSK_TIMES.warning && !pristine(),
  };
}

/** One voter's pass through the page. A kiosk mounts a fresh one for each person. */
function VoterScreens(props: { store: VoterStore; kiosk: boolean; onNextVoter: () => void }) {
  const session = createVoteSession({ api: createVoterApi(''), store: props.store });
  const screen = createMemo(() => screenOf(session));
  const clock = props.kiosk ? createKioskClock(screen, session, props.onNextVoter) : undefined;
  const kioskCountdown = () => clock && { seconds: clock.left(), next: props.onNextVoter };
  let root!: HTMLElement;
  onMount(() => session.start());
  if (props.kiosk) {
    // Leaving a finished voter's page (Back, a reload, another address) clears it at once: a
    // page loaded again later would otherwise show their receipts until its countdown ran out.
    // Any other screen is kept, so that a reload by accident loses nobody's place.
    const onPageHide = () => screen() === 'done' && props.onNextVoter();
    window.addEventListener('pagehide', onPageHide);
    onCleanup(() => window.removeEventListener('pagehide', onPageHide));
  }
  // Move focus to the new screen's title, except on the first screen, where focus stays at the
  // top of the document as on any page load. A kiosk's code screen puts it in the code field
  // instead, ready for the next person's typing.
  createEffect(
    on(screen, (now, previous) => {
      if (props.kiosk && now === 'code' && !session.error()) queueMicrotask(() => root.querySelector<HTMLElement>('#voting-code')?.focus());
      else if (previous !== undefined) queueMicrotask(() => root.querySelector<HTMLElement>('[data-screen-title]')?.focus());
    }),
  );
  return (
    <section class="page" ref={root} data-view={screen()}>
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
        <Match when={screen() === 'busy'}>
          <Busy text={session.stage() === 'loading' ? t('loading') : t('code.busy')} />
        </Match>
        <Match when={screen() === 'code'}>
          <CodeForm session={session} kiosk={props.kiosk} busy={session.stage() === 'looking-up'} />
        </Match>
        <Match when={screen() === 'check-in'}>
          <CheckInScreen session={session} busy={session.stage() === 'checking-in'} />
        </Match>
        <Match when={screen() === 'keys-differ'}>
          <KeysDiffer session={session} />
        </Match>
        <Match when={screen() === 'self-evaluation'}>
          <SelfEvaluationScreen session={session} />
        </Match>
        <Match when={screen() === 'waiting'}>
          <WaitingScreen session={session} kiosk={kioskCountdown()} />
        </Match>
        <Match when={screen() === 'lost'}>
          <LostScreen session={session} />
        </Match>
        <Match when={screen() === 'ballot' && session.current()}>
          {/* Keyed: the next poll's paper is a fresh form. */}
          <Show when={session.current()} keyed>
            {(paper) => <BallotScreen session={session} paper={paper} />}
          </Show>
        </Match>
        <Match when={screen() === 'review' && session.current()}>
          {(paper) => <ReviewScreen session={session} paper={paper()} sending={session.stage() === 'casting'} />}
        </Match>
        <Match when={screen() === 'done'}>
          <DoneScreen session={session} kiosk={kioskCountdown()} />
        </Match>
        <Match when={screen() === 'no-ballot'}>
          <NoBallotScreen session={session} />
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
  const [voter, setVoter] = createSignal(1);

  /**
   * Kiosk: clears what the last person left on screen (receipts, the tab's voter, language, a
   * selection), replaces the history entry so that Back leads to no screen of theirs, and mounts
   * a fresh page. Pending check-ins and uncast tokens stay for their voters. The clipboard is
   * left alone: a kiosk never writes to it.
   */
  function nextVoter() {
    forgetBetweenVoters(store);
    forgetLocale();
    window.getSelection()?.removeAllRanges();
    history.replaceState(null, '', kioskPath());
    setVoter((n) => n + 1);
  }
  // Opening a voting link while this page is shown changes only the fragment, without a page
  // load: start over with the new code, as a load would.
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
      {(_voter) => <VoterScreens store={store} kiosk={kiosk} onNextVoter={nextVoter} />}
    </Show>
  );
}
