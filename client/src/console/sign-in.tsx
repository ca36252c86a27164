/**
 * Signing in with an account (organizer, scrutineer, admin): the console's first screen, and the
 * co-signing page's when nobody is signed in there (`heading="h2"` under that page's own title).
 */
import { createSignal } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { locale } from '../i18n/index.ts';
import { waitWords } from '../i18n/wait.ts';
import { ExplainedError } from './action.ts';
import { ApiError, type ConsoleApi, type SessionUser } from './api.ts';
import { ct } from './i18n.ts';
import { ErrorLine } from './error-line.tsx';

/**
 * Signs in through `api`. Its one limit is said as what it is, in the page's language: for how
 * long even the right password is refused here, and that the owner's usual browser is not (the
 * server counts a browser that signed in to the account before only for itself,
 * server/auth/session.ts), so someone locked out by others' guesses knows what still works.
 */
export async function signInWithLimit(api: Pick<ConsoleApi, 'signIn'>, username: string, password: string): Promise<SessionUser> {
  try {
    return await api.signIn(username, password);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'rate_limited' && error.retryAfterSeconds !== undefined) {
      const wait = waitWords(error.retryAfterSeconds, locale());
      // "15 分钟后" / "in 15 minutes" as a span ("15 分钟" / "15 minutes"): the same rounding as every page's wait.
      const span = locale() === 'zh' ? wait.replace(/后$/, '') : wait.replace(/^in /, '');
      throw new ExplainedError(ct('signIn.tooMany', { span, wait }));
    }
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
