/**
 * How long to wait before trying again, in the page's language: what every page says under a
 * limit's refusal (429 `rate_limited`, whose `retryAfterSeconds` the API client keeps), in the
 * server's own words (shared/wait-words.ts), so the page never has to show the server's English
 * inside a Chinese sentence.
 */
import { waitWords as bothLanguages } from '../../../shared/wait-words.ts';
import { locale, type Locale } from './index.ts';

/** "40 秒后" / "in 40 seconds", "15 分钟后" / "in 15 minutes", "3 小时后" / "in 3 hours". */
export const waitWords = (seconds: number, language: Locale): string => bothLanguages(seconds)[language];

/** The wait in the language the page shows now (re-renders on a switch, like `t()`). */
export const waitText = (seconds: number) => waitWords(seconds, locale());
