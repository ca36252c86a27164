/**
 * A candidate's self-evaluation in the three evaluations: signed, not anonymous, on its own
 * screen and in its own request (stores/self-evaluation.ts), apart from the anonymous ballots.
 */
import { createSignal, For, Show } from 'solid-js';
import { ScoreCard } from '../components/ballot-paper.tsx';
import { VotingCodeInput } from '../components/voting-code-input.tsx';
import { t } from '../i18n/index.ts';
import type { VoteSession } from '../stores/vote-session.ts';
import { firstControl } from './ballot.tsx';
import { ErrorAlert, MeetingTitle, ScreenTitle } from './parts.tsx';

/** Candidates only: the way to the signed self-evaluation. */
export function SelfEvaluationOffer(props: { session: VoteSession }) {
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
export function SelfEvaluationScreen(props: { session: VoteSession }) {
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
        const field = first ? firstControl(form, first.question.id) : form.querySelector<HTMLInputElement>('#self-code');
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
      <ErrorAlert error={self.error()} />
      <button type="submit" class="button button-primary" disabled={self.sending()} aria-busy={self.sending()}>
        {self.sending() ? t('self.sending') : t('self.submit')}
      </button>
      <button type="button" class="button button-secondary" disabled={self.sending()} onClick={self.hide}>
        {t('self.back')}
      </button>
    </form>
  );
}
