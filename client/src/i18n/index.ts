/**
 * The interface language: Chinese by default, English on request. The choice is kept in
 * localStorage (under a key outside the voter store's prefix, so wiping the voter's tokens
 * keeps it; a kiosk forgets it for the next voter with forgetLocale()). `t()` reads the current
 * language, so any JSX that calls it re-renders on a switch.
 */
import { createSignal } from 'solid-js';
import { zh, type MessageKey } from './zh.ts';

export type { MessageKey };
export type Locale = 'zh' | 'en';

/**
 * The shared English messages are a chunk of their own, fetched when English is chosen (or was
 * chosen before): most voters read Chinese, and the voter page stays small for them. Until it
 * arrives the page stays in Chinese, and only then switches (`lang` included).
 */
const [english, setEnglish] = createSignal<Record<MessageKey, string>>();
let englishLoading: Promise<void> | undefined;
const loadEnglish = () =>
  (englishLoading ??= import('./en.ts').then(
    (module) => void setEnglish(() => module.en),
    () => {
      englishLoading = undefined; // offline: try again on the next click
    },
  ));
const HTML_LANG: Record<Locale, string> = { zh: 'zh-CN', en: 'en' };
const LOCALE_KEY = 'anon-ballot.locale';

function storedLocale(): Locale {
  try {
    return localStorage.getItem(LOCALE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

const [locale, setLocaleSignal] = createSignal<Locale>('zh');
export { locale };
/** The language asked for last; `locale` follows it once its messages are here. */
let wanted: Locale = storedLocale();
function follow() {
  if (wanted === 'en' && !english()) void loadEnglish().then(() => wanted === 'en' && english() && setLocaleSignal('en'));
  else setLocaleSignal(wanted);
}
follow();

export const htmlLang = () => HTML_LANG[locale()];

export function setLocale(next: Locale) {
  wanted = next;
  follow();
  try {
    localStorage.setItem(LOCALE_KEY, next);
  } catch {
    // Storage refused (private mode): the switch still holds for this page.
  }
}

/** Back to Chinese, forgetting the stored choice: on a kiosk, each voter starts in the default language. */
export function forgetLocale() {
  wanted = 'zh';
  setLocaleSignal('zh');
  try {
    localStorage.removeItem(LOCALE_KEY);
  } catch {
    // Nothing was stored.
  }
}

/** The message `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = (locale() === 'en' ? english() : undefined)?.[key] ?? zh[key];
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
