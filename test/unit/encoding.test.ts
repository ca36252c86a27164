import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromBase64, fromBase64Url, toBase64, toBase64Url, bigIntToBytes, bytesToBigInt, compareBytes, equalBytes } from '../../shared/encoding.ts';

describe('strict base64 and base64url', () => {
  it('round-trips any bytes and agrees with Node’s encoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
        expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
  });
  it.each([
    ['whitespace', 'AAEC AwQ='],
    ['missing padding', 'AAECAwQ'],
    ['non-zero trailing bits', 'AAECAwR='],
    ['url alphabet in standard base64', 'AA-_'],
    ['a character outside ASCII', 'AAEC汉QF'],
    ['impossible length', 'AAECA'],
  ])('base64 refuses %s', (_label, text) => {
    expect(() => fromBase64(text)).toThrow(expect.objectContaining({ code: 'bad_encoding' }));
  });
  it.each([
    ['padding', 'AAECAwQ='],
    ['standard alphabet', 'AA+/'],
    ['non-zero trailing bits', 'AAECAwR'],
  ])('base64url refuses %s', (_label, text) => {
    expect(() => fromBase64Url(text)).toThrow(expect.objectContaining({ code: 'bad_encoding' }));
  });
});

describe('integers and comparisons', () => {
  it('I2OSP / OS2IP round-trip and refuse integers that do not fit', () => {
    expect(bigIntToBytes(258n, 3)).toEqual(new Uint8Array([0, 1, 2]));
    expect(bytesToBigInt(new Uint8Array([0, 1, 2]))).toBe(258n);
    expect(() => bigIntToBytes(1n << 24n, 3)).toThrow(expect.objectContaining({ code: 'integer_too_large' }));
  });
  it('compares bytes in order and for equality', () => {
    expect(compareBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBeLessThan(0);
    expect(compareBytes(new Uint8Array([1]), new Uint8Array([1, 0]))).toBeLessThan(0);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
  });
});
