/**
 * ==== OBJECTIONS (异议): the lead adds the objection form and the objection counts here. ====
 * Rendered on the board under each published result, inside its card, after the verification.
 * `running` is false once the publicity period has ended (objections then closed).
 * Until then it renders nothing.
 */
import type { PublishedPollItem } from './board-api.ts';

export function ObjectionsSlot(_props: { poll: PublishedPollItem; running: boolean }) {
  return null;
}
