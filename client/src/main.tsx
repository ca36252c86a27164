/**
 * The client's entry: one page per path, chosen once from `location.pathname` (links between
 * pages are ordinary links). The server answers every non-API path with index.html.
 * Later pages (organizer console, projector, public board) join ROUTES; load them with
 * `lazy(() => import(...))` so that a voter's phone never downloads them.
 */
import { createEffect, lazy, Show, type Component } from 'solid-js';
import { render } from 'solid-js/web';
import { LanguageSwitch } from './components/language-switch.tsx';
import { htmlLang, t } from './i18n/index.ts';
import { LandingPage, NotFoundPage } from './routes/landing.tsx';
import { VotePage } from './routes/vote.tsx';
import { isKiosk } from './stores/kiosk.ts';
import './styles.css';

const ROUTES: Record<string, Component> = {
  '/': LandingPage,
  '/vote': VotePage,
  '/console': lazy(() => import('./routes/console.tsx')),
  '/projector': lazy(() => import('./routes/projector.tsx')),
  '/board': lazy(() => import('./routes/board.tsx')),
  '/tally-sheet': lazy(() => import('./routes/tally-sheet.tsx')),
  '/cosign': lazy(() => import('./routes/cosign.tsx').then((m) => ({ default: m.CosignPage }))),
  '/comments': lazy(() => import('./routes/comments.tsx').then((m) => ({ default: m.CommentsPage }))),
};

function App() {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const Page = ROUTES[path] ?? NotFoundPage;
  // Styles for a kiosk's large screen hang on this class.
  document.documentElement.classList.toggle('kiosk', isKiosk());
  createEffect(() => {
    document.documentElement.lang = htmlLang();
    document.title = t('app.name');
  });
  return (
    <>
      <header class="topbar">
        {/* A kiosk offers no way off the voter's page, where its wiping happens. */}
        <Show when={!isKiosk()} fallback={<span class="brand">{t('app.name')}</span>}>
          <a class="brand" href="/">
            {t('app.name')}
          </a>
        </Show>
        <LanguageSwitch />
      </header>
      <main class="main">
        <Page />
      </main>
    </>
  );
}

render(() => <App />, document.getElementById('app')!);
