import decodeQR from '@paulmillr/qr/decode.js';
import { describe, expect, it } from 'vitest';
import { qrPath } from '../../client/src/qr.ts';

/** Paints the SVG path's squares into an RGBA image, as a printer would, and reads it back. */
function readBack(text: string): string {
  const { d, size } = qrPath(text);
  const scale = 4;
  const width = size * scale;
  const data = new Uint8Array(width * width * 4).fill(255);
  for (const [, x, y] of d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < scale; dx++) {
        const at = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4;
        data[at] = data[at + 1] = data[at + 2] = 0;
      }
  }
  return decodeQR({ width, height: width, data });
}

describe('QR codes on slips and sheets', () => {
  it('draw a code that a reader decodes to the same link', () => {
    const link = 'https://vote.example.edu.cn/vote#code=ABCD-EFGH-JKLM-NPQR&fp=0123456789abcdef.fedcba9876543210';
    expect(readBack(link)).toBe(link);
  });

  it('keep a quiet zone of four modules on every side', () => {
    const { d, size } = qrPath('x');
    const coordinates = [...d.matchAll(/M(\d+) (\d+)/g)].flatMap(([, x, y]) => [Number(x), Number(y)]);
    expect(Math.min(...coordinates)).toBe(4);
    expect(Math.max(...coordinates)).toBe(size - 5);
  });
});
