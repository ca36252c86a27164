/**
 * The interface language: Chinese by default, English on request. The choice is kept in
 * localStorage (under a key outside the voter store's prefix, so wiping the voter's tokens
 * keeps it; a kiosk forgets it for the next voter with forgetLocale()). `t()` reads the current
 * language, so any JSX that calls it re-renders on a switch.
 */
import { createSignal } from 'solid-js';
import { en } from './en.ts';
import { zh, type MessageKey } from './zh.ts';

export type { MessageKey };
export type Locale = 'zh' | 'en';

const TABLES: Record<Locale, Record<MessageKey, string>> = { zh, en };
const HTML_LANG: Record<Locale, string> = { zh: 'zh-CN', en: 'en' };
const LOCALE_KEY = 'anon-ballot.locale';

function storedLocale(): Locale {
  try {
    return localStorage.getItem(LOCALE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

const [locale, setLocaleSignal] = createSignal<Locale>(storedLocale());
export { locale };

export const htmlLang = () => HTML_LANG[locale()];

export function setLocale(next: Locale) {
  setLocaleSignal(next);
  try {
    localStorage.setItem(LOCALE_KEY, next);
  } catch {
    // Storage refused (private mode): the switch still holds for this page.
  }
}

/** Back to Chinese, forgetting the stored choice: on a kiosk, each voter starts in the default language. */
export function forgetLocale() {
  setLocaleSignal('zh');
  try {
    localStorage.removeItem(LOCALE_KEY);
  } catch {
    // Nothing was stored.
  }
}

/** The message `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = TABLES[locale()][key];
  return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole)) : text;
}

/**
 * A `t()` for a page's own messages. Pages loaded lazily (console, projector, board) keep their
 * strings in their own module, so a voter's phone never downloads them; the language is shared.
 */
export function createTranslator<Key extends string>(tables: Record<Locale, Record<Key, string>>) {
  return (key: Key, params?: Record<string, string | number>): string => {
    const text = tables[locale()][key];
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole)) : text;
  };
}
