/**
 * What the voter's device does, step by step; the browser client and the demo run this code.
 *
 * Check-in, for every (poll, group) the code entitles to:
 *   0. a code typed by hand (or a link without fingerprints) has nothing to check the keys
 *      against: `keysToConfirm` looks the code up and returns the served keys' fingerprints,
 *      blinding and storing nothing, and the voter compares them with the projector. Only the
 *      fingerprints the voter confirmed go on to step 1;
 *   1. fetch the meeting's public keys; refuse any key whose fingerprint is not among those
 *      carried in the voting link or confirmed in step 0 (a server handing this voter a
 *      private key could tag them);
 *   2. pick a random 32-byte nonce, build the 98-byte token input, blind it under the key;
 *   3. persist { nonce, blinded message, inverse } BEFORE sending, so a retry after a lost
 *      response sends the very same blinded message and the server answers with the same
 *      signature (a different one would be refused and the vote lost);
 *   4. send all blinded messages in one check-in request;
 *   5. finalize each blind signature and verify it under the key; keep the token.
 * Cast: send { token, choices } anonymously; delete the token only once the server accepted
 * the ballot (or said it is spent with exactly these choices), and keep the receipt.
 */
import { blind, finalize, parseRsaSpki, randomNonce } from '../crypto/blind-rsa.ts';
import { decodeToken, encodeToken, encodeTokenInput, keyFingerprint, tokenContext, tokenKeyId } from '../crypto/token.ts';
import { fromBase64, fromBase64Url, fromHex, toBase64, toBase64Url, toHex, utf8 } from '../encoding.ts';
import { fail } from '../errors.ts';
import { sha256 } from '@noble/hashes/sha2.js';
import { normalizeVotingCode } from './voting-code.ts';
import type { PublicKeyView, PublicMeetingView } from './api.ts';
import type { VoterApi } from './api-client.ts';
import type { Choices } from './poll.ts';

/** Where the device keeps its state: localStorage in a browser, a Map in the demo. */
export interface VoterStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  keys(): string[];
}

export const STORE_PREFIX = 'anon-ballot:';

export function memoryStore(): VoterStore {
  const map = new Map<string, string>();
  return {
    get: (k) => map.get(k) ?? null,
    set: (k, v) => void map.set(k, v),
    remove: (k) => void map.delete(k),
    keys: () => [...map.keys()],
  };
}

interface PendingIssuance {
  nonce: string;
  blindedMessage: string;
  inverse: string;
}

export interface HeldToken {
  voter: string;
  pollId: string;
  group: string;
  token: string;
}

export interface Receipt {
  pollId: string;
  receipt: string;
}

/**
 * State is kept per voter (a short hash of the code), so two people who use the same phone one
 * after the other do not pick up each other's tokens.
 */
export const voterSlot = (code: string) => toHex(sha256(utf8(`slot|${normalizeVotingCode(code)}`))).slice(0, 16);
const pendingKey = (voter: string, pollId: string, group: string) => `${STORE_PREFIX}pending:${voter}:${pollId}:${group}`;
const tokenKey = (voter: string, pollId: string, group: string) => `${STORE_PREFIX}token:${voter}:${pollId}:${group}`;
const receiptKey = (voter: string, pollId: string, group: string) => `${STORE_PREFIX}receipt:${voter}:${pollId}:${group}`;

/** Parses the fragment of a voting link: `#m=<meeting>&c=<code>&k=<fp>.<fp>`. */
export function parseVotingFragment(hash: string): { meetingId?: string; code?: string; fingerprints: string[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return {
    meetingId: params.get('m') ?? undefined,
    code: params.get('c') ?? undefined,
    fingerprints: (params.get('k') ?? '').split('.').filter((f) => /^[0-9a-f]{16}$/.test(f)),
  };
}

/** Throws `key_mismatch` unless the key's id is the hash of its SPKI; returns its fingerprint, computed here. */
export function servedKeyFingerprint(key: PublicKeyView): string {
  const keyId = tokenKeyId(fromBase64(key.spki, 'spki'));
  if (toHex(keyId) !== key.keyId) fail('key_mismatch', 'the server sent a key whose id does not match its content');
  return keyFingerprint(keyId);
}

/**
 * Throws `key_mismatch` unless the key's id is its SPKI's hash and its fingerprint was expected.
 * An absent or empty list of expected fingerprints expects nothing: every key is refused.
 */
export function checkServedKey(key: PublicKeyView, expectedFingerprints: readonly string[] | undefined) {
  const fingerprint = servedKeyFingerprint(key);
  if (!expectedFingerprints?.includes(fingerprint))
    fail('key_mismatch', `the server's key ${fingerprint} is not the one on your slip or the projector`);
  const spki = fromBase64(key.spki, 'spki');
  return { spki, keyId: fromHex(key.keyId), publicKey: parseRsaSpki(spki) };
}

/** One key a voter's tokens would be issued under, for comparison with the projector. */
export interface KeyToCompare {
  pollId: string;
  pollTitle: string;
  group: string;
  /** Computed on this device from the served SPKI, not taken from the server's word. */
  fingerprint: string;
}

export interface KeysToConfirm {
  meeting: PublicMeetingView;
  voterName: string;
  ownCandidacies: { pollId: string; questionId: string }[];
  /** One per (poll, group) the code entitles to, in the meeting's order of polls. */
  keys: KeyToCompare[];
  /** The distinct fingerprints of `keys`: what `checkInVoter` expects once the voter said they match. */
  fingerprints: string[];
}

/**
 * Step 0, for a code without fingerprints: looks the code up, fetches the meeting and returns
 * the fingerprints of the keys the code's tokens would be issued under. Nothing is blinded,
 * stored or sent to /api/checkin: the voter compares first, and then, only if they match,
 * calls `checkInVoter(api, store, code, result.fingerprints)`, which fetches the keys again and
 * refuses any that is not among them. Throws `key_mismatch` if the server does not publish a
 * key it would issue under, or publishes one whose id is not its content's hash.
 */
export async function keysToConfirm(api: VoterApi, code: string): Promise<KeysToConfirm> {
  normalizeVotingCode(code); // a mistyped code is refused here, without a request
  const lookup = await api.lookup(code);
  const meeting = await api.meeting(lookup.meetingId);
  const keys = meeting.polls.flatMap((poll) =>
    lookup.entitlements
      .filter((e) => e.pollId === poll.id)
      .sort((a, b) => poll.groups.indexOf(a.group) - poll.groups.indexOf(b.group))
      .map((entitlement): KeyToCompare => {
        const served = poll.keys.find((k) => k.group === entitlement.group && k.keyId === entitlement.keyId);
        if (!served) fail('key_mismatch', 'the server did not publish the key it issues under');
        return { pollId: poll.id, pollTitle: poll.title, group: entitlement.group, fingerprint: servedKeyFingerprint(served) };
      }),
  );
  if (keys.length !== lookup.entitlements.length) fail('key_mismatch', 'the server did not publish the key it issues under');
  return {
    meeting,
    voterName: lookup.voter.name,
    ownCandidacies: lookup.ownCandidacies,
    keys,
    fingerprints: [...new Set(keys.map((k) => k.fingerprint))],
  };
}

export interface CheckInResult {
  meeting: PublicMeetingView;
  voterName: string;
  tokens: HeldToken[];
  /** Three evaluations: the voter's own candidacies, which their members' ballot leaves out. */
  ownCandidacies: { pollId: string; questionId: string }[];
}

/**
 * Checks in and returns the tokens now held on this device (including ones obtained earlier).
 * `expectedFingerprints`: from the voting link, or the ones `keysToConfirm` returned and the
 * voter confirmed against the projector. Without any (undefined or empty) it refuses with
 * `key_mismatch` before blinding anything: there is no unchecked way to check in.
 */
export async function checkInVoter(
  api: VoterApi,
  store: VoterStore,
  code: string,
  expectedFingerprints: readonly string[],
): Promise<CheckInResult> {
  if (!Array.isArray(expectedFingerprints) || expectedFingerprints.length === 0)
    fail('key_mismatch', 'no key fingerprint to check against: compare the fingerprints with the projector first');
  const voter = voterSlot(code);
  const lookup = await api.lookup(code);
  const meeting = await api.meeting(lookup.meetingId);
  // Every key is checked before anything is blinded: one unexpected key stops the whole check-in.
  const checked = lookup.entitlements
    .filter((e) => store.get(tokenKey(voter, e.pollId, e.group)) === null && store.get(receiptKey(voter, e.pollId, e.group)) === null)
    .map((entitlement) => {
      const poll = meeting.polls.find((p) => p.id === entitlement.pollId);
      const served = poll?.keys.find((k) => k.group === entitlement.group && k.keyId === entitlement.keyId);
      if (!poll || !served) fail('key_mismatch', 'the server did not publish the key it issues under');
      return { poll, entitlement, key: checkServedKey(served, expectedFingerprints) };
    });
  const work = checked.map(({ poll, entitlement, key }) => {
    const slot = pendingKey(voter, poll.id, entitlement.group);
    let pending = JSON.parse(store.get(slot) ?? 'null') as PendingIssuance | null;
    if (!pending) {
      if (entitlement.issued)
        fail('already_issued', 'this code was already used to check in on another device: ask the organizer');
      const nonce = randomNonce();
      const input = encodeTokenInput({ nonce, context: tokenContext(poll.id, entitlement.group), keyId: key.keyId });
      const blinded = blind(key.publicKey, input);
      pending = { nonce: toHex(nonce), blindedMessage: toBase64(blinded.blindedMessage), inverse: toHex(blinded.inverse) };
      store.set(slot, JSON.stringify(pending));
    }
    return { poll, group: entitlement.group, key, pending, slot };
  });
  if (work.length > 0) {
    const response = await api.checkin(
      code,
      work.map((w) => ({ pollId: w.poll.id, group: w.group, blindedMessage: w.pending.blindedMessage })),
    );
    for (const w of work) {
      const answer = response.signatures.find((s) => s.pollId === w.poll.id && s.group === w.group);
      if (!answer) fail('token_signature', 'the server did not answer for every poll');
      const nonce = fromHex(w.pending.nonce);
      const input = encodeTokenInput({ nonce, context: tokenContext(w.poll.id, w.group), keyId: w.key.keyId });
      const signature = finalize(w.key.publicKey, input, fromBase64(answer.blindSignature), fromHex(w.pending.inverse));
      const token = encodeToken({ nonce, context: tokenContext(w.poll.id, w.group), keyId: w.key.keyId, authenticator: signature });
      const held: HeldToken = { voter, pollId: w.poll.id, group: w.group, token: toBase64Url(token) };
      store.set(tokenKey(voter, w.poll.id, w.group), JSON.stringify(held));
      store.remove(w.slot);
    }
  }
  return { meeting, voterName: lookup.voter.name, tokens: heldTokens(store, voter), ownCandidacies: lookup.ownCandidacies };
}

export function heldTokens(store: VoterStore, voter: string): HeldToken[] {
  return store
    .keys()
    .filter((k) => k.startsWith(`${STORE_PREFIX}token:${voter}:`))
    .map((k) => JSON.parse(store.get(k)!) as HeldToken);
}

/** The fingerprint of the key a held token was issued under, read from the token itself. */
export const heldTokenFingerprint = (held: HeldToken) => keyFingerprint(decodeToken(fromBase64Url(held.token, 'token')).keyId);

/** The receipts this device holds for one voter slot. */
export function heldReceipts(store: VoterStore, voter: string): Receipt[] {
  return store
    .keys()
    .filter((k) => k.startsWith(`${STORE_PREFIX}receipt:${voter}:`))
    .map((k) => JSON.parse(store.get(k)!) as Receipt);
}

/** Casts the ballot of one held token. The token is removed only after the server accepted it. */
export async function castWithToken(
  api: VoterApi,
  store: VoterStore,
  held: HeldToken,
  choices: Choices,
  comments?: Record<string, string>,
): Promise<Receipt> {
  fromBase64Url(held.token, 'token');
  const response = await api.cast(held.token, choices, comments);
  store.set(receiptKey(held.voter, held.pollId, held.group), JSON.stringify({ pollId: held.pollId, receipt: response.receipt }));
  store.remove(tokenKey(held.voter, held.pollId, held.group));
  return { pollId: held.pollId, receipt: response.receipt };
}

/** Removes everything this client stored (kiosk mode, or "forget this device"). */
export function wipeVoterStore(store: VoterStore) {
  for (const key of store.keys()) if (key.startsWith(STORE_PREFIX)) store.remove(key);
}

