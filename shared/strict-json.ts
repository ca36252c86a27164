/**
 * Strict JSON: the I-JSON profile (RFC 7493) for text that every reader must read alike: a tally
 * bundle, an API request body. JSON.parse keeps the last of two members with the same name, other
 * parsers keep the first and a person reads whichever they see first; so a bundle with
 * `"title":"Mallory"` before the real `"title"` would verify here and say "Mallory" elsewhere.
 * Refused, each with its code and where it is (a path such as `poll.title`, a byte offset):
 *
 *   invalid_utf8      bytes that are not UTF-8 (never replaced by U+FFFD)
 *   malformed_json    anything JSON.parse refuses, and a leading byte order mark
 *   duplicate_member  two members of one object with the same name, compared after unescaping
 *                     (`"a"` and `"\u0061"` are the same name)
 *   lone_surrogate    a string (member names included) holding half a UTF-16 surrogate pair,
 *                     escaped (`"\ud800"`) or not (possible only when the input is already text)
 *
 * How: JSON.parse first (native, and the arbiter of syntax), then one linear scan of the same text
 * that walks its structure only: it jumps between quotes and brackets natively (a regex, indexOf)
 * and unescapes only the strings that hold a backslash, so a 57 MB bundle costs little more than
 * JSON.parse itself (bench/strict-verifier.ts measures it; the ratio is in the commit message).
 */
import { AppError } from './errors.ts';

export type JsonInput = Uint8Array | ArrayBuffer | string;

/** Why a JSON text is refused, and where: `path` (`''` for the whole text) and a byte offset into its UTF-8. */
export class JsonRefusal extends AppError {
  constructor(
    code: 'invalid_utf8' | 'malformed_json' | 'duplicate_member' | 'lone_surrogate',
    message: string,
    readonly path: string,
    readonly offset: number | undefined,
    /** For `duplicate_member`: the repeated name. */
    readonly member?: string,
  ) {
    super(code, message);
    this.name = 'JsonRefusal';
  }
}

// ignoreBOM keeps a byte order mark in the text, so that it is refused below rather than skipped.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of UTF-8 bytes; `invalid_utf8` naming the first bad byte otherwise. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new JsonRefusal('invalid_utf8', `not UTF-8: the bytes at offset ${offset} are not a UTF-8 character`, '', offset);
  }
}

/**
 * Parses strict JSON from bytes (UTF-8) or text. Throws `JsonRefusal` (an AppError) for anything
 * listed in the header; returns what JSON.parse returns otherwise.
 */
export function parseStrictJson(input: JsonInput): unknown {
  const fromBytes = typeof input !== 'string';
  const text = fromBytes ? decodeUtf8Strict(input instanceof Uint8Array ? input : new Uint8Array(input)) : input;
  if (text.charCodeAt(0) === 0xfeff)
    throw new JsonRefusal('malformed_json', 'not JSON: the text starts with a byte order mark (U+FEFF)', '', 0);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JsonRefusal('malformed_json', `not JSON: ${error instanceof Error ? error.message : String(error)}`, '', undefined);
  }
  // Decoded UTF-8 holds no lone surrogate; text handed over as a string may.
  const lone = fromBytes ? null : LONE_SURROGATE.exec(text);
  if (lone) refuseLoneSurrogate(text, lone.index, scanMembers(text, lone.index));
  scanMembers(text);
  return value;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one (matched
// with the char before it: no lookbehind, which older Safari cannot parse).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** One open object or array of the scan; reused by depth so that the scan allocates little. */
interface Frame {
  isObject: boolean;
  /** Member names so far (objects), searched linearly while few, then through `set`. */
  names: string[];
  set: Set<string> | undefined;
  /** The member being read (objects) or the element index (arrays), for paths. */
  key: string;
  index: number;
}

const SET_THRESHOLD = 16;

/**
 * Walks `text` (already valid JSON) and throws at the first duplicate member name or escaped lone
 * surrogate. Valid JSON lets the scan be simple: outside strings only structure, numbers and
 * literals occur, and a string right after `{` or after `,` inside an object is a member name.
 * With `stopAt` (a char index inside a string), returns the path of that string instead.
 *
 * The loop steps from one quote or structural character to the next with a regex (native), not
 * char by char: faster, and a char loop whose index the body moves forward (past each string) was
 * seen to hang intermittently once optimized by Node 20's V8 (11.3) after a few large calls.
 */
function scanMembers(text: string, stopAt = Infinity): string {
  const structure = /["{}[\],]/g;
  const frames: Frame[] = [];
  let depth = 0;
  let expectName = false;
  let nextBackslash = text.indexOf('\\');
  for (let match = structure.exec(text); match !== null; match = structure.exec(text)) {
    const start = match.index;
    const c = text.charCodeAt(start);
    if (c === QUOTE) {
      let end = text.indexOf('"', start + 1);
      if (nextBackslash !== -1 && nextBackslash < start) nextBackslash = text.indexOf('\\', start);
      const escaped = nextBackslash !== -1 && nextBackslash < end;
      if (escaped) end = closingQuote(text, end);
      const value = escaped ? (JSON.parse(text.slice(start, end + 1)) as string) : undefined;
      const name = expectName ? (value ?? text.slice(start + 1, end)) : undefined;
      if (end >= stopAt) return framesPath(frames, depth, name);
      if (value !== undefined && LONE_SURROGATE.test(value)) refuseLoneSurrogate(text, start, framesPath(frames, depth, name));
      if (name !== undefined) {
        const frame = frames[depth - 1]!;
        if (hasName(frame, name)) {
          const path = framesPath(frames, depth, name);
          const offset = byteOffset(text, start);
          throw new JsonRefusal(
            'duplicate_member',
            `duplicate member ${path} (the name ${JSON.stringify(name)} again at byte ${offset}): readers that keep the first and readers that keep the last would see different values`,
            path,
            offset,
            name,
          );
        }
        addName(frame, name);
        frame.key = name;
        expectName = false;
      }
      structure.lastIndex = end + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      let frame = frames[depth];
      if (frame === undefined) frames.push((frame = { isObject: false, names: [], set: undefined, key: '', index: 0 }));
      frame.isObject = c === 0x7b;
      frame.names.length = 0;
      frame.set = undefined;
      frame.key = '';
      frame.index = 0;
      depth++;
      expectName = frame.isObject;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      expectName = false;
    } else {
      // a comma
      const frame = frames[depth - 1]!;
      if (frame.isObject) expectName = true;
      else frame.index++;
    }
  }
  return '';
}

/** The closing quote of a string with escapes: the first quote from `end` preceded by an even number of backslashes. */
function closingQuote(text: string, end: number): number {
  for (;;) {
    let k = end - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((end - 1 - k) % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

function hasName(frame: Frame, name: string): boolean {
  if (frame.set) return frame.set.has(name);
  const names = frame.names;
  for (let k = 0; k < names.length; k++) if (names[k] === name) return true;
  return false;
}

function addName(frame: Frame, name: string): void {
  if (frame.set) frame.set.add(name);
  else if (frame.names.length < SET_THRESHOLD) frame.names.push(name);
  else {
    frame.set = new Set(frame.names);
    frame.set.add(name);
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const nameStep = (name: string) => (IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`);

/**
 * `poll.questions[2].title`: the step into each open container's current member or element; for
 * the innermost, `name` when the string being read is a member name.
 */
function framesPath(frames: Frame[], depth: number, name: string | undefined): string {
  let path = '';
  for (let d = 0; d < depth; d++) {
    const frame = frames[d]!;
    if (d === depth - 1 && name !== undefined) path += nameStep(name);
    else path += frame.isObject ? nameStep(frame.key) : `[${frame.index}]`;
  }
  return path.startsWith('.') ? path.slice(1) : path;
}

function refuseLoneSurrogate(text: string, index: number, path: string): never {
  const offset = byteOffset(text, index);
  throw new JsonRefusal(
    'lone_surrogate',
    `a string at ${path || 'the top level'} holds a lone UTF-16 surrogate (byte ${offset}): it is not Unicode text and has no canonical form`,
    path,
    offset,
  );
}

/** The UTF-8 length of `text` before char `index` (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
function byteOffset(text: string, index: number): number {
  return new TextEncoder().encode(text.slice(0, index)).length;
}

/**
 * The offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629 §4:
 * shortest form only, no surrogates, nothing above U+10FFFF). Run only to report a refusal.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b < 0x80) length = 1;
    else if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0; // no overlong forms
      if (b === 0xed) high = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90; // no overlong forms
      if (b === 0xf4) high = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return i;
}
