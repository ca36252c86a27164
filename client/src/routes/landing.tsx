/** /: what this is, and the way to the voter's page. */
import { t } from '../i18n/index.ts';

export function LandingPage() {
  return (
    <section class="page stack">
      <h1>{t('landing.title')}</h1>
      <p class="lead">{t('landing.lead')}</p>
      <a class="button button-primary" href="/vote">
        {t('landing.vote')}
      </a>
      <p class="hint">{t('landing.voteHint')}</p>
      <a class="button button-secondary" href="/board">
        {t('landing.board')}
      </a>
      <a class="button button-secondary" href="/comments">
        {t('landing.comments')}
      </a>
      <p class="hint">
        <a href="/console">{t('landing.console')}</a>
      </p>
    </section>
  );
}

export function NotFoundPage() {
  return (
    <section class="page stack">
      <h1>{t('notFound.title')}</h1>
      <a class="button button-secondary" href="/">
        {t('notFound.home')}
      </a>
    </section>
  );
}
