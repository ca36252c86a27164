/**
 * The one place where errors become HTTP responses: `{ "error": { "code", "message" } }`; a
 * limit's refusal (429) adds `messageZh` and `retryAfterSeconds`, and the `Retry-After` header.
 * Codes thrown by the core map to statuses here; anything unexpected is a 500 with a generic
 * message and is logged without request details (no address, no body, no token).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../shared/errors.ts';
import { RateLimited } from './limits.ts';

const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  invalid_body: 400,
  malformed_json: 400,
  invalid_utf8: 400,
  duplicate_member: 400,
  lone_surrogate: 400,
  not_canonicalizable: 400,
  invalid_choices: 400,
  candidate_number: 400,
  bad_code: 400,
  bad_encoding: 400,
  bad_length: 400,
  cosignature: 400,
  self_evaluation_signature: 400,
  cosigner_unknown: 400,
  token_length: 400,
  token_type: 400,
  token_key_id: 400,
  token_key_unknown: 400,
  token_context: 400,
  token_signature: 400,
  blinded_message_out_of_range: 400,
  unauthenticated: 401,
  bad_credentials: 401,
  // Protocol v2: a wrong room code is refused like a wrong password; ten of them lock the code until a new room code.
  room_code: 403,
  room_code_locked: 429,
  csrf: 403,
  forbidden: 403,
  not_eligible: 403,
  not_found: 404,
  unknown_code: 404,
  token_spent: 409,
  candidate_key_missing: 409,
  already_issued: 409,
  head_count: 409,
  no_quorum: 409,
  over_issued: 409,
  wrong_phase: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
};

export const statusForCode = (code: string): ContentfulStatusCode => STATUS_BY_CODE[code] ?? 500;

export function errorResponse(c: Context, code: string, message: string, status = statusForCode(code)) {
  return c.json({ error: { code, message } }, status);
}

export function handleError(error: Error, c: Context) {
  if (error instanceof RateLimited) {
    // A limit says when to try again, in the header and in both languages.
    c.header('retry-after', String(error.retryAfterSeconds));
    return c.json({ error: { code: error.code, message: error.message, messageZh: error.messageZh, retryAfterSeconds: error.retryAfterSeconds } }, 429);
  }
  if (error instanceof AppError && STATUS_BY_CODE[error.code]) return errorResponse(c, error.code, error.message);
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    if (status === 400) return errorResponse(c, 'malformed_json', 'the request body is not valid JSON', 400);
    if (status === 413) return errorResponse(c, 'payload_too_large', 'the request body is too large', 413);
    return errorResponse(c, 'http_error', error.message || 'request refused', status);
  }
  console.error('internal error:', error instanceof AppError ? error.code : error.name, error.message);
  return errorResponse(c, 'internal', 'internal error', 500);
}
