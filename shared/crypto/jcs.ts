/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON value that the
 * bundle signature covers. Written here rather than imported because it is short and the
 * signature depends on every byte of it.
 *
 *  1. Literals `null`, `true`, `false` as themselves.
 *  2. Strings and numbers exactly as ECMAScript's JSON.stringify writes them (RFC 8785 §3.2.2):
 *     shortest round-trip numbers (`1e+30`, `4.5e-7`, `-0` → `0`), minimal string escapes.
 *  3. Object members sorted by their names compared as arrays of UTF-16 code units (§3.2.3),
 *     arrays in their own order, no whitespace anywhere.
 *
 * What JSON (I-JSON, RFC 7493) cannot say is refused with `not_canonicalizable` instead of being
 * dropped or coerced the way JSON.stringify does: NaN and ±Infinity, `undefined`, functions,
 * symbols, bigints, strings with lone surrogates, sparse arrays, cycles, and objects that are not
 * plain (Date, Map, class instances, anything with its own `toJSON` semantics).
 * The caller encodes the result as UTF-8 (§3.2.4).
 */
import { fail } from '../errors.ts';

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface Writer {
  /** The output so far. V8 keeps the appends as a rope and flattens it once: cheaper than join(). */
  out: string;
  /** Objects and arrays being written, to refuse cycles instead of overflowing the stack. */
  open: Set<object>;
  /** Member names and indexes leading to the current value; only read to name a refusal. */
  trail: (string | number)[];
}

/** The RFC 8785 canonical form of `value`; throws `not_canonicalizable` for what JSON cannot say. */
export function canonicalJson(value: unknown): string {
  const writer: Writer = { out: '', open: new Set(), trail: [] };
  try {
    writeValue(writer, value);
    return writer.out;
  } catch (error) {
    // Nesting deeper than the call stack, or output longer than the longest string, arrives as a
    // RangeError; callers (the verifier) expect the one error code instead.
    if (error instanceof RangeError) fail('not_canonicalizable', `value too large or too deep: ${error.message}`);
    throw error;
  }
}

function refuse(writer: Writer, why: string): never {
  const path = writer.trail.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('');
  fail('not_canonicalizable', `$${path}: ${why} cannot be canonicalized as JSON`);
}

function writeString(writer: Writer, text: string): void {
  if (LONE_SURROGATE.test(text)) refuse(writer, 'a string with a lone surrogate');
  // For well-formed strings JSON.stringify's escaping is exactly RFC 8785 §3.2.2.2.
  writer.out += JSON.stringify(text);
}

function writeValue(writer: Writer, value: unknown): void {
  const { open, trail } = writer;
  switch (typeof value) {
    case 'string':
      return writeString(writer, value);
    case 'number':
      if (!Number.isFinite(value)) refuse(writer, String(value));
      // ECMAScript Number::toString, which JSON.stringify uses, is the number format of §3.2.2.3.
      writer.out += JSON.stringify(value);
      return;
    case 'boolean':
      writer.out += value ? 'true' : 'false';
      return;
    case 'object':
      break;
    default:
      // undefined, function, symbol, bigint
      refuse(writer, typeof value);
  }
  if (value === null) {
    writer.out += 'null';
    return;
  }
  if (open.has(value)) refuse(writer, 'a cyclic structure');
  open.add(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) refuse(writer, 'an array subclass');
    writer.out += '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) writer.out += ',';
      trail.push(i);
      if (!(i in value)) refuse(writer, 'a hole in a sparse array');
      writeValue(writer, value[i]);
      trail.pop();
    }
    writer.out += ']';
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
      refuse(writer, `an instance of ${(value as object).constructor?.name ?? 'a non-plain class'}`);
    if (Object.getOwnPropertySymbols(value).length > 0) refuse(writer, 'a symbol-keyed member');
    const record = value as Record<string, unknown>;
    // The default sort compares strings by UTF-16 code units, which is what §3.2.3 asks for
    // (not by code points, and not by locale).
    const names = Object.keys(record).sort();
    writer.out += '{';
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (i > 0) writer.out += ',';
      trail.push(name);
      writeString(writer, name);
      writer.out += ':';
      writeValue(writer, record[name]);
      trail.pop();
    }
    writer.out += '}';
  }
  open.delete(value);
}
