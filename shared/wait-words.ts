/**
 * How long to wait before trying again, in words: what a limit's refusal says (the server's
 * `message` and `messageZh`, server/limits.ts) and what every page says from the refusal's
 * `retryAfterSeconds`. One module, so the page and the server never word a wait differently,
 * and the one place that knows how a refusal's message is put together and taken apart.
 */
export function waitWords(seconds: number): { en: string; zh: string } {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return { en: `in ${s} second${s === 1 ? '' : 's'}`, zh: `${s} 秒后` };
  const minutes = Math.ceil(s / 60);
  // Up to two hours in minutes: "in 90 minutes" says more than "in 2 hours".
  if (minutes <= 120) return { en: `in ${minutes} minute${minutes === 1 ? '' : 's'}`, zh: `${minutes} 分钟后` };
  const hours = Math.ceil(minutes / 60);
  return { en: `in ${hours} hours`, zh: `${hours} 小时后` };
}

/** A limit's refusal in both languages: the reason, then when to try again. */
export function refusalMessages(reason: { en: string; zh: string }, seconds: number): { en: string; zh: string } {
  const when = waitWords(seconds);
  return { en: `${reason.en}; try again ${when.en}`, zh: `${reason.zh}，请在 ${when.zh}再试。` };
}

/** The reason alone from a refusal's message in either language (a page that retries by itself does not say when). */
export function refusalReason(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  return message.replace(/，请在 [^，]*再试。$/, '').replace(/; try again in [^;]*$/, '').trim() || undefined;
}
