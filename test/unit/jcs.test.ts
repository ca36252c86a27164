import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../shared/encoding.ts';
import { AppError } from '../../shared/errors.ts';
import { canonicalJson } from '../../shared/crypto/jcs.ts';

interface Rfc8785Vectors {
  examples: { name: string; input: string; canonical: string; canonicalUtf8Hex?: string }[];
  numbers: { finite: { ieee754: string; canonical: string }[]; rejected: { ieee754: string; note: string }[] };
}
interface CyberphoneVectors {
  cases: { name: string; input: string; canonical: string }[];
}

const readVectors = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../vectors/rfc8785/${name}`, import.meta.url), 'utf8')) as T;
const rfc = readVectors<Rfc8785Vectors>('rfc8785.json');
const cyberphone = readVectors<CyberphoneVectors>('cyberphone-testdata.json');

function ieee754(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  return undefined;
}

describe('canonicalJson: RFC 8785 vectors', () => {
  it.each(rfc.examples)('reproduces the RFC example: $name', (example) => {
    const canonical = canonicalJson(JSON.parse(example.input));
    expect(canonical).toBe(example.canonical);
    if (example.canonicalUtf8Hex) expect(toHex(utf8(canonical))).toBe(example.canonicalUtf8Hex);
  });

  it.each(rfc.numbers.finite)('writes the binary64 $ieee754 as $canonical (Appendix B)', ({ ieee754: hex, canonical }) => {
    expect(canonicalJson(ieee754(hex))).toBe(canonical);
  });

  it.each(rfc.numbers.rejected)('refuses the binary64 $ieee754 ($note) (Appendix B)', ({ ieee754: hex }) => {
    expect(codeOf(() => canonicalJson(ieee754(hex)))).toBe('not_canonicalizable');
  });

  it.each(cyberphone.cases)('matches the reference implementation test data: $name', (vector) => {
    expect(canonicalJson(JSON.parse(vector.input))).toBe(vector.canonical);
  });
});

describe('canonicalJson: numbers, strings and member order', () => {
  it.each([
    [1e30, '1e+30'],
    [4.5e-7, '4.5e-7'],
    [-0, '0'],
    [4.5, '4.5'],
    [0.002, '0.002'],
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [1e-6, '0.000001'],
    [1e-7, '1e-7'],
    [-1.5, '-1.5'],
    [9007199254740993, '9007199254740992'],
  ])('writes %d as %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it('escapes only what JSON requires, with lowercase hex', () => {
    expect(canonicalJson('\u0000\u001f\b\t\n\f\r"\\/\u007f\u2028é😀')).toBe('"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u2028é😀"');
  });

  it('sorts member names by UTF-16 code units, not by code points', () => {
    // U+FB33 is one code unit 0xFB33; U+1F600 is 0xD83D 0xDE00, which sorts first.
    expect(canonicalJson({ '\ufb33': 1, '\u{1f600}': 2, b: 3, B: 4, '': 5 })).toBe('{"":5,"B":4,"b":3,"\u{1f600}":2,"\ufb33":1}');
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: [] }, 1], a: { y: null, x: true } })).toBe(
      '{"a":{"x":true,"y":null},"b":[3,{"a":[],"z":1},1]}',
    );
  });

  it('accepts objects without a prototype and an own "__proto__" member', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 1;
    bare.a = 2;
    expect(canonicalJson(bare)).toBe('{"a":2,"b":1}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":0}'))).toBe('{"__proto__":{"x":1},"a":0}');
  });
});

describe('canonicalJson agrees with the canonicalize package', () => {
  it('on arbitrary JSON values (ASCII strings)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary JSON values (any code point, so surrogate pairs in names and values)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });

  it('is a fixed point: canonicalizing parsed canonical JSON changes nothing', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        const once = canonicalJson(value);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonicalJson refuses what JSON cannot represent', () => {
  class Ballot {
    choice = 'agree';
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const withSymbol = { a: 1, [Symbol('hidden')]: 2 };
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 3];
  let deep: unknown = 0;
  for (let i = 0; i < 200_000; i++) deep = [deep];

  it.each<[string, unknown]>([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['undefined', undefined],
    ['a function', () => 1],
    ['a bigint', 1n],
    ['a symbol', Symbol('s')],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
    ['surrogates in the wrong order', '\ude00\ud83d'],
    ['a lone surrogate in a member name', { '\ud800': 1 }],
    ['an undefined member', { a: undefined }],
    ['an undefined array element', [undefined]],
    ['a sparse array', sparse],
    ['a NaN deep inside', { a: [{ b: NaN }] }],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new Ballot()],
    ['a Uint8Array', new Uint8Array(2)],
    ['a cycle', cyclic],
    ['a symbol-keyed member', withSymbol],
    ['nesting deeper than the stack', deep],
  ])('%s', (_name, value) => {
    expect(codeOf(() => canonicalJson(value))).toBe('not_canonicalizable');
  });

  it('names the path of the refused value', () => {
    expect(() => canonicalJson({ poll: { questions: [{ id: 'q', weight: NaN }] } })).toThrow(
      '$.poll.questions[0].weight: NaN cannot be canonicalized as JSON',
    );
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson([shared, { shared }])).toBe('[{"x":1},{"shared":{"x":1}}]');
  });
});
