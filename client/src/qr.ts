/** QR codes as an SVG path, kept free of JSX so tests and pages share it. */
import encodeQR from '@paulmillr/qr';

/** The SVG path of the dark modules, one `h1v1h-1z` square per module (quiet zone of 4 added). */
export function qrPath(text: string): { d: string; size: number } {
  const matrix = encodeQR(text, 'raw', { ecc: 'medium', border: 4 });
  let d = '';
  matrix.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return { d, size: matrix.length };
}
