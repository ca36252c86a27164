/**
 * Signing in with an account (organizer, scrutineer, admin): the console's first screen, and the
 * co-signing page's when nobody is signed in there (`heading="h2"` under that page's own title).
 */
import { createSignal } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { ct } from './i18n.ts';
import { ErrorLine } from './error-line.tsx';

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
