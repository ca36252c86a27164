/**
 * After check-in: waiting for voting to open (the page follows the ballot box by itself) or, for
 * a late check-in, for a scrutineer's approval, with the confirmation code the scrutineer
 * compares; and the screen that says plainly when this device's check-in was replaced from
 * another device or struck, with the way to check in again here.
 */
import { For, Show } from 'solid-js';
import { KeyLine } from '../components/fingerprints.tsx';
import { KioskCheckedInNotice } from '../components/kiosk-bar.tsx';
import { optionLabel } from '../components/ballot-paper.tsx';
import { t } from '../i18n/index.ts';
import { groupHex } from '../format.ts';
import { groupLateCheckInCode } from '../../../shared/protocol/late-checkin-code.ts';
import type { VoteSession } from '../stores/vote-session.ts';
import { ErrorAlert, MeetingTitle, ScreenTitle } from './parts.tsx';
import { Receipts } from './done.tsx';
import { SelfEvaluationOffer } from './self-evaluation.tsx';

/** `kiosk`: on a kiosk, the seconds before the next person's turn and the way to it now. */
export function WaitingScreen(props: { session: VoteSession; kiosk: { seconds: number; next: () => void } | undefined }) {
  const own = (pollId: string, questionId: string) => props.session.ownCandidacies().some((c) => c.pollId === pollId && c.questionId === questionId);
  const waitingPolls = () => (props.session.meeting()?.polls ?? []).filter((poll) => props.session.waitingNow().includes(poll.id));
  const late = () => props.session.waitingNow().some((pollId) => props.session.late().includes(pollId));
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <ScreenTitle class="checked-in">
        <span class="check" aria-hidden="true">
          ✓
        </span>{' '}
        {t('wait.title')}
      </ScreenTitle>
      <Show when={props.session.voterName()}>{(name) => <p>{t('wait.voter', { name: name() })}</p>}</Show>
      <Show when={late()}>
        <p class="notice">{t('wait.late')}</p>
        <Show when={props.session.lateCode()}>
          {(code) => (
            <section class="card card-info" aria-labelledby="wait-late-code">
              <h2 id="wait-late-code">{t('wait.lateCodeTitle')}</h2>
              <p class="mono fingerprint" data-late-code={code()}>
                {groupLateCheckInCode(code())}
              </p>
              <p>{t('wait.lateCode')}</p>
            </section>
          )}
        </Show>
      </Show>
      <section class="card card-wait" aria-labelledby="wait-next">
        <h2 id="wait-next">{t('wait.nextTitle')}</h2>
        <ol class="steps">
          <li>{t('wait.step1')}</li>
          <li>{t(props.kiosk ? 'wait.kioskStep2' : 'wait.step2')}</li>
          <li>
            <strong>{t(props.kiosk ? 'wait.kioskStep3' : 'wait.step3')}</strong>
          </li>
        </ol>
      </section>
      {/* After what to do next, so that it is read before the screen clears. */}
      <Show when={props.kiosk}>
        {(kiosk) => (
          <>
            <KioskCheckedInNotice seconds={kiosk().seconds} />
            <button type="button" class="button button-primary" onClick={() => kiosk().next()}>
              {t('kiosk.next')}
            </button>
          </>
        )}
      </Show>
      <ErrorAlert error={props.session.error()} />
      <For each={props.session.candidateKeys()}>
        {(key) => (
          <section class="card card-info" aria-label={t('wait.candidateKeyTitle')}>
            <h2>{t('wait.candidateKeyTitle')}</h2>
            <p>{t('wait.candidateKey', { poll: key.pollTitle })}</p>
            <p class="mono fingerprint" data-candidate-key>
              {groupHex(key.fingerprint)}
            </p>
            <Show when={key.awaitingApproval}>
              <p class="alert" role="alert" data-candidate-key-waiting>
                {t('wait.candidateKeyWaiting')}
              </p>
            </Show>
          </section>
        )}
      </For>
      <SelfEvaluationOffer session={props.session} />
      <section aria-labelledby="items-title">
        <h2 id="items-title">{t('wait.items')}</h2>
        <For each={waitingPolls()}>
          {(poll) => (
            <div class="poll-items">
              <h3>{poll.title}</h3>
              <ul>
                <For each={poll.questions.filter((q) => !own(poll.id, q.id))}>
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
      <Show when={props.session.fingerprint()}>{(fingerprint) => <KeyLine fingerprint={fingerprint()} />}</Show>
      <p class="hint">{t('checkin.anonymous')}</p>
      <Receipts session={props.session} copyable={!props.kiosk} />
    </div>
  );
}

export function LostScreen(props: { session: VoteSession }) {
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      {/* Struck at the opening (the scrutineers counted the voter as not in the room), or replaced by another device. */}
      <Show
        when={props.session.lost().every((pollId) => props.session.struck().includes(pollId))}
        fallback={
          <div class="alert alert-stack" role="alert">
            <ScreenTitle>{t('lost.title')}</ScreenTitle>
            <p>{t('lost.body')}</p>
          </div>
        }
      >
        <div class="alert alert-stack" role="alert" data-lost="struck">
          <ScreenTitle>{t('lost.struckTitle')}</ScreenTitle>
          <p>{t('lost.struckBody')}</p>
        </div>
      </Show>
      <Show when={props.session.canCheckInAgain()} fallback={<p>{t('lost.closedHint')}</p>}>
        <p>{t('lost.hint')}</p>
      </Show>
      <Show when={props.session.lost().some((pollId) => props.session.late().includes(pollId))}>
        <p class="notice">{t('lost.lateHint')}</p>
      </Show>
      <ErrorAlert error={props.session.error()} />
      <Show when={props.session.canCheckInAgain()}>
        <button type="button" class="button button-primary" onClick={() => props.session.checkInAgain()}>
          {t('lost.again')}
        </button>
      </Show>
      <SelfEvaluationOffer session={props.session} />
    </div>
  );
}
