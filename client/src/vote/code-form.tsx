/**
 * The first screen: the voting code from the slip. Submitting looks the code up and sends
 * nothing else; the check-in screen (room code, fingerprint) comes next, unless this device
 * already holds a check-in for the code (a kiosk voter back to vote).
 */
import { createEffect, on, Show } from 'solid-js';
import { VotingCodeInput } from '../components/voting-code-input.tsx';
import { t } from '../i18n/index.ts';
import type { VoteSession } from '../stores/vote-session.ts';
import { ErrorAlert, ScreenTitle } from './parts.tsx';

export function CodeForm(props: { session: VoteSession; kiosk: boolean; busy: boolean }) {
  let input!: HTMLInputElement;
  // After a refused code, put the cursor back in the field to correct it.
  createEffect(on(props.session.error, (error) => error && !props.session.retry() && input.focus(), { defer: true }));
  return (
    <form
      class="stack"
      onSubmit={(event) => {
        event.preventDefault();
        if (!props.busy) props.session.submitCode();
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
      <ErrorAlert error={props.session.error()} />
      {/* One button at a time: after a network failure it retries the very same lookup (a link's
          code is not in the field), until the voter edits the code. */}
      <Show
        when={props.session.retry()}
        fallback={
          <button type="submit" class="button button-primary" disabled={props.busy} aria-busy={props.busy}>
            {props.busy ? t('code.busy') : t('code.submit')}
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
