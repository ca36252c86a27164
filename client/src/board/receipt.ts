/**
 * The individual check: is my ballot among the published ones, as I cast it? Computed here, from
 * the bundles already downloaded and the receipts this browser keeps; nothing is sent anywhere.
 *
 * Receipts (docs/protocol.md):
 *   v2  each ballot publishes its receipt, SHA-256 over (token, salt, answer); the voter's device
 *       keeps it with the ballot box's Ed25519 signature over it and the token's nonce;
 *   v1  the receipt was the SHA-256 of the token bytes.
 *
 * Two ways in:
 *   - the receipts this browser holds (allHeldReceipts over localStorage, written by the voting
 *     page): each is looked up by its token nonce as well, so a ballot that is published under
 *     the voter's token with ANOTHER receipt shows up as changed — the server altered the answer
 *     after taking it — and the kept signature proves what the ballot box accepted;
 *   - typed or pasted receipts, one per line, each its first 16+ hex digits (the voting page
 *     shows and copies 16, in groups of four, after the candidate's name), matched as a prefix:
 *     found or not found, line by line.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { checkReceiptSignature } from '../../../shared/crypto/receipt.ts';
import { fromBase64, fromBase64Url, fromHex, toHex } from '../../../shared/encoding.ts';
import type { HeldReceipt } from '../../../shared/protocol/voter-flow.ts';

export const SHORT_RECEIPT_DIGITS = 16;

export type ParsedReceipt = { ok: true; hex: string } | { ok: false; reason: 'empty' | 'not_hex' | 'too_short' | 'too_long' };


export type TypedReceiptOutcome =
  | { label: string; kind: 'found'; poll: string }
  | { label: string; kind: 'not_found' }
  | { label: string; kind: 'invalid'; reason: Exclude<ParsedReceipt, { ok: true }>['reason'] };

/**
 * Receipts as a voter pastes them: one per line, each possibly after the candidate's name, as
 * the voting page's Copy button writes them ("周明 ed8b 15a3 79c9 9fab"), or just the hex. A
 * line's receipt is the run of hex digits (spaces and dashes allowed) that ends it; a name that
 * itself ends in hex-looking letters ("Bead") is tried both with and without its last words, by
 * whole groups, so it cannot spoil the match. Each line gets its own outcome.
 */
export function checkTypedReceipts(text: string, published: readonly PublishedBallots[]): TypedReceiptOutcome[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return [{ label: '', kind: 'invalid', reason: 'empty' }];
  return lines.map((line): TypedReceiptOutcome => {
    const match = /^(.*?)([0-9a-fA-F][0-9a-fA-F\s-]*)$/.exec(line);
    if (!match) return { label: line, kind: 'invalid', reason: 'not_hex' };
    const name = match[1]!.trim();
    const groups = match[2]!.split(/[\s-]+/).filter((g) => g !== '');
    // Every way to read the run: all its groups, then without the first, the first two, …
    const readings = groups
      .map((_, i) => ({ label: [name, ...groups.slice(0, i)].join(' ').trim(), hex: groups.slice(i).join('').toLowerCase() }))
      .filter((r) => r.hex.length >= SHORT_RECEIPT_DIGITS);
    if (readings.length === 0) return { label: name, kind: 'invalid', reason: 'too_short' };
    const fitting = readings.filter((r) => r.hex.length <= 64);
    if (fitting.length === 0) return { label: name, kind: 'invalid', reason: 'too_long' };
    for (const reading of fitting) {
      const source = findTypedReceipt(published, reading.hex);
      if (source) return { label: reading.label, kind: 'found', poll: source.title };
    }
    return { label: name, kind: 'not_found' };
  });
}

/** What the check needs of one published bundle: per ballot its receipt and its token's nonce. */
export interface PublishedBallots {
  pollId: string;
  title: string;
  /** The candidate (question) titles, to say which ballot a held receipt is. */
  questionTitles: Record<string, string>;
  receipts: string[];
  /** Hex of token bytes 2–33, in the same order; '' where the token does not decode. */
  nonces: string[];
  /** The bundle's signer (base64 Ed25519): a kept receipt's signature is checked against it. */
  signer?: string;
}

const NONCE_START = 2;
const NONCE_END = 34;

/** The ballots of a bundle as served (unvalidated JSON: the verifier judges it, this only reads). */
export function publishedBallotsOf(raw: unknown, title: string): PublishedBallots | undefined {
  const bundle = raw as {
    format?: unknown;
    poll?: { id?: unknown; questions?: { id?: unknown; title?: unknown }[] };
    ballots?: { token?: unknown; receipt?: unknown }[];
    signer?: { publicKey?: unknown };
  } | null;
  if (!bundle || typeof bundle.poll?.id !== 'string' || !Array.isArray(bundle.ballots)) return undefined;
  const v2 = bundle.format === 'anon-ballot-bundle/v2';
  const receipts: string[] = [];
  const nonces: string[] = [];
  for (const ballot of bundle.ballots) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = typeof ballot.token === 'string' ? fromBase64Url(ballot.token, 'token') : undefined;
    } catch {
      bytes = undefined; // a malformed token is the verifier's to report; it matches nothing
    }
    nonces.push(bytes && bytes.length >= NONCE_END ? toHex(bytes.subarray(NONCE_START, NONCE_END)) : '');
    if (v2) receipts.push(typeof ballot.receipt === 'string' ? ballot.receipt.toLowerCase() : '');
    else receipts.push(bytes ? toHex(sha256(bytes)) : '');
  }
  const questionTitles: Record<string, string> = {};
  for (const q of bundle.poll.questions ?? []) if (typeof q.id === 'string' && typeof q.title === 'string') questionTitles[q.id] = q.title;
  return {
    pollId: bundle.poll.id,
    title,
    questionTitles,
    receipts,
    nonces,
    ...(typeof bundle.signer?.publicKey === 'string' ? { signer: bundle.signer.publicKey } : {}),
  };
}

/** A typed receipt (or its first 16+ digits): the poll it was found in, if any. */
export function findTypedReceipt(published: readonly PublishedBallots[], hex: string): PublishedBallots | undefined {
  return published.find((p) => p.receipts.some((r) => r !== '' && r.startsWith(hex)));
}

export type HeldOutcome =
  | { kind: 'found'; held: HeldReceipt; poll: PublishedBallots }
  /** Published under this token's nonce with another receipt: the answer was changed after the ballot box took it. */
  | { kind: 'changed'; held: HeldReceipt; poll: PublishedBallots; published: string; signatureValid: boolean }
  /** Neither the receipt nor the token is published: the ballot was dropped. */
  | { kind: 'missing'; held: HeldReceipt; poll: PublishedBallots; signatureValid: boolean }
  /** The poll is not on the board (yet): nothing to compare with. */
  | { kind: 'unpublished'; held: HeldReceipt };

/** Does the kept signature verify over the kept receipt under `signer`? Never throws. */
export function heldSignatureValid(held: HeldReceipt, signer: string | undefined): boolean {
  if (!signer) return false;
  try {
    checkReceiptSignature(fromHex(held.receipt, 'receipt'), fromBase64(held.signature, 'signature'), fromBase64(signer, 'signer'));
    return true;
  } catch {
    return false;
  }
}

/** Each receipt this browser holds, against the published ballots of its poll. */
export function checkHeldReceipts(held: readonly HeldReceipt[], published: readonly PublishedBallots[]): HeldOutcome[] {
  return held.map((receipt): HeldOutcome => {
    const poll = published.find((p) => p.pollId === receipt.pollId);
    if (!poll) return { kind: 'unpublished', held: receipt };
    const mine = receipt.receipt.toLowerCase();
    if (poll.receipts.includes(mine)) return { kind: 'found', held: receipt, poll };
    const index = poll.nonces.indexOf(receipt.nonce.toLowerCase());
    const signatureValid = heldSignatureValid(receipt, poll.signer);
    if (index >= 0) return { kind: 'changed', held: receipt, poll, published: poll.receipts[index]!, signatureValid };
    return { kind: 'missing', held: receipt, poll, signatureValid };
  });
}
