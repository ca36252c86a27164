/**
 * Request bodies and response shapes of the HTTP API that the browser client, the demo client
 * and the server share. The server validates every body with these (strict: unknown keys are
 * rejected) and generates /api/openapi.json from them.
 */
import { z } from 'zod';
import { idSchema, questionListSchema, type Phase, type Question } from './poll.ts';

const base64 = z
  .string()
  .max(4096)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
const base64url = z.string().max(4096).regex(/^[A-Za-z0-9_-]*$/, 'must be base64url without padding');
const name = z.string().trim().min(1).max(200);
export const votingCodeInput = z.string().min(1).max(40);

// ---- organizer side ----

export const loginBody = z.strictObject({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });
export const createUserBody = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._-]{3,64}$/, '3–64 letters, digits, . _ or -'),
  password: z.string().min(10, 'at least 10 characters').max(200),
  role: z.enum(['admin', 'organizer']),
});
export const createMeetingBody = z.strictObject({ title: name });
export const rosterEntry = z.strictObject({
  name,
  number: z.string().trim().min(1).max(40),
  groups: z.array(idSchema).min(1).max(5).default(['members']),
});
export const addVotersBody = z.strictObject({ voters: z.array(rosterEntry).min(1).max(5000) });
export const createPollBody = z.strictObject({
  title: name,
  kind: z.literal('generic').default('generic'),
  questions: questionListSchema,
  groups: z.array(idSchema).min(1).max(5).default(['members']),
});
export const updatePollBody = z.strictObject({ title: name.optional(), questions: questionListSchema.optional() });
export const transitionBody = z.strictObject({ to: z.enum(['checkin', 'voting', 'closed', 'published']) });
export const slipsBody = z.strictObject({ voterIds: z.array(z.string().max(64)).max(5000).optional() });

// ---- voter side ----

export const lookupBody = z.strictObject({ code: votingCodeInput });
export const checkinBody = z.strictObject({
  code: votingCodeInput,
  requests: z
    .array(z.strictObject({ pollId: idSchema, group: idSchema, blindedMessage: base64 }))
    .min(1)
    .max(50),
});
export const castBody = z.strictObject({
  token: base64url,
  choices: z.record(idSchema, z.union([idSchema, z.array(idSchema).max(200)])),
});

export interface PublicKeyView {
  group: string;
  keyId: string;
  /** base64 DER SubjectPublicKeyInfo */
  spki: string;
  fingerprint: string;
}

export interface PublicPollView {
  id: string;
  title: string;
  kind: string;
  phase: Phase;
  groups: string[];
  questions: Question[];
  keys: PublicKeyView[];
}

export interface PublicMeetingView {
  id: string;
  title: string;
  polls: PublicPollView[];
}

export interface LookupResponse {
  meetingId: string;
  voter: { name: string };
  entitlements: { pollId: string; group: string; keyId: string; issued: boolean }[];
}

export interface CheckinResponse {
  signatures: { pollId: string; group: string; blindSignature: string }[];
}

export interface CastResponse {
  receipt: string;
  replay: boolean;
}

export interface TurnoutView {
  pollId: string;
  phase: Phase;
  expected: number;
  checkedIn: number;
  ballotsCast: number;
}
