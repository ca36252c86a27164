/**
 * Turns what the API client and the voter flow throw into a sentence a student understands and
 * can act on. Both throw an error with a stable `code` (ApiError from the HTTP client, AppError
 * from the checks in shared/protocol/voter-flow.ts and the crypto under it); the HTTP status is
 * never shown. test/unit/voter-error-messages.test.ts reads every code those modules and the
 * voter's routes can throw and fails if one is missing here.
 *
 * A limit's refusal (`rate_limited`) also says when to try again, from the seconds the server
 * gave (`retryAfterSeconds`), in the page's language: `voterError` keeps them beside the key and
 * `voterErrorText` puts them in the sentence when it is shown.
 */
import { ApiError } from '../../../shared/protocol/api-client.ts';
import { AppError } from '../../../shared/errors.ts';
import { t } from './index.ts';
import { waitText } from './wait.ts';
import type { MessageKey } from './zh.ts';

/** What the voter was doing: `wrong_phase` means something different at check-in, at cast and for the self-evaluation. */
export type Activity = 'checkin' | 'cast' | 'load' | 'self';

/**
 * Codes that mean the page and the server disagree about the protocol itself (a stale page, a
 * bug): nothing the voter typed or chose is wrong, so they are told to reload and to ask.
 */
const PAGE_OUT_OF_STEP = [
  'invalid_body',
  'malformed_json',
  'invalid_utf8',
  'duplicate_member',
  'lone_surrogate',
  'unsupported_media_type',
  'payload_too_large',
  'bad_response',
  'http_error',
  'bad_length',
  'bad_encoding',
  'bad_bytes',
  'not_canonicalizable',
  'integer_too_large',
  'blinded_message_out_of_range',
  'blind_failed',
  'bad_inverse',
  'pss_encoding_error',
  'signature_out_of_range',
  'csrf',
] as const;

export const MESSAGE_OF_CODE: Readonly<Record<string, MessageKey>> = {
  unknown_code: 'error.unknown_code',
  bad_code: 'error.bad_code',
  room_code: 'error.room_code',
  room_code_locked: 'error.room_code_locked',
  already_issued: 'error.already_issued',
  key_mismatch: 'error.key_mismatch',
  bad_public_key: 'error.key_mismatch',
  key_set: 'error.key_mismatch',
  network: 'error.network',
  internal: 'error.server',
  token_spent: 'error.token_spent',
  token_missing: 'error.token_missing',
  // The token does not check out (length, type, key, context, signature): never the voter's doing.
  token_length: 'error.token_invalid',
  token_type: 'error.token_invalid',
  token_key_id: 'error.token_invalid',
  token_key_unknown: 'error.token_invalid',
  token_context: 'error.token_invalid',
  token_signature: 'error.token_invalid',
  over_issued: 'error.over_issued',
  receipt_mismatch: 'error.receipt_mismatch',
  receipt_signature: 'error.receipt_signature',
  not_eligible: 'error.not_eligible',
  rate_limited: 'error.rate_limited',
  invalid_choices: 'error.invalid_choices',
  not_found: 'error.not_found',
  candidate_key_missing: 'error.candidate_key_missing',
  self_evaluation_signature: 'error.self_evaluation_signature',
  comment_sealed: 'error.comment_sealed',
  ...Object.fromEntries(PAGE_OUT_OF_STEP.map((code) => [code, 'error.page_out_of_step' as const])),
};

const WRONG_PHASE: Record<Activity, MessageKey> = {
  checkin: 'error.wrong_phase_checkin',
  load: 'error.wrong_phase_checkin',
  cast: 'error.wrong_phase_cast',
  self: 'error.wrong_phase_self',
};

/** What a step that failed shows: its sentence, and for a limit's refusal how many seconds to wait. */
export interface VoterError {
  key: MessageKey;
  retryAfterSeconds?: number;
}

/** The sentence for what `error` is; a limit's refusal with its wait says when to try again. */
export function voterError(error: unknown, activity: Activity): VoterError {
  const key = errorMessageKey(error, activity);
  if (key === 'error.rate_limited' && error instanceof ApiError && error.retryAfterSeconds !== undefined)
    return { key: 'error.rate_limited_wait', retryAfterSeconds: error.retryAfterSeconds };
  return { key };
}

/** The sentence in the page's language now, with the wait filled in ("请在 15 分钟后再试。"). */
export const voterErrorText = (error: VoterError): string =>
  t(error.key, error.retryAfterSeconds === undefined ? undefined : { wait: waitText(error.retryAfterSeconds) });

export function errorMessageKey(error: unknown, activity: Activity): MessageKey {
  if (error instanceof ApiError || error instanceof AppError) {
    if (error.code === 'wrong_phase') return WRONG_PHASE[activity];
    return MESSAGE_OF_CODE[error.code] ?? 'error.generic';
  }
  // localStorage refusing to store (quota, disabled storage) surfaces as a DOMException.
  if (error instanceof DOMException && (error.name === 'QuotaExceededError' || error.name === 'SecurityError')) return 'error.storage';
  return 'error.generic';
}
