/**
 * The meeting's record of every administrative act: whether the whole hash chain is intact, the
 * entries about this meeting and its polls, and a JSON download to keep with the result.
 */
import { createMemo, For, onCleanup, Show } from 'solid-js';
import { SCHOOL_TIME_ZONE } from '../../../shared/publicity.ts';
import { locale } from '../i18n/index.ts';
import type { ConsoleApi } from './api.ts';
import { ct } from './i18n.ts';
import { createLoad } from './load.ts';
import { ErrorLine } from './error-line.tsx';

export function AuditPanel(props: { api: ConsoleApi; meetingId: string; refreshKey: unknown }) {
  const loaded = createLoad(
    () => [props.meetingId, props.refreshKey] as const,
    ([id]) => props.api.audit(id),
  );
  const download = createMemo(() => {
    const v = loaded.value();
    return v ? URL.createObjectURL(new Blob([JSON.stringify({ meetingId: props.meetingId, ...v }, null, 2)], { type: 'application/json' })) : undefined;
  });
  onCleanup(() => {
    const href = download();
    if (href) URL.revokeObjectURL(href);
  });
  return (
    <section class="panel stack-tight" aria-labelledby="audit-title">
      <h2 id="audit-title">{ct('audit.title')}</h2>
      <p class="hint">{ct('audit.hint')}</p>
      <ErrorLine text={loaded.error()} />
      <Show when={loaded.value()}>
        {(v) => (
          <>
            <p class={v().chain.ok ? 'verdict-ok' : 'alert'} role={v().chain.ok ? undefined : 'alert'} data-chain={v().chain.ok ? 'ok' : 'broken'}>
              {v().chain.ok ? ct('audit.chainOk', { n: v().chain.entries ?? 0 }) : ct('audit.chainBroken', { seq: v().chain.brokenAt ?? '?' })}
            </p>
            <details>
              <summary>{ct('audit.show', { n: v().entries.length })}</summary>
              {/* Scrolls sideways on a narrow screen: focusable, so a keyboard can scroll it too. */}
              <div class="table-wrap" tabindex="0" role="region" aria-label={ct('audit.tableLabel')}>
                <table class="table audit-table">
                  <thead>
                    <tr>
                      <th scope="col">{ct('audit.at')}</th>
                      <th scope="col">{ct('audit.actor')}</th>
                      <th scope="col">{ct('audit.action')}</th>
                      <th scope="col">{ct('audit.details')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={v().entries}>
                      {(e) => (
                        <tr>
                          <td>{new Date(e.at).toLocaleString(locale() === 'en' ? 'en' : 'zh-CN', { timeZone: SCHOOL_TIME_ZONE })}</td>
                          <td>{e.actor}</td>
                          <td class="mono">{e.action}</td>
                          <td class="mono audit-details">{e.details}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </details>
            <Show when={download()}>
              {(href) => (
                <a class="button button-secondary button-inline" href={href()} download={`audit-${props.meetingId}.json`}>
                  {ct('audit.download')}
                </a>
              )}
            </Show>
          </>
        )}
      </Show>
    </section>
  );
}
