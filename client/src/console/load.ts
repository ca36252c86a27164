/**
 * Data the console reads from the server and reads again (every few seconds for the live
 * panel). Unlike Solid's createResource, a failed reload keeps the last good value and
 * reports the error beside it: a network blip during a meeting must not blank the screen.
 */
import { batch, createEffect, createSignal, on, onCleanup } from 'solid-js';
import { errorText } from './action.ts';

/** How often the console reads again what changes during a meeting (turnout, the sign-in sheet). */
export const REFRESH_MS = 3000;

/** Calls `tick` every REFRESH_MS while `active()` holds (say, while check-in is open), and stops with the component. */
export function createTicker(active: () => boolean, tick: () => void) {
  createEffect(() => {
    if (!active()) return;
    const timer = setInterval(tick, REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });
}

export function createLoad<Source, Value>(source: () => Source | undefined, fetcher: (source: Source) => Promise<Value>) {
  const [value, setValue] = createSignal<Value>();
  const [error, setError] = createSignal<string>();
  // Only the latest request may write: an older answer arriving late is dropped.
  let generation = 0;
  let current: Source | undefined;
  const reload = async () => {
    const mine = ++generation;
    if (current === undefined) {
      setValue(undefined);
      return;
    }
    try {
      const next = await fetcher(current);
      if (mine === generation)
        batch(() => {
          setValue(() => next);
          setError(undefined);
        });
    } catch (caught) {
      if (mine === generation) setError(errorText(caught));
    }
  };
  createEffect(
    on(source, (next) => {
      current = next;
      void reload();
    }),
  );
  return { value, error, reload };
}
