/**
 * What the voter's device does, step by step (protocol v2); the browser client, the demo and the
 * tests run this code.
 *
 * Check-in (`prepareCheckIn`, then `checkInVoter`):
 *   0. look the code up and fetch the meeting's public keys; recompute the fingerprint of the
 *      meeting's key set from the served keys (each key id checked against its key). A voting
 *      link carries the fingerprint printed on the slip; a typed code has none, and the voter
 *      compares the fingerprint with the projector. Nothing is blinded under a key set whose
 *      fingerprint was not expected (a server handing this voter keys of their own could tag them);
 *   1. for every key of every poll the code gives a vote in — one per (poll, group, question) —
 *      pick a random 32-byte nonce, build the token input, blind it;
 *   2. persist { nonce, blinded message, inverse } BEFORE sending, so that a retry after a lost
 *      response sends the very same requests;
 *   3. send them all in one check-in request with the room code; keep the check-in id.
 * Nothing is signed yet. The device then waits (`collectTokens`, asked every few seconds with the
 * check-in id): a poll that disappears from the answer was checked in again from another device
 * (or struck); once voting opens, the answer carries the blind signatures, and the device
 * finalizes and verifies each token and keeps it, with a random receipt salt of its own.
 *
 * Cast (`castPoll`): every ballot of the poll in one anonymous request, one per token, each with
 * its answer and salt. The device computes each receipt itself, checks that the ballot box
 * answered with exactly that receipt and a valid signature by the installation, keeps the
 * receipts and their signatures, and deletes the tokens. It never keeps the answers.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { blind, finalize, parseRsaSpki, randomNonce } from '../crypto/blind-rsa.ts';
import { keySetDigest, keySetFingerprint } from '../crypto/key-set.ts';
import { ballotReceipt, checkReceiptSignature, SALT_LENGTH } from '../crypto/receipt.ts';
import { encodeToken, encodeTokenInput, tokenContext, tokenKeyId } from '../crypto/token.ts';
import { candidateKeyFingerprint, type CandidatePublicKeys } from '../crypto/candidate-key-fingerprint.ts';
import { fromBase64, fromBase64Url, fromHex, toBase64, toBase64Url, toHex, utf8 } from '../encoding.ts';
import { fail } from '../errors.ts';
import type { LookupResponse, PublicMeetingView, PublicPollView } from './api.ts';
import type { VoterApi } from './api-client.ts';
import { validateAnswer, type Choice } from './answer.ts';
import { lateCheckInCode } from './late-checkin-code.ts';
import { normalizeVotingCode } from './voting-code.ts';

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

/** One blinded request kept until its signature comes back. */
interface PendingRequest {
  group: string;
  questionId: string;
  keyId: string;
  nonce: string;
  blindedMessage: string;
  inverse: string;
}

/** The device's check-in: its id, and per poll the requests sent. */
interface PendingCheckin {
  checkinId: string | null;
  polls: Record<string, PendingRequest[]>;
}

/** A token the device holds: one per (poll, group, question), with the salt its receipt will use. */
export interface HeldToken {
  pollId: string;
  group: string;
  questionId: string;
  token: string;
  salt: string;
}

/** What the device keeps of a cast ballot: never its answer. */
export interface HeldReceipt {
  pollId: string;
  group: string;
  questionId: string;
  /** Hex SHA-256 receipt (shared/crypto/receipt.ts). */
  receipt: string;
  /** The installation's Ed25519 signature over it, base64: the proof that the ballot box took it. */
  signature: string;
  /** The token's nonce (hex), to find the ballot under this token in the bundle even if changed. */
  nonce: string;
}

/**
 * State is kept per voter (a short hash of the code), so two people who use the same phone one
 * after the other do not pick up each other's tokens.
 */
export const voterSlot = (code: string) => toHex(sha256(utf8(`slot|${normalizeVotingCode(code)}`))).slice(0, 16);
const pendingKey = (voter: string) => `${STORE_PREFIX}pending:${voter}`;
const tokensKey = (voter: string, pollId: string) => `${STORE_PREFIX}tokens:${voter}:${pollId}`;
const receiptsKey = (voter: string, pollId: string) => `${STORE_PREFIX}receipts:${voter}:${pollId}`;

function readJson<T>(store: VoterStore, key: string): T | null {
  const text = store.get(key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Parses the fragment of a voting link: `#m=<meeting>&c=<code>&k=<key set fingerprint>`. */
export function parseVotingFragment(hash: string): { meetingId?: string; code?: string; keySetFingerprint?: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const fingerprint = params.get('k') ?? '';
  return {
    meetingId: params.get('m') ?? undefined,
    code: params.get('c') ?? undefined,
    keySetFingerprint: /^[0-9a-f]{16}$/.test(fingerprint) ? fingerprint : undefined,
  };
}

/**
 * The fingerprint of the meeting's key set, computed on this device from the served keys. Throws
 * `key_mismatch` if a served key's id is not the SHA-256 of its key.
 */
export function servedKeySetFingerprint(meeting: PublicMeetingView): string {
  const ids = meeting.polls.flatMap((poll) =>
    poll.keys.map((key) => {
      const keyId = tokenKeyId(fromBase64(key.spki, 'spki'));
      if (toHex(keyId) !== key.keyId) fail('key_mismatch', 'the server sent a key whose id does not match its content');
      return keyId;
    }),
  );
  return keySetFingerprint(keySetDigest(ids));
}

export interface PreparedCheckIn {
  meeting: PublicMeetingView;
  lookup: LookupResponse;
  voterName: string;
  ownCandidacies: { pollId: string; questionId: string }[];
  /** Computed here from the served keys: compare with the slip's link or the projector. */
  keySetFingerprint: string;
}

/**
 * Step 0: looks the code up and fetches the meeting; blinds, stores and sends nothing. Throws
 * `key_mismatch` if the server does not publish a key it would issue under.
 */
export async function prepareCheckIn(api: VoterApi, code: string): Promise<PreparedCheckIn> {
  normalizeVotingCode(code); // a mistyped code is refused here, without a request
  const lookup = await api.lookup(code);
  const meeting = await api.meeting(lookup.meetingId);
  for (const entry of lookup.polls)
    for (const key of entry.keys)
      if (!meeting.polls.some((p) => p.id === entry.pollId && p.keys.some((k) => k.keyId === key.keyId && k.group === key.group && k.questionId === key.questionId)))
        fail('key_mismatch', 'the server did not publish a key it issues under');
  return {
    meeting,
    lookup,
    voterName: lookup.voter.name,
    ownCandidacies: lookup.ownCandidacies,
    keySetFingerprint: meeting.polls.some((p) => p.keys.length > 0) ? servedKeySetFingerprint(meeting) : '',
  };
}

export interface CheckInResult {
  meeting: PublicMeetingView;
  voterName: string;
  ownCandidacies: { pollId: string; questionId: string }[];
  /** Polls this device is now checked in for (waiting for voting to open), and ones it already holds tokens for. */
  pending: string[];
}

/**
 * Checks in for every poll the code gives a vote in and this device holds nothing for yet.
 * `expectedFingerprint`: from the voting link, or the one `prepareCheckIn` returned and the voter
 * confirmed against the projector. Refuses with `key_mismatch` before blinding anything when the
 * served key set does not have it: there is no unchecked way to check in.
 */
export async function checkInVoter(
  api: VoterApi,
  store: VoterStore,
  code: string,
  roomCode: string,
  expectedFingerprint: string,
  prepared?: PreparedCheckIn,
): Promise<CheckInResult> {
  if (!/^[0-9a-f]{16}$/.test(expectedFingerprint ?? ''))
    fail('key_mismatch', 'no key fingerprint to check against: compare the fingerprint with the projector first');
  const voter = voterSlot(code);
  const ready = prepared ?? (await prepareCheckIn(api, code));
  if (ready.keySetFingerprint !== expectedFingerprint)
    fail('key_mismatch', `the server's keys (${ready.keySetFingerprint}) are not the ones on your slip or the projector`);
  const pending: PendingCheckin = readJson<PendingCheckin>(store, pendingKey(voter)) ?? { checkinId: null, polls: {} };
  const requests: { pollId: string; group: string; questionId: string; blindedMessage: string }[] = [];
  for (const entry of ready.lookup.polls) {
    if (store.get(tokensKey(voter, entry.pollId)) !== null || store.get(receiptsKey(voter, entry.pollId)) !== null) continue;
    if (entry.checkin === 'issued') {
      // Signed already: this device collects its tokens (collectTokens), or another device holds them.
      if (pending.polls[entry.pollId]) continue;
      fail('already_issued', 'this code was checked in on another device, and its ballots were issued there when voting opened');
    }
    if (entry.checkin === 'struck' || entry.keys.length === 0) continue;
    const poll = ready.meeting.polls.find((p) => p.id === entry.pollId)!;
    const kept = pending.polls[entry.pollId];
    // A retry after a lost answer sends the very same requests; anything else is blinded anew.
    const reuse = kept && kept.length === entry.keys.length && entry.keys.every((k) => kept.some((r) => r.keyId === k.keyId));
    pending.polls[entry.pollId] = reuse ? kept : entry.keys.map((key) => blindRequest(poll, key));
    for (const r of pending.polls[entry.pollId]!) requests.push({ pollId: entry.pollId, group: r.group, questionId: r.questionId, blindedMessage: r.blindedMessage });
  }
  if (requests.length > 0) {
    store.set(pendingKey(voter), JSON.stringify(pending));
    const answer = await api.checkin(code, roomCode, requests);
    pending.checkinId = answer.checkinId;
    store.set(pendingKey(voter), JSON.stringify(pending));
  }
  // A candidate in the three evaluations registers their own keys in the room too.
  await ensureCandidateKeys(api, store, code, roomCode, ready.meeting, ready.ownCandidacies);
  return { meeting: ready.meeting, voterName: ready.voterName, ownCandidacies: ready.ownCandidacies, pending: Object.keys(pending.polls) };
}

function blindRequest(poll: PublicPollView, key: { group: string; questionId: string; keyId: string }): PendingRequest {
  const served = poll.keys.find((k) => k.keyId === key.keyId)!;
  const publicKey = parseRsaSpki(fromBase64(served.spki, 'spki'));
  const nonce = randomNonce();
  const input = encodeTokenInput({ nonce, context: tokenContext(poll.id, key.group, key.questionId), keyId: fromHex(key.keyId) });
  const blinded = blind(publicKey, input);
  return { group: key.group, questionId: key.questionId, keyId: key.keyId, nonce: toHex(nonce), blindedMessage: toBase64(blinded.blindedMessage), inverse: toHex(blinded.inverse) };
}

export interface Collected {
  /** Polls whose tokens this device now holds (new or from before). */
  ready: string[];
  /** Checked in, waiting for voting to open (or for a scrutineer to approve a late check-in). */
  waiting: string[];
  /** Checked in again from another device, or struck by the scrutineers: this device holds nothing for them. */
  lost: string[];
  /** Of `lost`, those struck at the opening (the voter was counted as not in the room). */
  struck: string[];
}

/**
 * Asks for the blind signatures of this device's check-in and turns every one that came back into
 * a verified token. Safe to call again and again while waiting.
 */
export async function collectTokens(api: VoterApi, store: VoterStore, voter: string, meeting: PublicMeetingView): Promise<Collected> {
  const pending = readJson<PendingCheckin>(store, pendingKey(voter));
  const collected: Collected = { ready: heldPollIds(store, voter), waiting: [], lost: [], struck: [] };
  if (!pending?.checkinId || Object.keys(pending.polls).length === 0) return collected;
  const status = await api.checkinStatus(pending.checkinId);
  for (const [pollId, requests] of Object.entries(pending.polls)) {
    const entry = status.polls.find((p) => p.pollId === pollId);
    if (!entry || entry.state === 'struck') {
      collected.lost.push(pollId);
      if (entry) collected.struck.push(pollId);
      delete pending.polls[pollId];
      continue;
    }
    if (entry.state !== 'issued' || !entry.signatures) {
      collected.waiting.push(pollId);
      continue;
    }
    const poll = meeting.polls.find((p) => p.id === pollId);
    if (!poll) fail('key_mismatch', 'the server did not publish the keys of a poll this device checked in for');
    const tokens: HeldToken[] = requests.map((r) => {
      const signature = entry.signatures!.find((s) => s.group === r.group && s.questionId === r.questionId);
      if (!signature) fail('token_signature', 'the server did not answer for every key');
      const served = poll.keys.find((k) => k.keyId === r.keyId);
      if (!served) fail('key_mismatch', 'the server no longer publishes a key this device checked in under');
      const publicKey = parseRsaSpki(fromBase64(served.spki, 'spki'));
      const nonce = fromHex(r.nonce);
      const fields = { nonce, context: tokenContext(pollId, r.group, r.questionId), keyId: fromHex(r.keyId) };
      // finalize verifies the unblinded signature under the key before the token is kept.
      const authenticator = finalize(publicKey, encodeTokenInput(fields), fromBase64(signature.blindSignature, 'blindSignature'), fromHex(r.inverse));
      const salt = new Uint8Array(SALT_LENGTH);
      crypto.getRandomValues(salt);
      return { pollId, group: r.group, questionId: r.questionId, token: toBase64Url(encodeToken({ ...fields, authenticator })), salt: toBase64(salt) };
    });
    store.set(tokensKey(voter, pollId), JSON.stringify(tokens));
    delete pending.polls[pollId];
    collected.ready.push(pollId);
  }
  if (Object.keys(pending.polls).length === 0) store.remove(pendingKey(voter));
  else store.set(pendingKey(voter), JSON.stringify(pending));
  return collected;
}

/** The polls whose tokens this device holds for the voter. */
function heldPollIds(store: VoterStore, voter: string): string[] {
  const prefix = `${STORE_PREFIX}tokens:${voter}:`;
  return store.keys().filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}

/** Is this device checked in for any poll and still waiting for its signatures? */
export const hasPendingCheckin = (store: VoterStore, voter: string) => store.get(pendingKey(voter)) !== null;

/**
 * The confirmation code of this device's check-in (shared/protocol/late-checkin-code.ts): what the
 * phone shows while a late check-in waits, for the scrutineer to compare before approving.
 */
export function pendingCheckinCode(store: VoterStore, voter: string): string | undefined {
  const checkinId = readJson<PendingCheckin>(store, pendingKey(voter))?.checkinId;
  return checkinId ? lateCheckInCode(checkinId) : undefined;
}

/** The tokens held for one poll (empty when none). */
export const heldTokens = (store: VoterStore, voter: string, pollId: string): HeldToken[] => readJson<HeldToken[]>(store, tokensKey(voter, pollId)) ?? [];

/** Every token this device holds for the voter, poll by poll. */
export const allHeldTokens = (store: VoterStore, voter: string): HeldToken[] => heldPollIds(store, voter).flatMap((pollId) => heldTokens(store, voter, pollId));

/** The receipts this device holds for one voter, every poll. */
export function heldReceipts(store: VoterStore, voter: string): HeldReceipt[] {
  const prefix = `${STORE_PREFIX}receipts:${voter}:`;
  return store
    .keys()
    .filter((k) => k.startsWith(prefix))
    .flatMap((k) => readJson<HeldReceipt[]>(store, k) ?? []);
}

/** Every receipt held on this device, whoever voted (the board's check reads them locally). */
export function allHeldReceipts(store: VoterStore): HeldReceipt[] {
  return store
    .keys()
    .filter((k) => k.startsWith(`${STORE_PREFIX}receipts:`))
    .flatMap((k) => readJson<HeldReceipt[]>(store, k) ?? []);
}

/**
 * Casts every ballot of one poll in one request: `answers` gives the answer for each question
 * this device holds a token for (every one must be answered: abstaining is an answer).
 * `comments`: per question, three evaluations only. Checks each receipt and its signature by the
 * installation (`signer`, base64 Ed25519) before keeping the receipts and deleting the tokens.
 */
export async function castPoll(
  api: VoterApi,
  store: VoterStore,
  voter: string,
  poll: PublicPollView,
  signer: string,
  answers: Record<string, Choice>,
  comments: Record<string, string> = {},
): Promise<HeldReceipt[]> {
  const tokens = heldTokens(store, voter, poll.id);
  if (tokens.length === 0) fail('token_missing', 'this device holds no ballot for this poll');
  // A rater in two groups holds two tokens for one candidate: the comment rides on the first
  // only, or the candidate would read it twice (and learn that one rater was in both groups).
  const commented = new Set<string>();
  const ballots = await Promise.all(
    tokens.map(async (held) => {
      const question = poll.questions.find((q) => q.id === held.questionId);
      if (!question) fail('invalid_choices', `the poll no longer asks ${held.questionId}`);
      if (!Object.hasOwn(answers, held.questionId)) fail('invalid_choices', `question ${held.questionId} is not answered`);
      const answer = validateAnswer(question, answers[held.questionId]!, { abstainOnScores: true });
      const tokenBytes = fromBase64Url(held.token, 'token');
      const text = commented.has(held.questionId) ? undefined : comments[held.questionId]?.trim();
      let comment: string | undefined;
      if (text) {
        commented.add(held.questionId);
        // Sealed here, to the key the candidate registered in the room: the server never reads it.
        const key = poll.candidateKeys?.find((k) => k.questionId === held.questionId);
        if (!key) fail('candidate_key_missing', 'this candidate registered no key in the room: a comment cannot be sealed to them');
        comment = await (await candidateKeyCode()).sealComment(key.boxKey, text);
      }
      return { held, answer, tokenBytes, receipt: ballotReceipt(tokenBytes, fromBase64(held.salt, 'salt'), answer), comment };
    }),
  );
  const response = await api.cast(ballots.map((b) => ({ token: b.held.token, salt: b.held.salt, answer: b.answer, ...(b.comment ? { comment: b.comment } : {}) })));
  const signerKey = fromBase64(signer, 'signer');
  const receipts: HeldReceipt[] = ballots.map((b, i) => {
    const answered = response.receipts[i];
    if (!answered || answered.receipt !== toHex(b.receipt)) fail('receipt_mismatch', 'the ballot box answered with a receipt for another ballot');
    checkReceiptSignature(b.receipt, fromBase64(answered.signature, 'receipt signature'), signerKey);
    return { pollId: poll.id, group: b.held.group, questionId: b.held.questionId, receipt: answered.receipt, signature: answered.signature, nonce: toHex(b.tokenBytes.subarray(2, 34)) };
  });
  store.set(receiptsKey(voter, poll.id), JSON.stringify(receipts));
  store.remove(tokensKey(voter, poll.id));
  return receipts;
}

/**
 * The candidate's own key code (Ed25519 signing, X25519 sealing): loaded when a candidate or a
 * rater's comment needs it, so that the voter page of everyone else stays small.
 */
const candidateKeyCode = () => import('../crypto/candidate-key.ts');

/** The secret halves of a candidate's own keys, kept on their device only, with the public halves. */
interface StoredCandidateKeys {
  questionId: string;
  signingSecret: string;
  boxSecret: string;
  /** The public halves (kept since they were made; derived again when a stored entry lacks them). */
  signingKey?: string;
  boxKey?: string;
}
const candidateKeysKey = (voter: string, pollId: string) => `${STORE_PREFIX}candidate:${voter}:${pollId}`;

/**
 * For each of the voter's own candidacies in a three-evaluations poll open to check-in: makes the
 * candidate's own key pairs on this device (once; kept in the store) and registers their public
 * halves with the room code. Registers again when the meeting shows other keys for the candidacy
 * (someone else registered for them). Returns the fingerprints the projector should show.
 */
export async function ensureCandidateKeys(
  api: VoterApi,
  store: VoterStore,
  code: string,
  roomCode: string,
  meeting: PublicMeetingView,
  ownCandidacies: readonly { pollId: string; questionId: string }[],
): Promise<{ pollId: string; questionId: string; fingerprint: string }[]> {
  const voter = voterSlot(code);
  const registered: { pollId: string; questionId: string; fingerprint: string }[] = [];
  for (const own of ownCandidacies) {
    const poll = meeting.polls.find((p) => p.id === own.pollId);
    if (!poll || poll.kind !== 'three_evaluations' || poll.phase !== 'checkin') continue;
    let stored = readJson<StoredCandidateKeys>(store, candidateKeysKey(voter, poll.id));
    const keyCode = await candidateKeyCode();
    if (!stored || stored.questionId !== own.questionId) {
      const made = keyCode.generateCandidateKeys();
      stored = { questionId: own.questionId, signingSecret: toHex(made.signingSecret), boxSecret: toHex(made.boxSecret), signingKey: made.signingKey, boxKey: made.boxKey };
      store.set(candidateKeysKey(voter, poll.id), JSON.stringify(stored));
    } else if (!stored.signingKey || !stored.boxKey) {
      stored = { ...stored, ...keyCode.publicKeysOf(fromHex(stored.signingSecret), fromHex(stored.boxSecret)) };
      store.set(candidateKeysKey(voter, poll.id), JSON.stringify(stored));
    }
    const keys = publicCandidateKeys(stored)!;
    const fingerprint = candidateKeyFingerprint(keys);
    if (poll.candidateKeys?.find((k) => k.questionId === own.questionId)?.fingerprint !== fingerprint)
      await api.registerCandidateKey(code, roomCode, poll.id, keys);
    registered.push({ pollId: poll.id, questionId: own.questionId, fingerprint });
  }
  return registered;
}

function publicCandidateKeys(stored: StoredCandidateKeys): CandidatePublicKeys | undefined {
  return stored.signingKey && stored.boxKey ? { signingKey: stored.signingKey, boxKey: stored.boxKey } : undefined;
}

/** The fingerprint of this device's candidate key for a poll, if it holds one. */
export function heldCandidateFingerprint(store: VoterStore, voter: string, pollId: string): string | undefined {
  const stored = readJson<StoredCandidateKeys>(store, candidateKeysKey(voter, pollId));
  const keys = stored && publicCandidateKeys(stored);
  return keys ? candidateKeyFingerprint(keys) : undefined;
}

/** Signs and sends the candidate's self-evaluation with the key this device registered. */
export async function submitSelfEvaluation(api: VoterApi, store: VoterStore, code: string, pollId: string, scores: Record<string, number>) {
  const stored = readJson<StoredCandidateKeys>(store, candidateKeysKey(voterSlot(code), pollId));
  if (!stored) fail('candidate_key_missing', 'this device holds no key of yours for this evaluation: register it in the room, on this device');
  const sorted = Object.fromEntries(Object.keys(scores).sort().map((c) => [c, scores[c]!]));
  const { signSelfEvaluation } = await candidateKeyCode();
  return api.selfEvaluate(code, pollId, sorted, signSelfEvaluation(fromHex(stored.signingSecret), pollId, stored.questionId, sorted));
}

/** Opens the comments sealed to this device's candidate key (after close); null when the device holds no key for the poll. */
export async function openCandidateComments(store: VoterStore, voter: string, pollId: string, sealed: readonly string[]): Promise<string[] | null> {
  if (sealed.length === 0) return []; // nothing to open: no key needed to say there is nothing
  const stored = readJson<StoredCandidateKeys>(store, candidateKeysKey(voter, pollId));
  if (!stored) return null;
  const { openComment } = await candidateKeyCode();
  const texts = await Promise.all(sealed.map((s) => openComment(fromHex(stored.boxSecret), s)));
  return texts.sort();
}

/**
 * The short form of a poll's receipts that a person can note down: the first 16 hex digits of
 * each receipt (64 bits each), enough to find the ballot among the published ones.
 */
export const shortReceipt = (receipt: string) => receipt.slice(0, 16);

/** Removes everything this client stored (kiosk mode, or "forget this device"). */
export function wipeVoterStore(store: VoterStore) {
  for (const key of store.keys()) if (key.startsWith(STORE_PREFIX)) store.remove(key);
}
