/** 中文 / English, each button labelled in its own language. */
import { locale, setLocale, t } from '../i18n/index.ts';

export function LanguageSwitch() {
  return (
    <div class="lang-switch" role="group" aria-label={t('lang.label')}>
      <button type="button" lang="zh-CN" aria-pressed={locale() === 'zh'} onClick={() => setLocale('zh')}>
        中文
      </button>
      <button type="button" lang="en" aria-pressed={locale() === 'en'} onClick={() => setLocale('en')}>
        English
      </button>
    </div>
  );
}
