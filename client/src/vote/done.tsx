/**
 * The end of the voter's pass: the receipts, poll by poll, each signed by the ballot box and
 * verified on this device; where to check them; and that the page never stored the choices.
 * Also the "no ballot" notice for a code with nothing to do now.
 */
import { For, Show } from 'solid-js';
import { KioskDoneNotice } from '../components/kiosk-bar.tsx';
import { ReceiptCard } from '../components/receipt-card.tsx';
import { t, type MessageKey } from '../i18n/index.ts';
import type { VoteSession } from '../stores/vote-session.ts';
import { MeetingTitle, ScreenTitle } from './parts.tsx';
import { SelfEvaluationOffer } from './self-evaluation.tsx';

const GROUP_LABELS: Record<string, MessageKey> = {
  representatives: 'groupLabel.representatives',
  members: 'groupLabel.members',
};

export function Receipts(props: { session: VoteSession; copyable: boolean }) {
  // A rater in two groups has two receipts per candidate: each says which group it is for.
  const groups = () =>
    props.session.receiptGroups().map((group) => ({
      ...group,
      items: group.items.map((item) => {
        const twice = group.items.filter((other) => other.questionId === item.questionId).length > 1;
        const label = GROUP_LABELS[item.group];
        return twice ? { ...item, title: `${item.title} · ${label ? t(label) : item.group}` } : item;
      }),
    }));
  const allVerified = () => groups().every((group) => group.items.every((item) => item.verified));
  return (
    <Show when={groups().length > 0}>
      <For each={groups()}>{(group) => <ReceiptCard pollTitle={group.poll.title} items={group.items} copyable={props.copyable} />}</For>
      <Show when={allVerified()} fallback={<p class="alert">{t('done.unsignedNote')}</p>}>
        <p class="hint">{t('done.signedNote')}</p>
      </Show>
    </Show>
  );
}

/** `kiosk`: the seconds left before the screen clears, and the way to clear it now. */
export function DoneScreen(props: { session: VoteSession; kiosk: { seconds: number; next: () => void } | undefined }) {
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <div class="done-mark" aria-hidden="true">
        ✓
      </div>
      <ScreenTitle class="done-title">{t('done.title')}</ScreenTitle>
      <p class="lead">{t('done.body')}</p>
      <Show when={props.kiosk}>{(kiosk) => <KioskDoneNotice seconds={kiosk().seconds} />}</Show>
      <Receipts session={props.session} copyable={props.kiosk === undefined} />
      <section class="card card-info" aria-labelledby="where-title">
        <h2 id="where-title">{t('done.whereTitle')}</h2>
        <p>{t('done.where')}</p>
        {/* A kiosk offers no way off the voter's page, where its wiping happens. */}
        <Show when={!props.kiosk}>
          <a class="button button-secondary" href="/board">
            {t('done.boardLink')}
          </a>
        </Show>
      </section>
      <p>{t(props.kiosk ? 'done.notStoredKiosk' : 'done.notStored')}</p>
      <SelfEvaluationOffer session={props.session} />
      <Show when={props.kiosk} fallback={<p class="hint">{t('done.close')}</p>}>
        {(kiosk) => (
          <button type="button" class="button button-primary" onClick={() => kiosk().next()}>
            {t('kiosk.next')}
          </button>
        )}
      </Show>
    </div>
  );
}

/** Nothing to check in for or vote on with this code now; or its ballots went to another device. */
export function NoBallotScreen(props: { session: VoteSession }) {
  const elsewhere = () => props.session.issuedElsewhere().length > 0;
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <ScreenTitle>{t(elsewhere() ? 'none.issuedTitle' : 'none.title')}</ScreenTitle>
      <p>{t(elsewhere() ? 'error.already_issued' : 'none.body')}</p>
      <Receipts session={props.session} copyable={false} />
      <SelfEvaluationOffer session={props.session} />
      <button type="button" class="button button-secondary" onClick={() => props.session.back()}>
        {t('none.otherCode')}
      </button>
    </div>
  );
}
