/**
 * /console: the organizer's console, loaded lazily so that a voter's phone never downloads it.
 * Sign in (or the session restored after a reload), then the meetings list, or one meeting
 * (`/console?meeting=ID`, kept in the address so a reload stays on it). Chinese by default.
 */
import { createEffect, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { createAction, errorText } from '../console/action.ts';
import { ApiError, createConsoleApi, type SessionUser } from '../console/api.ts';
import { ct } from '../console/i18n.ts';
import { createLoad } from '../console/load.ts';
import { AdminView } from '../console/admin-view.tsx';
import { MeetingView } from '../console/meeting-view.tsx';
import { SignIn, signInWithLimit } from '../console/sign-in.tsx';
import '../console/console.css';
import { ErrorLine } from '../console/error-line.tsx';

const meetingInAddress = () => new URLSearchParams(location.search).get('meeting') ?? undefined;

function MeetingList(props: { api: ReturnType<typeof createConsoleApi>; onOpen: (id: string) => void }) {
  const loaded = createLoad(() => true, () => props.api.meetings());
  const meetings = () => loaded.value() ?? [];
  const [title, setTitle] = createSignal('');
  const create = createAction();
  return (
    <div class="stack">
      <h1 tabindex="-1" data-screen-title>
        {ct('meetings.title')}
      </h1>
      <ErrorLine text={loaded.error()} />
      <section class="panel" aria-labelledby="meetings-list-title">
        <h2 id="meetings-list-title">{ct('meetings.list')}</h2>
        <Show when={meetings().length > 0} fallback={<p>{ct('meetings.none')}</p>}>
          <ul class="plain meeting-list">
            <For each={meetings()}>
              {(meeting) => (
                <li>
                  <a
                    href={`/console?meeting=${encodeURIComponent(meeting.id)}`}
                    onClick={(e) => {
                      e.preventDefault();
                      props.onOpen(meeting.id);
                    }}
                  >
                    {meeting.title}
                  </a>
                  <span class="hint"> · {new Date(meeting.createdAt).toLocaleDateString()}</span>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>
      <form
        class="panel stack"
        aria-labelledby="new-meeting-title"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run(async () => {
            const meeting = await props.api.createMeeting(title());
            setTitle('');
            await loaded.reload();
            props.onOpen(meeting.id);
          });
        }}
      >
        <h2 id="new-meeting-title">{ct('meetings.create')}</h2>
        <label class="field-label" for="meeting-title">
          {ct('meetings.name')}
        </label>
        <input id="meeting-title" class="input" type="text" value={title()} placeholder={ct('meetings.placeholder')} onInput={(e) => setTitle(e.currentTarget.value)} />
        <ErrorLine text={create.error()} />
        <button type="submit" class="button button-primary button-inline" disabled={create.busy()}>
          {ct('meetings.createButton')}
        </button>
      </form>
    </div>
  );
}

export default function ConsolePage() {
  const api = createConsoleApi();
  const [user, setUser] = createSignal<SessionUser>();
  const [restoring, setRestoring] = createSignal(true);
  const [meetingId, setMeetingId] = createSignal(meetingInAddress());
  const signIn = createAction();

  // The console needs the width of a desk screen; the voter's page stays narrow.
  document.documentElement.classList.add('console-page');
  onCleanup(() => document.documentElement.classList.remove('console-page'));
  createEffect(() => {
    document.title = ct('console.title');
  });

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
  const onPopState = () => setMeetingId(meetingInAddress());
  window.addEventListener('popstate', onPopState);
  onCleanup(() => window.removeEventListener('popstate', onPopState));

  const open = (id: string | undefined) => {
    history.pushState(null, '', id ? `/console?meeting=${encodeURIComponent(id)}` : '/console');
    setMeetingId(id);
    window.scrollTo(0, 0);
  };

  return (
    <div class="console">
      <Show when={!restoring()} fallback={<p class="hint">{ct('console.loading')}</p>}>
        <Show
          when={user()}
          fallback={<SignIn title={ct('signIn.title')} busy={signIn.busy()} error={signIn.error()} onSignIn={(u, p) => signIn.run(async () => setUser(await signInWithLimit(api, u, p)))} />}
        >
          {(u) => (
            <>
              <div class="console-bar">
                <span>{ct('console.signedInAs', { name: u().username })}</span>
                <button
                  type="button"
                  class="button button-secondary button-inline"
                  onClick={async () => {
                    await api.signOut().catch(() => undefined);
                    setUser(undefined);
                  }}
                >
                  {ct('console.signOut')}
                </button>
              </div>
              <Show when={u().role === 'scrutineer'}>
                <p class="notice-bar">{ct('console.scrutineer')}</p>
              </Show>
              <Show
                when={meetingId()}
                keyed
                fallback={
                  <>
                    <MeetingList api={api} onOpen={open} />
                    <Show when={u().role === 'admin'}>
                      <AdminView api={api} />
                    </Show>
                  </>
                }
              >
                {(id) => <MeetingView api={api} meetingId={id} onBack={() => open(undefined)} canChange={u().role !== 'scrutineer'} />}
              </Show>
            </>
          )}
        </Show>
      </Show>
    </div>
  );
}
