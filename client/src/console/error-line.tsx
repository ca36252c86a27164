/** An error sentence, announced to screen readers; nothing when there is none. */
import { Show } from 'solid-js';

export function ErrorLine(props: { text: string | undefined }) {
  return (
    <Show when={props.text}>
      <p class="alert" role="alert">
        {props.text}
      </p>
    </Show>
  );
}
