/**
 * A modal `<dialog>` that says in plain words what an irreversible or far-reaching step will
 * do before it is done (open check-in, open voting, close, publish, reprint slips). The page
 * keeps one request at a time; the dialog shows while there is one. Escape or "cancel" drops it.
 */
import { createEffect, createUniqueId, For, Show } from 'solid-js';
import { ct } from './i18n.ts';
import type { Action } from './action.ts';
import { ErrorLine } from './error-line.tsx';

export interface ConfirmRequest {
  title: string;
  /** Paragraphs: what will happen, in the order it happens. */
  lines: string[];
  confirmLabel: string;
  /** Red button: the step cannot be undone. */
  danger?: boolean;
  run: () => Promise<unknown>;
}

export function ConfirmDialog(props: { request: ConfirmRequest | undefined; action: Action; onDone: () => void }) {
  let dialog!: HTMLDialogElement;
  const titleId = createUniqueId();
  createEffect(() => {
    if (props.request && !dialog.open) dialog.showModal();
    if (!props.request && dialog.open) dialog.close();
  });
  return (
    <dialog ref={dialog} class="confirm-dialog" aria-labelledby={titleId} onClose={() => props.request && !props.action.busy() && props.onDone()}>
      <Show when={props.request}>
        {(request) => (
          <form
            method="dialog"
            class="stack"
            onSubmit={async (event) => {
              event.preventDefault();
              if (await props.action.run(request().run)) props.onDone();
            }}
          >
            <h2 id={titleId}>{request().title}</h2>
            <For each={request().lines}>{(line) => <p>{line}</p>}</For>
            <ErrorLine text={props.action.error()} />
            <div class="dialog-buttons">
              <button type="button" class="button button-secondary" onClick={() => props.onDone()} disabled={props.action.busy()}>
                {ct('dialog.cancel')}
              </button>
              <button type="submit" class={`button ${request().danger ? 'button-danger' : 'button-primary'}`} disabled={props.action.busy()}>
                {request().confirmLabel}
              </button>
            </div>
          </form>
        )}
      </Show>
    </dialog>
  );
}
