/**
 * Request body limits. Every route takes at most API_BODY_LIMIT, except three whose bodies grow
 * with the poll: the roster import, the check-in (one blinded request per key) and the cast (all
 * of a voter's ballots of a poll, taken whole or not at all). Those two voter bodies are sized
 * here from the schema bounds of the largest poll the schemas allow, so that no honest voter is
 * ever refused 413: the largest body is measured (JSON.stringify of the largest well-formed
 * pieces), then given a quarter more for whitespace and rounded up to 64 KiB.
 * Fixed-length fields (token, salt, blinded message) count at their only accepted length: any
 * other length is refused after parsing anyway. Variable ones count at their schema maximum.
 */
import { AUTHENTICATOR_LENGTH, TOKEN_LENGTH } from '../shared/crypto/token.ts';
import { SALT_LENGTH } from '../shared/crypto/receipt.ts';
import { MAX_BALLOTS_PER_CAST, MAX_BASE64_LENGTH, MAX_CHECKIN_REQUESTS } from '../shared/protocol/api.ts';
import { MAX_CRITERIA, MAX_ID_LENGTH, MAX_OPTIONS, MAX_QUESTIONS, MAX_SCORE } from '../shared/protocol/poll.ts';

/** Every route without a reason for more. */
export const API_BODY_LIMIT = 64 * 1024;
/** The roster import: 5000 voters. */
export const ROSTER_BODY_LIMIT = 2 * 1024 * 1024;

const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);
const base64UrlLength = (bytes: number) => Math.ceil((bytes * 4) / 3);
const jsonLength = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
/** A distinct id of the longest length, and a string of `n` characters. */
const longId = (i: number) => String(i).padStart(MAX_ID_LENGTH, 'x');
const chars = (n: number) => 'x'.repeat(n);
const withMargin = (bytes: number) => Math.ceil((bytes * 1.25) / (64 * 1024)) * 64 * 1024;

const token = chars(base64UrlLength(TOKEN_LENGTH));
const salt = chars(base64Length(SALT_LENGTH));

/**
 * The largest cast: either MAX_BALLOTS_PER_CAST ballots on candidates, each scored on every
 * criterion with the top score and carrying a sealed comment of the longest base64 allowed (the
 * three evaluations), or a generic poll's MAX_QUESTIONS approval ballots ticking every option.
 * About 2.0 MiB and 0.45 MiB: the limit is 2.5 MiB.
 */
const largestCast = Math.max(
  jsonLength({
    ballots: Array.from({ length: MAX_BALLOTS_PER_CAST }, () => ({
      token,
      salt,
      answer: Object.fromEntries(Array.from({ length: MAX_CRITERIA }, (_, i) => [longId(i), MAX_SCORE])),
      comment: chars(MAX_BASE64_LENGTH),
    })),
  }),
  jsonLength({
    ballots: Array.from({ length: MAX_QUESTIONS }, () => ({ token, salt, answer: Array.from({ length: MAX_OPTIONS }, (_, i) => longId(i)) })),
  }),
);
export const CAST_BODY_LIMIT = withMargin(largestCast);

/**
 * The largest check-in: MAX_CHECKIN_REQUESTS blinded requests (one per key), each a blinded
 * message as long as the issuing key's modulus (the token's authenticator), with the longest
 * ids, plus the voting code and room code. About 0.2 MiB: the limit is 320 KiB.
 */
const largestCheckin = jsonLength({
  code: chars(40),
  roomCode: chars(6),
  requests: Array.from({ length: MAX_CHECKIN_REQUESTS }, () => ({
    pollId: longId(0),
    group: longId(0),
    questionId: longId(0),
    blindedMessage: chars(base64Length(AUTHENTICATOR_LENGTH)),
  })),
});
export const CHECKIN_BODY_LIMIT = withMargin(largestCheckin);
