/**
 * /cosign?poll=ID: a scrutineer (监票人, 计票人) co-signs a result. Before close they generate an
 * Ed25519 key in this browser (@noble/curves) and register its public key, which the signed
 * bundle then names; while voting is open they co-sign the opening statement (head count,
 * check-ins, tokens issued) and approve the late check-ins of people they see in the room; after
 * close they compare the digest with the tally sheet and sign it.
 * The secret key is kept in this browser's localStorage only, under the poll and the account.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { createResource, createSignal, For, Match, onMount, Show, Switch } from 'solid-js';
import { bundleDigestHex, cosignBundle } from '../../../shared/crypto/bundle-digest.ts';
import { openingStatementDigestHex } from '../../../shared/crypto/opening-statement.ts';
import { isV2 } from '../../../shared/protocol/bundle.ts';
import { fromBase64, toBase64 } from '../../../shared/encoding.ts';
import { createAction, errorText, ExplainedError } from '../console/action.ts';
import { ApiError, createConsoleApi, type ConsoleApi, type CosignView, type SessionUser } from '../console/api.ts';
import { SignIn, signInWithLimit } from '../console/sign-in.tsx';
import '../console/console.css';
import { ts } from '../cosign/messages.ts';
import { LateCheckIns } from '../cosign/late-checkins.tsx';
import { OpeningStatementCard } from '../cosign/opening-statement.tsx';
import { CandidateKeyRequests } from '../cosign/candidate-keys.tsx';
import { createTicker } from '../console/load.ts';
import { locale } from '../i18n/index.ts';
import { ErrorLine } from '../console/error-line.tsx';

const secretKeyName = (pollId: string, username: string) => `anon-ballot.cosign:${pollId}:${username}`;

function storedSecret(pollId: string, username: string): Uint8Array | undefined {
  try {
    const text = localStorage.getItem(secretKeyName(pollId, username));
    return text ? fromBase64(text) : undefined;
  } catch {
    return undefined;
  }
}

const grouped = (hex: string) => hex.match(/.{1,4}/g)!.join(' ');

/** The digest of the opening statement this browser co-signed, kept to check the result against it. */
const openingSignedName = (pollId: string, username: string) => `anon-ballot.cosign-opening:${pollId}:${username}`;
function storedOpeningDigest(pollId: string, username: string): string | undefined {
  try {
    return localStorage.getItem(openingSignedName(pollId, username)) ?? undefined;
  } catch {
    return undefined;
  }
}

export function CosignPage() {
  const pollId = new URLSearchParams(location.search).get('poll') ?? '';
  const api = createConsoleApi();
  const [user, setUser] = createSignal<SessionUser>();
  const [restoring, setRestoring] = createSignal(true);
  const signIn = createAction();
  onMount(async () => {
    try {
      setUser(await api.restore());
    } catch (error) {
      // No session (401) is the ordinary case; anything else is worth saying.
      if (!(error instanceof ApiError && error.status === 401)) signIn.setError(errorText(error));
    } finally {
      setRestoring(false);
    }
  });
  return (
    <section class="page stack">
      <h1>{ts('cosign.title')}</h1>
      <p>{ts('cosign.lead')}</p>
      <Show when={pollId} fallback={<p class="alert">{ts('cosign.noPoll')}</p>}>
        <Show when={!restoring()}>
          <Show
            when={user()}
            fallback={
              <SignIn
                title={ts('cosign.signIn')}
                heading="h2"
                busy={signIn.busy()}
                error={signIn.error()}
                onSignIn={(u, p) => signIn.run(async () => setUser(await signInWithLimit(api, u.trim(), p)))}
              />
            }
          >
            {(signedIn) => <Cosigning api={api} pollId={pollId} username={signedIn().username} />}
          </Show>
        </Show>
      </Show>
    </section>
  );
}

function Cosigning(props: { api: ConsoleApi; pollId: string; username: string }) {
  const [view, { refetch }] = createResource(() => props.api.cosignView(props.pollId));
  // Follow the poll from check-in to voting (late check-ins to approve) and to close (the digest to sign).
  createTicker(
    () => {
      const phase = view.latest?.poll.phase;
      return phase !== undefined && phase !== 'closed' && phase !== 'published';
    },
    () => void refetch(),
  );
  const action = createAction();
  const busy = action.busy;
  const secret = () => storedSecret(props.pollId, props.username);
  const holdsKey = (publicKey: string | null) => {
    const held = secret();
    return held !== undefined && publicKey !== null && toBase64(ed25519.getPublicKey(held)) === publicKey;
  };

  const act = (work: () => Promise<unknown>) =>
    action.run(async () => {
      await work();
      await refetch();
    });

  const register = () =>
    act(async () => {
      const secretKey = ed25519.utils.randomSecretKey();
      await props.api.registerCosignKey(props.pollId, toBase64(ed25519.getPublicKey(secretKey)));
      localStorage.setItem(secretKeyName(props.pollId, props.username), toBase64(secretKey));
    });
  const sign = (v: CosignView) => act(() => props.api.cosign(props.pollId, cosignBundle(v.bundle!, secret()!)));

  /**
   * Before anything is signed, this page checks the bundle itself: every check of the verifier
   * (the board's code, loaded now), and that it names this scrutineer with this device's key.
   * The digest shown is computed here from that same bundle, never taken from the server.
   */
  const [checked] = createResource(
    () => view()?.bundle ?? undefined,
    async (bundle) => {
      const { verifyInBrowser } = await import('../board/run-verification.ts');
      const report = await verifyInBrowser({ ok: true, input: bundle }, undefined);
      const me = view()?.me;
      const namesMe = bundle.scrutineers.some((s) => s.name === me?.name && s.role === me?.role && s.publicKey === me?.publicKey);
      // The opening statement this browser co-signed must be the bundle's, with that co-signature:
      // a statement changed afterwards, its co-signatures dropped, would otherwise pass unseen.
      const signedOpening = storedOpeningDigest(props.pollId, props.username);
      const openingKept =
        signedOpening === undefined ||
        (isV2(bundle) && openingStatementDigestHex(bundle.opening.statement) === signedOpening && bundle.opening.cosignatures.some((c) => c.publicKey === me?.publicKey));
      const failure = report.firstFailure?.detail ?? (!namesMe ? ts('cosign.notInBundle') : !openingKept ? ts('cosign.openingChanged') : undefined);
      return { ok: report.ok && namesMe && openingKept, digest: bundleDigestHex(bundle), failure };
    },
  );

  return (
    <Show
      when={view()}
      fallback={
        <Show when={view.error}>
          <p class="alert" role="alert">
            {errorText(view.error)}
          </p>
        </Show>
      }
    >
      {(v) => (
        <article class="card stack">
          <h2>{v().poll.title}</h2>
          <p class="hint">{ts(`phase.${v().poll.phase}`)}</p>
          <Show when={v().me} fallback={<p class="alert">{ts('cosign.notNamed')}</p>}>
            {(me) => {
              const closed = () => v().poll.phase === 'closed' || v().poll.phase === 'published';
              const signed = () => (v().bundle?.cosignatures ?? []).some((c) => c.publicKey === me().publicKey);
              return (
                <>
                  <p>
                    <strong>{ts('cosign.as', { name: me().name, role: ts(`role.${me().role}`) })}</strong>
                  </p>
                  <Show when={me().publicKey}>
                    {(key) => (
                      <p>
                        {ts('cosign.registered')} <code class="mono key-text">{key()}</code>
                      </p>
                    )}
                  </Show>
                  <Switch>
                    <Match when={!closed() && !me().publicKey}>
                      <p class="hint">{ts('cosign.registerHint')}</p>
                      <button type="button" class="button button-primary" disabled={busy()} onClick={register}>
                        {busy() ? ts('cosign.registering') : ts('cosign.register')}
                      </button>
                    </Match>
                    <Match when={!closed() && holdsKey(me().publicKey)}>
                      <p role="status">{ts('cosign.keyHere')}</p>
                    </Match>
                    <Match when={!closed()}>
                      <p class="alert">{ts('cosign.keyMissing')}</p>
                      <button type="button" class="button button-secondary" disabled={busy()} onClick={register}>
                        {ts('cosign.keyReplace')}
                      </button>
                    </Match>
                    <Match when={closed() && !me().publicKey}>
                      <p class="alert">{ts('cosign.tooLate')}</p>
                    </Match>
                    <Match when={closed()}>
                      <h3>{ts('cosign.digest')}</h3>
                      <Show when={checked()} fallback={<p class="hint">{ts('cosign.checking')}</p>}>
                        {(c) => <p class="mono digest-text">{grouped(c().digest)}</p>}
                      </Show>
                      <p class="hint">{ts('cosign.digestHint')}</p>
                      <h3>{ts('cosign.results')}</h3>
                      <ul class="plain list-spaced">
                        <For each={v().bundle?.result.questions ?? []}>{(q) => <li>{q.explanation ? q.explanation[locale()] : q.id}</li>}</For>
                      </ul>
                      <Switch>
                        <Match when={signed()}>
                          <p class="notice" role="status">
                            {ts('cosign.signed')}
                          </p>
                        </Match>
                        <Match when={checked() && !checked()!.ok}>
                          <p class="alert" role="alert">
                            {ts('cosign.bundleBad', { detail: checked()!.failure ?? '' })}
                          </p>
                        </Match>
                        <Match when={holdsKey(me().publicKey) && checked()?.ok}>
                          <button type="button" class="button button-primary" disabled={busy()} onClick={() => void sign(v())}>
                            {busy() ? ts('cosign.signing') : ts('cosign.sign')}
                          </button>
                        </Match>
                        <Match when={true}>
                          <p class="alert">{ts('cosign.cannotSign')}</p>
                        </Match>
                      </Switch>
                    </Match>
                  </Switch>
                  <Show when={v().poll.phase === 'checkin' && v().poll.kind === 'three_evaluations'}>
                    <CandidateKeyRequests api={props.api} pollId={props.pollId} />
                  </Show>
                  <Show when={v().poll.phase === 'voting' && v().opening}>
                    {(opening) => (
                      <OpeningStatementCard
                        statement={opening().statement}
                        cosignatures={opening().cosignatures}
                        publicKey={me().publicKey}
                        secretKey={holdsKey(me().publicKey) ? secret() : undefined}
                        busy={busy()}
                        onSign={(signature) =>
                          void act(async () => {
                            await props.api.cosignOpening(props.pollId, signature).catch((error: unknown) => {
                              if (error instanceof ApiError && error.code === 'wrong_phase') throw new ExplainedError(ts('opening.tooLate'));
                              if (error instanceof ApiError && error.code === 'cosignature') throw new ExplainedError(ts('opening.refused'));
                              throw error;
                            });
                            localStorage.setItem(openingSignedName(props.pollId, props.username), openingStatementDigestHex(opening().statement));
                          })
                        }
                      />
                    )}
                  </Show>
                  <Show when={v().poll.phase === 'voting'}>
                    <LateCheckIns api={props.api} pollId={props.pollId} />
                  </Show>
                  <Show when={closed()}>
                    <p class="hint">
                      {(v().bundle?.cosignatures ?? []).length
                        ? ts('cosign.others', { names: (v().bundle?.cosignatures ?? []).map((c) => c.name).join('、') })
                        : ts('cosign.nobody')}
                    </p>
                  </Show>
                </>
              );
            }}
          </Show>
          <ErrorLine text={action.error()} />
        </article>
      )}
    </Show>
  );
}
