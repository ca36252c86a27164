/**
 * A bound on the shape of every JSON body, checked on its bytes in one pass before anything
 * parses it. Every body this API takes is shallow (a cast is four levels deep) and holds at most a
 * few tens of thousands of values, but JSON.parse and the strict reader spend about a second of
 * CPU on 2.5 MiB of `[[[[…` or of `{},{},…`: with the cast route open to anyone and sized for the
 * largest poll, a handful of such bodies a second would stall every meeting on the server.
 */
import { AppError } from '../shared/errors.ts';

/** Deeper than any body of this API (the deepest, a poll's settings, is five levels). */
export const MAX_JSON_DEPTH = 16;
/** More values than any body of this API: the largest, a 5,000-voter roster, has about 40,000. */
export const MAX_JSON_VALUES = 100_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;

/**
 * Throws `invalid_body` as soon as the bytes nest deeper than `maxDepth` or hold more than
 * `maxValues` array elements and object members (counted by their separators); says nothing of
 * whether the text is JSON (the strict reader does that next).
 */
export function checkJsonShape(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH, maxValues = MAX_JSON_VALUES): void {
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > maxDepth) throw new AppError('invalid_body', `the JSON nests deeper than ${maxDepth} levels, which no request of this API does`);
      values++;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
    else if (byte === COMMA) values++;
    if (values > maxValues) throw new AppError('invalid_body', `the JSON holds more than ${maxValues} values, which no request of this API does`);
  }
}
