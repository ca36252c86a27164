/** A scrutineer's own routes: register a co-signing key before close, co-sign after; see and approve late check-ins. */
import { Hono } from 'hono';
import { candidateKeyApprovalBody, cosignatureBody, lateCheckInApprovalBody, scrutineerKeyBody } from '../../shared/protocol/api.ts';
import { requireUser } from '../auth/session.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { cosign, cosignOpening, cosigningView, registerScrutineerKey } from '../services/cosigning.ts';
import { described, jsonBody } from '../validate.ts';
import { approveLateCheckIn } from '../services/opening.ts';
import { approveCandidateKey, candidateKeyRequests, lateCheckInsAwaiting } from '../services/checkin.ts';

export function cosignRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser(deps))
    .get('/:id', described({ summary: "A poll as its scrutineer co-signs it: their entry and, after close, the digest", access: 'organizer' }), (c) =>
      c.json(cosigningView(deps, c.req.param('id'), c.get('user'))),
    )
    .put('/:id/key', jsonBody(scrutineerKeyBody, { summary: "Register the scrutineer's Ed25519 public key (before close)", access: 'scrutineer' }), (c) =>
      c.json(registerScrutineerKey(deps, c.req.param('id'), c.req.valid('json').publicKey, c.get('user'))),
    )
    .get(
      '/:id/late-checkins',
      described({ summary: 'The late check-ins waiting for approval, with the confirmation code each waiting phone shows', access: 'scrutineer' }),
      (c) => c.json(lateCheckInsAwaiting(deps, c.req.param('id'), c.get('user'))),
    )
    .post(
      '/:id/late-checkins/:voterId/approve',
      jsonBody(lateCheckInApprovalBody, { summary: "A scrutineer approves a late check-in: the voter is in the room and their phone shows this confirmation code", access: 'scrutineer' }),
      async (c) => {
        await approveLateCheckIn(deps, c.req.param('id'), c.req.param('voterId'), c.req.valid('json').confirmationCode, c.get('user'));
        return c.json({ ok: true });
      },
    )
    .get(
      '/:id/candidate-keys',
      described({ summary: "Three evaluations: candidates' registered key fingerprints and the keys waiting to replace them", access: 'scrutineer' }),
      (c) => c.json(candidateKeyRequests(deps, c.req.param('id'), c.get('user'))),
    )
    .post(
      '/:id/candidate-keys/approve',
      jsonBody(candidateKeyApprovalBody, { summary: "A scrutineer approves the keys whose fingerprint the candidate's own phone shows, in the room (before voting opens)", access: 'scrutineer' }),
      (c) => {
        const { questionId, fingerprint } = c.req.valid('json');
        return c.json(approveCandidateKey(deps, c.req.param('id'), questionId, fingerprint, c.get('user')));
      },
    )
    .post('/:id/opening-signature', jsonBody(cosignatureBody, { summary: "The scrutineer's co-signature of the opening statement (while voting is open)", access: 'scrutineer' }), (c) =>
      c.json(cosignOpening(deps, c.req.param('id'), c.req.valid('json').signature, c.get('user')), 201),
    )
    .post('/:id/signature', jsonBody(cosignatureBody, { summary: "The scrutineer's co-signature of the bundle digest (after close)", access: 'scrutineer' }), (c) =>
      c.json(cosign(deps, c.req.param('id'), c.req.valid('json').signature, c.get('user')), 201),
    );
}
