/**
 * The printable voting slips: one uniform design (the "ballot sample"), eight to an A4 page,
 * each with the meeting, the voter's name and number, the one-time code, the meeting's key
 * fingerprint (to compare with the projector) and a QR code of the voting link (whose fragment
 * carries the same fingerprint). Codes exist only in this answer:
 * the server keeps their hashes, so the organizer prints now or generates again (which revokes).
 */
import { For, Show } from 'solid-js';
import { QrCode } from '../components/qr-code.tsx';
import type { SlipsResponse } from './api.ts';
import { ct } from './i18n.ts';

/** "0123456789abcdef" → "0123 4567 89ab cdef", as the projector groups it. */
const grouped = (hex: string) => hex.match(/.{1,4}/g)?.join(' ') ?? hex;

export function SlipSheet(props: { meetingTitle: string; slips: SlipsResponse; onBack: () => void }) {
  const origin = () => location.origin;
  return (
    <div class="slip-page">
      <div class="no-print stack">
        <h1 tabindex="-1" data-screen-title>
          {ct('slips.title')}
        </h1>
        <p>{ct('slips.count', { count: props.slips.slips.length })}</p>
        <Show when={props.slips.skippedCheckedIn > 0}>
          <p class="notice-bar">{ct('slips.skipped', { count: props.slips.skippedCheckedIn })}</p>
        </Show>
        <p class="notice-bar">{ct('slips.onlyNow')}</p>
        <div class="link-row">
          <button type="button" class="button button-primary button-inline" onClick={() => window.print()}>
            {ct('slips.print')}
          </button>
          <button type="button" class="button button-secondary button-inline" onClick={() => props.onBack()}>
            {ct('slips.back')}
          </button>
        </div>
      </div>
      <ul class="slip-sheet plain" aria-label={ct('slips.sheetLabel')}>
        <For each={props.slips.slips}>
          {(slip) => (
            <li class="slip" data-voter={slip.voterId}>
              <div class="slip-text">
                <p class="slip-meeting">{props.meetingTitle}</p>
                <p class="slip-heading">{ct('slips.heading')}</p>
                <p class="slip-name">{slip.name}</p>
                <p class="slip-number">
                  {ct('roster.number')}：{slip.number}
                </p>
                <p class="slip-code-label">{ct('slips.code')}</p>
                <p class="slip-code mono">{slip.code}</p>
                <p class="slip-fingerprint">
                  {ct('slips.fingerprint')} <span class="mono">{grouped(props.slips.keySetFingerprint)}</span>
                </p>
                <p class="slip-how">
                  {ct('slips.how', { url: `${origin()}/vote` })}
                  {ct('slips.roomCode')}
                </p>
                <p class="slip-secret">{ct('slips.secret')}</p>
              </div>
              <QrCode class="slip-qr" text={slip.link} label={ct('slips.qrLabel', { name: slip.name })} />
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}
