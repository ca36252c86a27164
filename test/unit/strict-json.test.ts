import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../../shared/errors.ts';
import { JsonRefusal, parseStrictJson } from '../../shared/strict-json.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The refusal `input` gets, as { code, path, offset }. */
function refusal(input: string | Uint8Array) {
  try {
    parseStrictJson(input);
  } catch (error) {
    expect(error).toBeInstanceOf(JsonRefusal);
    expect(error).toBeInstanceOf(AppError);
    const { code, path, offset } = error as JsonRefusal;
    return { code, path, offset };
  }
  throw new Error(`accepted: ${String(input)}`);
}

describe('strict JSON (I-JSON) accepts what every reader reads alike', () => {
  it('returns what JSON.parse returns, from text and from UTF-8 bytes alike', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value, null, 1);
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
        expect(parseStrictJson(utf8(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('reads an ArrayBuffer, Chinese text, escaped surrogate pairs and escaped quotes', () => {
    expect(parseStrictJson(utf8('{"title":"接收预备党员","e":"\\ud83d\\uddf3","q":"a\\"b\\\\"}').buffer as ArrayBuffer)).toEqual({
      title: '接收预备党员',
      e: '🗳',
      q: 'a"b\\',
    });
  });

  it('allows the same name in sibling objects, and a value equal to a member name', () => {
    expect(parseStrictJson('[{"a":1},{"a":2},{"b":"a","a":"b"}]')).toEqual([{ a: 1 }, { a: 2 }, { b: 'a', a: 'b' }]);
    expect(parseStrictJson('{"x":[{}, "x", {"x":1}],"y":{"x":{"x":0}}}')).toEqual({ x: [{}, 'x', { x: 1 }], y: { x: { x: 0 } } });
  });

  it('reads a large bundle-shaped text again and again, as JSON.parse does, once the scan is optimized', () => {
    // A char-by-char version of the scan hung, intermittently, on the third such call under Node 20:
    // this runs the optimized scan on text the size of a real bundle's ballots, from text and bytes.
    const ballots = Array.from({ length: 20_000 }, (_, i) => ({ token: `${i}`.padStart(470, 'A'), choices: { 'cand-1': 'agree', rec: ['c1'] } }));
    const text = JSON.stringify({ poll: { title: '接收预备党员', note: 'a\\"b' }, ballots }, null, 2);
    const bytes = utf8(text);
    for (let round = 0; round < 5; round++) {
      const lenient = JSON.parse(text) as { ballots: unknown[] };
      const strict = parseStrictJson(round % 2 ? text : bytes) as { ballots: unknown[] };
      expect(strict.ballots).toHaveLength(lenient.ballots.length);
    }
  });

  it('reads nesting deeper than any recursion would allow', () => {
    const depth = 5000;
    expect(() => parseStrictJson('['.repeat(depth) + ']'.repeat(depth))).not.toThrow();
  });
});

describe('strict JSON refuses duplicate member names', () => {
  it('refuses the Mallory title placed before the real one, naming poll.title and the byte offset', () => {
    const text = '{"format":"x","poll":{"title":"Mallory","id":"p","title":"接收预备党员"}}';
    expect(JSON.parse(text).poll.title).toBe('接收预备党员'); // what a last-wins reader shows
    expect(refusal(text)).toEqual({ code: 'duplicate_member', path: 'poll.title', offset: text.lastIndexOf('"title"') });
    expect(() => parseStrictJson(text)).toThrow(/duplicate member poll\.title/);
  });

  it('compares names after unescaping: "a" and "\\u0061" are the same name', () => {
    expect(refusal('{"a":1,"\\u0061":2}')).toMatchObject({ code: 'duplicate_member', path: 'a' });
    expect(refusal('{"\\"q":1,"\\u0022q":2}')).toMatchObject({ code: 'duplicate_member', path: '["\\"q"]' });
  });

  it('finds a duplicate deep in an array of objects, and in an object of many members', () => {
    expect(refusal('{"ballots":[{"token":"t","choices":{}},{"token":"u","choices":{"q":1,"r":2,"q":3}}]}')).toMatchObject({
      code: 'duplicate_member',
      path: 'ballots[1].choices.q',
    });
    const many = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',');
    expect(refusal(`{"counts":{${many},"k3":0}}`)).toMatchObject({ code: 'duplicate_member', path: 'counts.k3' });
  });

  it('refuses any object with a member repeated, wherever the copy is put', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 8 }),
        fc.nat(),
        (object, at) => {
          const entries = Object.entries(object).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
          const name = Object.keys(object)[at % entries.length]!;
          entries.splice(at % (entries.length + 1), 0, `${JSON.stringify(name)}:null`);
          expect(refusal(`{"outer":{${entries.join(',')}}}`)).toMatchObject({ code: 'duplicate_member' });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('strict JSON refuses lone surrogates', () => {
  it.each([
    ['an escaped high surrogate', '{"poll":{"title":"\\ud800"}}', 'poll.title'],
    ['an escaped low surrogate', '{"poll":{"title":"x\\udc00y"}}', 'poll.title'],
    ['a high surrogate before a non-surrogate', '["\\ud83dx"]', '[0]'],
    ['a lone surrogate in a member name', '{"poll":{"\\udfff":1}}', 'poll["\\udfff"]'],
  ])('refuses %s, naming where', (_label, text, path) => {
    expect(refusal(text)).toMatchObject({ code: 'lone_surrogate', path });
  });

  it('refuses a raw lone surrogate in text given as a string', () => {
    expect(refusal('{"x":[1,"ab\ud800c"]}')).toMatchObject({ code: 'lone_surrogate', path: 'x[1]' });
    expect(refusal('{"x":"\udc00"}')).toMatchObject({ code: 'lone_surrogate', path: 'x' });
  });
});

describe('strict JSON refuses bytes that are not UTF-8, never replacing them', () => {
  it.each([
    ['a byte that never starts a character', bytes(0x22, 0xff, 0x22), 1],
    ['an overlong encoding of "/"', bytes(0x22, 0xc0, 0xaf, 0x22), 1],
    ['an encoded surrogate (CESU-8)', bytes(0x22, 0x61, 0xed, 0xa0, 0x80, 0x22), 2],
    ['a code point above U+10FFFF', bytes(0x22, 0xf4, 0x90, 0x80, 0x80, 0x22), 1],
    ['a sequence cut short at the end', bytes(0x22, 0xe4, 0xb8), 1],
    ['a bad byte after Chinese text', new Uint8Array([...utf8('{"t":"王'), 0xfe, 0x22, 0x7d]), 9],
  ])('refuses %s, naming the byte offset', (_label, input, offset) => {
    expect(refusal(input)).toEqual({ code: 'invalid_utf8', path: '', offset });
  });
});

describe('strict JSON refuses what JSON.parse refuses, and a byte order mark', () => {
  it.each([
    ['text that is not JSON', 'this is not { json'],
    ['trailing data', '{"a":1} {"b":2}'],
    ['a trailing comma', '{"a":1,}'],
    ['an empty text', ''],
    ['a single quote string', "{'a':1}"],
  ])('refuses %s as malformed_json', (_label, text) => {
    expect(refusal(text).code).toBe('malformed_json');
  });

  it('refuses a leading byte order mark, in text and in bytes', () => {
    expect(refusal('\ufeff{}')).toMatchObject({ code: 'malformed_json', offset: 0 });
    expect(refusal(bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d))).toMatchObject({ code: 'malformed_json', offset: 0 });
  });
});
