/**
 * A QR code drawn as one SVG path from @paulmillr/qr's module matrix (no innerHTML, so the page's
 * Content-Security-Policy stays strict). Used for voting slips, the projector's check-in link and
 * the tally sheet's bundle hash. `label` names what the code holds, for screen readers.
 */
import { createMemo } from 'solid-js';
import { qrPath } from '../qr.ts';

export function QrCode(props: { text: string; label: string; class?: string }) {
  const qr = createMemo(() => qrPath(props.text));
  return (
    <svg
      class={props.class ?? 'qr'}
      role="img"
      aria-label={props.label}
      viewBox={`0 0 ${qr().size} ${qr().size}`}
      shape-rendering="crispEdges"
    >
      <rect width={qr().size} height={qr().size} fill="#fff" />
      <path d={qr().d} fill="#000" />
    </svg>
  );
}
