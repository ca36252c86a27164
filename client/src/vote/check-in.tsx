/**
 * Check-in (protocol v2): the voter's name for the code, the meeting's key-set fingerprint and
 * the room code, both from the projector, on one screen, so the voter looks up once. A link's
 * fingerprint was checked by the page; a typed code's is compared by the voter, and the button
 * that sends the check-in says so ("they match — check in"). Nothing is blinded or sent before.
 */
import { createEffect, createUniqueId, on, Show } from 'solid-js';
import { Fingerprint } from '../components/fingerprints.tsx';
import { t } from '../i18n/index.ts';
import type { VoteSession } from '../stores/vote-session.ts';
import { ErrorAlert, MeetingTitle, ScreenTitle } from './parts.tsx';

export function CheckInScreen(props: { session: VoteSession; busy: boolean }) {
  const errorId = createUniqueId();
  /** Checked by the page (the link's fingerprint, or the one checked before): the voter has nothing to compare. */
  const byLink = () => props.session.fingerprintFrom() !== 'voter';
  const roomCodeError = () => {
    const error = props.session.error()?.key;
    return error === 'error.room_code' || error === 'error.room_code_format' || error === 'error.room_code_locked';
  };
  let field!: HTMLInputElement;
  // A refused room code: the cursor back in the field, the digits selected to type over.
  createEffect(
    on(props.session.error, () => {
      if (roomCodeError()) {
        field.focus();
        field.select();
      }
    }, { defer: true }),
  );
  return (
    <form
      class="stack"
      onSubmit={(event) => {
        event.preventDefault();
        if (!props.busy) void props.session.sendCheckIn();
      }}
    >
      <MeetingTitle session={props.session} />
      <ScreenTitle>{t('checkin.title')}</ScreenTitle>
      <p>{t('checkin.voter', { name: props.session.voterName() })}</p>
      <Show when={props.session.otherDevice()}>
        <p class="warning-note">{t('checkin.otherDevice')}</p>
      </Show>
      <section class="card card-info" aria-labelledby="key-step">
        <h2 id="key-step">{t('checkin.keyStep')}</h2>
        <Fingerprint fingerprint={props.session.fingerprint()} id="key-fingerprint" />
        <Show when={byLink()} fallback={<p>{t('checkin.keyCompare')}</p>}>
          <p class="checked-note">
            <span aria-hidden="true">✓ </span>
            {t(props.session.fingerprintFrom() === 'link' ? 'checkin.keyChecked' : 'checkin.keyCheckedBefore')}
          </p>
        </Show>
      </section>
      <section class="card" aria-labelledby="room-step">
        <h2 id="room-step">{t('checkin.roomStep')}</h2>
        <label class="field-label" for="room-code">
          {t('checkin.roomLabel')}
        </label>
        <input
          id="room-code"
          ref={field}
          class="code-input room-code-input mono"
          name="room-code"
          type="text"
          inputmode="numeric"
          pattern="[0-9０-９ ]*"
          maxlength={12}
          autocomplete="off"
          spellcheck={false}
          enterkeyhint="go"
          placeholder="000000"
          required
          aria-invalid={roomCodeError()}
          aria-describedby={roomCodeError() ? `room-code-hint ${errorId}` : 'room-code-hint'}
          value={props.session.roomCodeText()}
          onInput={(event) => props.session.setRoomCodeText(event.currentTarget.value)}
        />
        <p class="hint" id="room-code-hint">
          {t('checkin.roomHint')}
        </p>
      </section>
      <ErrorAlert error={props.session.error()} id={errorId} />
      <button type="submit" class="button button-primary" disabled={props.busy} aria-busy={props.busy}>
        {props.busy ? t('checkin.busy') : byLink() ? t('checkin.submitLink') : t('checkin.submitTyped')}
      </button>
      <Show when={!byLink()}>
        <button type="button" class="button button-secondary" disabled={props.busy} onClick={() => props.session.keysDiffer()}>
          {t('checkin.differ')}
        </button>
      </Show>
      <button type="button" class="button button-secondary" disabled={props.busy} onClick={() => props.session.back()}>
        {t('checkin.back')}
      </button>
    </form>
  );
}

/** "The fingerprints differ": nothing was sent; what to do. */
export function KeysDiffer(props: { session: VoteSession }) {
  return (
    <div class="stack">
      <MeetingTitle session={props.session} />
      <div class="alert alert-stack" role="alert">
        <ScreenTitle>{t('differ.title')}</ScreenTitle>
        <p>{t('differ.body')}</p>
      </div>
      <button type="button" class="button button-secondary" onClick={() => props.session.back()}>
        {t('differ.back')}
      </button>
    </div>
  );
}
