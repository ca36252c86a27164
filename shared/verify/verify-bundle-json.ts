/**
 * The verifier's entry for a bundle as published: its bytes (or text). The JSON is read strictly
 * (shared/strict-json.ts: UTF-8, no duplicate member, no lone surrogate), so that what is verified
 * is what every other reader of the file sees; then `verifyBundle` runs every check. JSON that is
 * refused is reported like any malformed bundle: one failed `format` line, with the refusal's code
 * (`invalid_utf8`, `malformed_json`, `duplicate_member`, `lone_surrogate`) and where it is.
 * The command line and the board both come here.
 */
import { JsonRefusal, parseStrictJson, type JsonInput } from '../strict-json.ts';
import { verifyBundle, type VerificationReport, type VerifyBundleOptions } from './verify-bundle.ts';

/** The report on JSON that is refused before anything else can be read from it. */
export function jsonRefusalReport(refusal: JsonRefusal): VerificationReport {
  return {
    ok: false,
    checks: [{ id: 'format', ok: false, code: refusal.code, detail: refusal.message }],
    firstFailure: { id: 'format', code: refusal.code, detail: refusal.message },
  };
}

/** A bundle file as read: the parsed value, or why its JSON is refused. */
export type ReadBundle = { ok: true; input: unknown } | { ok: false; refusal: JsonRefusal };

/** Reads `json` strictly; never throws for a bad file. */
export function readBundleJson(json: JsonInput): ReadBundle {
  try {
    return { ok: true, input: parseStrictJson(json) };
  } catch (error) {
    if (error instanceof JsonRefusal) return { ok: false, refusal: error };
    throw error;
  }
}

/** Verifies a bundle as read: every check, or the one failed `format` line of refused JSON. */
export function verifyReadBundle(read: ReadBundle, options: VerifyBundleOptions): Promise<VerificationReport> {
  return read.ok ? verifyBundle(read.input, options) : Promise.resolve(jsonRefusalReport(read.refusal));
}

/** Reads `json` strictly, then verifies it; never throws for a bad bundle. */
export const verifyBundleJson = (json: JsonInput, options: VerifyBundleOptions): Promise<VerificationReport> =>
  verifyReadBundle(readBundleJson(json), options);
