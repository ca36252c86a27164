/**
 * Turns what the API client and the voter flow throw into a sentence a student understands.
 * Both throw an error with a stable `code` (ApiError from the HTTP client, AppError from the
 * local checks in voter-flow.ts); the HTTP status is never shown.
 */
import { ApiError } from '../../../shared/protocol/api-client.ts';
import { AppError } from '../../../shared/errors.ts';
import type { MessageKey } from './zh.ts';

/** What the voter was doing: `wrong_phase` means something different at check-in and at cast. */
export type Activity = 'checkin' | 'cast' | 'load' | 'self';

const BY_CODE: Record<string, MessageKey> = {
  unknown_code: 'error.unknown_code',
  bad_code: 'error.bad_code',
  already_issued: 'error.already_issued',
  key_mismatch: 'error.key_mismatch',
  network: 'error.network',
  token_spent: 'error.token_spent',
  not_eligible: 'error.not_eligible',
  rate_limited: 'error.rate_limited',
  invalid_choices: 'error.invalid_choices',
  not_found: 'error.not_found',
};

export function errorMessageKey(error: unknown, activity: Activity): MessageKey {
  if (error instanceof ApiError || error instanceof AppError) {
    if (error.code === 'wrong_phase')
      return activity === 'cast' ? 'error.wrong_phase_cast' : activity === 'self' ? 'error.wrong_phase_self' : 'error.wrong_phase_checkin';
    // token_length, token_signature, token_key_unknown, …: all mean "this token is no good".
    if (error.code.startsWith('token_') && error.code !== 'token_spent') return 'error.token_invalid';
    return BY_CODE[error.code] ?? 'error.generic';
  }
  // localStorage refusing to store (quota, disabled storage) surfaces as a DOMException.
  if (error instanceof DOMException && (error.name === 'QuotaExceededError' || error.name === 'SecurityError'))
    return 'error.storage';
  return 'error.generic';
}
