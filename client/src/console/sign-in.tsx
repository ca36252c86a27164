/**
 * Signing in with an account (organizer, scrutineer, admin): the console's first screen, and the
 * co-signing page's when nobody is signed in there (`heading="h2"` under that page's own title).
 */
import { createSignal } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { waitText } from '../i18n/wait.ts';
import { ExplainedError } from './action.ts';
import { ApiError, type ConsoleApi, type SessionUser } from './api.ts';
import { ct } from './i18n.ts';
import { ErrorLine } from './error-line.tsx';

/**
 * Signs in through `api`. Its one limit is said as what it is (too many failed sign-ins) with
 * when to try again, in the page's language: the console's general sentence would not say why.
 */
export async function signInWithLimit(api: Pick<ConsoleApi, 'signIn'>, username: string, password: string): Promise<SessionUser> {
  try {
    return await api.signIn(username, password);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'rate_limited' && error.retryAfterSeconds !== undefined)
      throw new ExplainedError(ct('signIn.tooMany', { wait: waitText(error.retryAfterSeconds) }));
    throw error;
  }
}

export function SignIn(props: {
  title: string;
  heading?: 'h1' | 'h2';
  onSignIn: (username: string, password: string) => Promise<unknown>;
  error: string | undefined;
  busy: boolean;
}) {
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  return (
    <form
      class="panel stack sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSignIn(username(), password());
      }}
    >
      <Dynamic component={props.heading ?? 'h1'} tabindex="-1" data-screen-title>
        {props.title}
      </Dynamic>
      <p class="hint">{ct('signIn.help')}</p>
      <label class="field-label" for="username">
        {ct('signIn.username')}
      </label>
      <input id="username" class="input" type="text" autocomplete="username" value={username()} onInput={(e) => setUsername(e.currentTarget.value)} />
      <label class="field-label" for="password">
        {ct('signIn.password')}
      </label>
      <input id="password" class="input" type="password" autocomplete="current-password" value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
      <ErrorLine text={props.error} />
      <button type="submit" class="button button-primary" disabled={props.busy}>
        {ct('signIn.button')}
      </button>
    </form>
  );
}
