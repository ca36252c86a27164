/**
 * Scrutineers' co-signatures (监票人、计票人联署). A scrutineer named with their account
 * generates an Ed25519 key in their own browser and registers its public key before close; the
 * bundle signed at close names that key. After close they check the result and sign the bundle
 * digest; the server verifies the signature before keeping it, and exports it with the bundle.
 * The secret key never leaves the scrutineer's browser.
 */
import { bundleDigestHex, checkCosignature, checkCosignerKey } from '../../shared/crypto/bundle-digest.ts';
import { checkOpeningCosignature, openingStatementDigestHex } from '../../shared/crypto/opening-statement.ts';
import { fail } from '../../shared/errors.ts';
import type { AppDeps } from '../context.ts';
import * as q from '../db/queries.ts';
import { appendAudit } from './audit.ts';
import { pollFor } from './meetings.ts';
import { openingCosignatures, openingStatement } from './opening.ts';
import { pollBundle } from './polls.ts';

function namedScrutineer(deps: AppDeps, pollId: string, user: q.UserRow) {
  const poll = pollFor(deps, pollId, user);
  const entry = poll.scrutineers.find((s) => s.account === user.username);
  if (!entry) fail('forbidden', 'you are not named as a scrutineer of this poll with your account');
  return { poll, entry };
}

/**
 * What a scrutineer's page shows: the poll, their entry, and after close the bundle. No digest:
 * the scrutineer's page computes it from the bundle it checks, so it signs what it checked.
 */
export function cosigningView(deps: AppDeps, pollId: string, user: q.UserRow) {
  const poll = pollFor(deps, pollId, user);
  const entry = poll.scrutineers.find((s) => s.account === user.username);
  const bundle = poll.bundle ? pollBundle(deps, poll) : undefined;
  const statement = openingStatement(deps, poll);
  return {
    poll: { id: poll.id, title: poll.title, kind: poll.kind, phase: poll.phase },
    me: entry ? { name: entry.name, role: entry.role, publicKey: entry.publicKey ?? null } : null,
    bundle: bundle ?? null,
    // The statement's facts, from which the page computes the digest it signs; and who co-signed it.
    opening: statement ? { statement, cosignatures: openingCosignatures(poll) } : null,
  };
}

/**
 * A scrutineer co-signs the opening statement while voting is open (the bundle signed at close
 * carries the co-signatures): with the key they registered, checked before it is kept. Signing
 * again replaces their earlier co-signature.
 */
export function cosignOpening(deps: AppDeps, pollId: string, signature: string, user: q.UserRow) {
  const { poll, entry } = namedScrutineer(deps, pollId, user);
  if (poll.phase !== 'voting') fail('wrong_phase', 'the opening statement is co-signed while voting is open; the result signed at close carries it');
  if (!entry.publicKey) fail('conflict', 'register your signing key first');
  const statement = openingStatement(deps, poll)!;
  checkOpeningCosignature(poll.scrutineers, statement, { name: entry.name, role: entry.role, publicKey: entry.publicKey, signature });
  q.runInTransaction(deps.db, () => {
    const now = q.getPoll(deps.db, poll.id)!;
    if (now.phase !== 'voting' || now.opening?.state !== 'open') fail('wrong_phase', 'voting closed meanwhile');
    const others = (now.opening.cosignatures ?? []).filter((c) => c.account !== user.username);
    q.setPollOpening(deps.db, poll.id, { ...now.opening, cosignatures: [...others, { account: user.username, publicKey: entry.publicKey!, signature }] });
    appendAudit(
      deps.db,
      { actor: user.username, action: 'cosign_opening', subject: poll.id, details: { name: entry.name, digest: openingStatementDigestHex(statement) } },
      deps.now().toISOString(),
    );
  });
  return { ok: true };
}

export function registerScrutineerKey(deps: AppDeps, pollId: string, publicKeyBase64: string, user: q.UserRow) {
  const { poll, entry } = namedScrutineer(deps, pollId, user);
  if (poll.phase === 'closed' || poll.phase === 'published') fail('wrong_phase', 'keys are registered before close, so that the signed result names them');
  checkCosignerKey(publicKeyBase64);
  // One key, one scrutineer: a key named twice would let one scrutineer's signature count for
  // another (and make the published co-signatures fail verification for good).
  if (poll.scrutineers.some((s) => s !== entry && s.publicKey === publicKeyBase64) || publicKeyBase64 === deps.installationKey.publicKeyBase64)
    fail('conflict', 'this key is already in use: generate a new one');
  const scrutineers = poll.scrutineers.map((s) => (s === entry ? { ...s, publicKey: publicKeyBase64 } : s));
  q.runInTransaction(deps.db, () => {
    q.setPollScrutineers(deps.db, poll.id, scrutineers);
    appendAudit(deps.db, { actor: user.username, action: 'register_scrutineer_key', subject: poll.id, details: { name: entry.name, publicKey: publicKeyBase64 } }, deps.now().toISOString());
  });
  return { publicKey: publicKeyBase64 };
}

export function cosign(deps: AppDeps, pollId: string, signature: string, user: q.UserRow) {
  const { poll, entry } = namedScrutineer(deps, pollId, user);
  if (!poll.bundle) fail('wrong_phase', 'the result is signed after close');
  if (!entry.publicKey) fail('conflict', 'no key was registered before close: this scrutineer signs the paper tally sheet instead');
  const bundle = pollBundle(deps, poll);
  checkCosignature(bundle, { name: entry.name, role: entry.role, publicKey: entry.publicKey, signature });
  q.runInTransaction(deps.db, () => {
    q.upsertCosignature(deps.db, { pollId: poll.id, account: user.username, signature });
    appendAudit(deps.db, { actor: user.username, action: 'cosign', subject: poll.id, details: { name: entry.name, digest: bundleDigestHex(bundle) } }, deps.now().toISOString());
  });
  return { ok: true };
}
