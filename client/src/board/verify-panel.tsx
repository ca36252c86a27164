/**
 * "Verify in your browser": runs the shared verifier on the bundle exactly as served (read as
 * strict JSON; JSON that is refused fails the `format` check, explained in a sentence of the
 * page's language), shows each check with pass or fail and the verifier's own sentence, and
 * compares the key that signed the bundle with the one this site publishes
 * (GET /api/public/signer). The verifier's code is fetched only when the button is pressed. In
 * Chinese every line reads in Chinese (check-lines.ts), the verifier's English sentence one click
 * away; in English it is the line.
 */
import { createSignal, createUniqueId, For, Match, Show, Switch } from 'solid-js';
import type { Bundle } from '../../../shared/protocol/bundle.ts';
import type { CheckResult, VerificationReport } from '../../../shared/verify/verify-bundle.ts';
import type { ReadBundle } from '../../../shared/verify/verify-bundle-json.ts';
import { locale } from '../i18n/index.ts';
import { boardApi } from './board-api.ts';
import { checkLineZh } from './check-lines.ts';
import { jsonRefusalText, tb, type BoardKey } from './messages.ts';

type State =
  | { step: 'idle' }
  | { step: 'running' }
  | { step: 'done'; report: VerificationReport; siteKey: string | undefined }
  | { step: 'error'; message: string };

const checkTitle = (id: string) => {
  const key = `check.${id}` as BoardKey;
  const title = tb(key);
  return title === undefined ? id : title;
};

function CheckDetail(props: { check: CheckResult; parsed: Bundle | undefined }) {
  const original = () => `${props.check.code ? `${props.check.code}: ` : ''}${props.check.detail}`;
  return (
    <Show
      when={locale() === 'zh'}
      fallback={
        <span class="check-detail" lang="en">
          {original()}
        </span>
      }
    >
      <span class="check-detail">{checkLineZh(props.check, props.parsed)}</span>
      <details class="check-original">
        <summary>{tb('verify.original')}</summary>
        <span lang="en">{original()}</span>
      </details>
    </Show>
  );
}

/**
 * `bundle`: exactly as served, read as strict JSON or refused (what is verified); `parsed`: the same if well-formed, for the
 * Chinese lines; `pollHeadingId`: the poll's heading, so that each poll's panel has its own name.
 */
export function VerifyPanel(props: { bundle: ReadBundle; parsed?: Bundle; pollHeadingId: string }) {
  const [state, setState] = createSignal<State>({ step: 'idle' });
  const headingId = createUniqueId();
  const bundleSigner = () => {
    if (!props.bundle.ok) return undefined;
    const signer = (props.bundle.input as { signer?: { publicKey?: unknown } } | null)?.signer?.publicKey;
    return typeof signer === 'string' ? signer : undefined;
  };
  const refusal = () => (props.bundle.ok ? undefined : props.bundle.refusal);

  async function verify() {
    setState({ step: 'running' });
    try {
      const [{ verifyInBrowser }, site] = await Promise.all([
        import('./run-verification.ts'),
        boardApi.signer().catch(() => undefined),
      ]);
      const report = await verifyInBrowser(props.bundle, site?.publicKey);
      setState({ step: 'done', report, siteKey: site?.publicKey });
    } catch (error) {
      setState({ step: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }

  return (
    <section class="verify" aria-labelledby={`${headingId} ${props.pollHeadingId}`}>
      <h3 id={headingId}>{tb('verify.heading')}</h3>
      <p class="hint">{tb('verify.hint')}</p>
      <button type="button" class="button button-secondary board-button" onClick={verify} disabled={state().step === 'running'}>
        {tb('verify.button')}
      </button>
      <div role="status" class="verify-status">
        <Switch>
          <Match when={state().step === 'running'}>
            <p>{tb('verify.running')}</p>
          </Match>
          <Match when={state().step === 'error' && (state() as { message: string })}>
            {(error) => <p class="verdict-bad-text">{tb('verify.error', { message: error().message })}</p>}
          </Match>
          <Match when={state().step === 'done' && (state() as Extract<State, { step: 'done' }>)}>
            {(done) => (
              <>
                <p class={done().report.ok ? 'verify-ok' : 'verify-failed'}>
                  {done().report.ok
                    ? tb('verify.ok', { n: done().report.checks.length })
                    : tb('verify.failed', { check: checkTitle(done().report.firstFailure?.id ?? '') })}
                </p>
                <Show when={refusal()}>{(refused) => <p class="verify-failed verify-json">{tb('verify.jsonRefused', { reason: jsonRefusalText(refused()) })}</p>}</Show>
              </>
            )}
          </Match>
        </Switch>
      </div>
      <Show when={state().step === 'done' && (state() as Extract<State, { step: 'done' }>)}>
        {(done) => (
          <>
            <ol class="checks">
              <For each={done().report.checks}>
                {(check) => (
                  <li class={check.ok ? 'check-pass' : 'check-fail'} data-check={check.id}>
                    <span class="check-mark" aria-hidden="true">
                      {check.ok ? '✓' : '✗'}
                    </span>
                    <span class="check-title">{checkTitle(check.id)}</span>
                    <span class="check-outcome">{check.ok ? tb('verify.pass') : tb('verify.fail')}</span>
                    <CheckDetail check={check} parsed={props.parsed} />
                  </li>
                )}
              </For>
            </ol>
            {/* A refused file has no signer to compare: nothing of it was read. */}
            <Show when={!refusal()}>
              <dl class="signer">
                <dt>{tb('verify.signerLabel')}</dt>
                <dd class="mono">{bundleSigner() ?? '—'}</dd>
                <dt>{tb('verify.siteKeyLabel')}</dt>
                <dd class="mono">{done().siteKey ?? '—'}</dd>
              </dl>
              <p class={done().siteKey === undefined ? 'hint' : done().siteKey === bundleSigner() ? 'verify-ok' : 'verify-failed'}>
                {done().siteKey === undefined
                  ? tb('verify.signerUnknown')
                  : done().siteKey === bundleSigner()
                    ? tb('verify.signerSame')
                    : tb('verify.signerDifferent')}
              </p>
              <p class="hint">{tb('verify.signerHint')}</p>
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
