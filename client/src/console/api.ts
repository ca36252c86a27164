/**
 * The organizer console's HTTP client: every server call of the console goes through here.
 * Sign-in returns a CSRF token that every later request echoes in `x-csrf-token`; the session
 * itself is an HttpOnly cookie. Every call throws `ApiError` (code, message, status) on an
 * error answer `{ error: { code, message } }`; nothing returns an error as if it were data.
 */
import { ApiError, requestJson } from '../../../shared/protocol/api-client.ts';
import type { CandidateKeyApproval, DecisionStep, CandidateKeyRequests, CheckinState, LateCheckInsAwaiting, OpeningFactsInput, PublicPollView, TurnoutView } from '../../../shared/protocol/api.ts';
import type { Phase } from '../../../shared/protocol/poll.ts';
import type { Bundle, Cosignature, OpeningStatement } from '../../../shared/protocol/bundle.ts';
import type { Rule } from '../../../shared/tally/rules.ts';
import type { RosterStatus } from '../../../shared/protocol/roster-csv.ts';

export { ApiError };

export interface SessionUser {
  id: string;
  username: string;
  role: 'admin' | 'organizer' | 'scrutineer';
}

export interface MeetingSummary {
  id: string;
  title: string;
  createdAt: string;
}

/** A poll as GET /api/meetings/:id lists it: the public view without keys, with turnout and rule. */
export interface MeetingPoll extends Omit<PublicPollView, 'keys'> {
  turnout: TurnoutView;
  rule: Rule;
}

export interface MeetingDetail extends MeetingSummary {
  polls: MeetingPoll[];
  /** The fingerprint of the meeting's key set, as on the slips and the projector (null before check-in opens). */
  keySetFingerprint: string | null;
  /** Check-in after voting opens, each approved by a scrutineer: decided before any poll opens voting. */
  lateCheckIn: boolean;
  /** The units above the meeting's, nearest first: who may pre-examine (预审) and approve. */
  higherUnits: string[];
}

/** Where a voter stands on a poll's sign-in sheet. */
export type SheetState = CheckinState | 'written_opinion';

/** GET /api/polls/:id/checkins: every expected voter of the poll, in roster order. Never what anyone voted. */
export interface SignInSheet {
  pollId: string;
  phase: Phase;
  voters: { voterId: string; name: string; number: string; state: SheetState; late: boolean }[];
}

/** What opening voting records for one poll: the head count, a note, the check-ins struck. */
export type OpeningFacts = OpeningFactsInput;

export interface RosterVoter {
  id: string;
  name: string;
  number: string;
  groups: string[];
  status: RosterStatus;
  hasCode: boolean;
}

export interface Slip {
  voterId: string;
  name: string;
  number: string;
  code: string;
  link: string;
}

export interface SlipsResponse {
  /** The meeting's one key-set fingerprint, in every slip's link. */
  keySetFingerprint: string;
  /** Voters left out because they have already checked in (their code stays valid). */
  skippedCheckedIn: number;
  slips: Slip[];
}

export interface Scrutineer {
  name: string;
  role: 'supervisor' | 'counter';
  /** Their account, when they co-sign the result from their own browser. */
  account?: string;
}

export interface Decision {
  questionId: string;
  step: DecisionStep;
  outcome: string;
  decidedBy: string;
  date: string;
  note: string;
}

export interface PollRecord {
  decisions?: Decision[];
  exclusions: { voterId: string; name?: string; number?: string; reason: string; approvedBy: string }[];
  writtenOpinions: { voterId: string; name?: string; number?: string; choices: Record<string, string | string[]> }[];
  scrutineers: Scrutineer[];
}

export interface Objection {
  id: string;
  receivedOn: string;
  text: string;
  name: string | null;
  contact: string | null;
  /** `member`: sent with a voting code of the meeting's roster (the code itself is not kept); `public`: by anyone. */
  channel: 'public' | 'member';
  outcome: 'proceed' | 'defer' | 'reject' | null;
  outcomeNote: string | null;
  decidedBy: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
}

/** A year of the work calendar the publicity periods are counted on (GET /api/public/calendar). */
export interface CalendarYearView {
  year: number;
  source: string;
  holidays: string[];
  workdays: string[];
  origin: 'shipped' | 'entered';
}

export interface Unit {
  id: string;
  name: string;
  parentId: string | null;
}

export interface Account {
  id: string;
  username: string;
  role: SessionUser['role'];
  unitId: string | null;
}

/** A poll as its scrutineer co-signs it: their entry and, after close, the signed bundle. */
export interface CosignView {
  poll: { id: string; title: string; kind: string; phase: Phase };
  me: { name: string; role: 'supervisor' | 'counter'; publicKey: string | null } | null;
  bundle: Bundle | null;
  /** Once voting has opened: the opening statement, and who co-signed it. */
  opening: { statement: OpeningStatement; cosignatures: Cosignature[] } | null;
}

export type TransitionTarget = 'checkin' | 'voting' | 'closed' | 'published';

export function createConsoleApi(baseUrl = '') {
  let csrfToken = '';
  const call = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    requestJson<T>(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  const id = encodeURIComponent;
  const remember = (session: { user: SessionUser; csrfToken: string }) => {
    csrfToken = session.csrfToken;
    return session.user;
  };
  return Object.freeze({
    signIn: async (username: string, password: string) =>
      remember(await call<{ user: SessionUser; csrfToken: string }>('POST', '/api/session', { username, password })),
    /** The session after a reload; throws ApiError 401 when there is none. */
    restore: async () => remember(await call<{ user: SessionUser; csrfToken: string }>('GET', '/api/session')),
    signOut: async () => {
      await call('DELETE', '/api/session');
      csrfToken = '';
    },
    meetings: async () => (await call<{ meetings: MeetingSummary[] }>('GET', '/api/meetings')).meetings,
    createMeeting: (title: string) => call<MeetingSummary>('POST', '/api/meetings', { title }),
    meeting: (meetingId: string) => call<MeetingDetail>('GET', `/api/meetings/${id(meetingId)}`),
    voters: async (meetingId: string) => (await call<{ voters: RosterVoter[] }>('GET', `/api/meetings/${id(meetingId)}/voters`)).voters,
    addVoters: (meetingId: string, voters: { name: string; number: string; groups: string[]; status: RosterStatus }[]) =>
      call<{ voters: unknown[] }>('POST', `/api/meetings/${id(meetingId)}/voters`, { voters }),
    createPoll: (meetingId: string, body: unknown) =>
      call<{ id: string; warnings: { zh: string; en: string; candidate: string }[] }>('POST', `/api/meetings/${id(meetingId)}/polls`, body),
    renamePoll: (pollId: string, title: string) => call('PATCH', `/api/polls/${id(pollId)}`, { title }),
    deletePoll: (pollId: string) => call('DELETE', `/api/polls/${id(pollId)}`),
    /** Every poll one phase behind `to` moves; opening voting gives each poll's head count (`openings`). */
    transitionMeeting: (meetingId: string, to: TransitionTarget, openings?: Record<string, OpeningFacts>) =>
      call<{ polls: { id: string; phase: Phase }[] }>('POST', `/api/meetings/${id(meetingId)}/transition`, openings ? { to, openings } : { to }),
    /** One poll moves on; opening voting carries its head count and strikes. */
    transitionPoll: (pollId: string, to: TransitionTarget, opening?: OpeningFacts) =>
      call('POST', `/api/polls/${id(pollId)}/transition`, opening ? { to, ...opening } : { to }),
    checkins: (pollId: string) => call<SignInSheet>('GET', `/api/polls/${id(pollId)}/checkins`),
    roomCode: async (meetingId: string) => (await call<{ roomCode: string | null }>('GET', `/api/meetings/${id(meetingId)}/room-code`)).roomCode,
    /** A new room code: the old one stops working at once. */
    drawRoomCode: async (meetingId: string) => (await call<{ roomCode: string }>('POST', `/api/meetings/${id(meetingId)}/room-code`)).roomCode,
    /** Allowing it says the organizer accepted the timing exposure (the confirmation names it). */
    setLateCheckIn: (meetingId: string, setting: { allowed: true; exposureAccepted: true } | { allowed: false }) =>
      call('PUT', `/api/meetings/${id(meetingId)}/late-check-in`, setting),
    /** How many in the room said they did not vote (null: clear it), while voting is open. */
    setDeclaredNotVoted: (pollId: string, count: number | null) => call('PUT', `/api/polls/${id(pollId)}/declared-not-voted`, { count }),
    /** Three evaluations: candidates' new keys waiting for a scrutineer named for the poll. */
    candidateKeyRequests: (pollId: string) => call<CandidateKeyRequests>('GET', `/api/cosign/${id(pollId)}/candidate-keys`),
    /** A scrutineer approves the keys whose fingerprint the candidate's own phone shows, in the room. */
    approveCandidateKey: (pollId: string, questionId: string, fingerprint: string) =>
      call<CandidateKeyApproval>('POST', `/api/cosign/${id(pollId)}/candidate-keys/approve`, { questionId, fingerprint }),
    /** The late check-ins waiting for a scrutineer named for the poll, each with the code its phone shows. */
    lateCheckIns: (pollId: string) => call<LateCheckInsAwaiting>('GET', `/api/cosign/${id(pollId)}/late-checkins`),
    /** A scrutineer named for the poll approves a late check-in of someone they see in the room, whose phone shows `confirmationCode`. */
    approveLateCheckIn: (pollId: string, voterId: string, confirmationCode: string) =>
      call('POST', `/api/cosign/${id(pollId)}/late-checkins/${id(voterId)}/approve`, { confirmationCode }),
    /** New codes for `voterIds` (or everybody not checked in): each voter's earlier code stops working. */
    slips: (meetingId: string, voterIds?: string[]) =>
      call<SlipsResponse>('POST', `/api/meetings/${id(meetingId)}/slips`, voterIds ? { voterIds } : {}),
    exclude: (meetingId: string, voterId: string, reason: string, approvedBy: string) =>
      call('PUT', `/api/meetings/${id(meetingId)}/exclusions/${id(voterId)}`, { reason, approvedBy }),
    include: (meetingId: string, voterId: string) => call('DELETE', `/api/meetings/${id(meetingId)}/exclusions/${id(voterId)}`),
    record: (pollId: string) => call<PollRecord>('GET', `/api/polls/${id(pollId)}/record`),
    setWrittenOpinion: (pollId: string, voterId: string, choices: Record<string, string | string[]>) =>
      call('PUT', `/api/polls/${id(pollId)}/written-opinions/${id(voterId)}`, { choices }),
    removeWrittenOpinion: (pollId: string, voterId: string) => call('DELETE', `/api/polls/${id(pollId)}/written-opinions/${id(voterId)}`),
    setScrutineers: (pollId: string, scrutineers: Scrutineer[]) => call('PUT', `/api/polls/${id(pollId)}/scrutineers`, { scrutineers }),
    bundle: (pollId: string) => call<Bundle>('GET', `/api/polls/${id(pollId)}/bundle`),
    recordDecision: (pollId: string, questionId: string, decision: Omit<Decision, 'questionId'>) =>
      call('PUT', `/api/polls/${id(pollId)}/decisions/${id(questionId)}`, decision),
    cosignView: (pollId: string) => call<CosignView>('GET', `/api/cosign/${id(pollId)}`),
    registerCosignKey: (pollId: string, publicKey: string) => call<{ publicKey: string }>('PUT', `/api/cosign/${id(pollId)}/key`, { publicKey }),
    cosign: (pollId: string, signature: string) => call<{ ok: true }>('POST', `/api/cosign/${id(pollId)}/signature`, { signature }),
    cosignOpening: (pollId: string, signature: string) => call<{ ok: true }>('POST', `/api/cosign/${id(pollId)}/opening-signature`, { signature }),
    objections: (pollId: string) =>
      call<{ period: { firstDay: string; lastDay: string } | null; objections: Objection[] }>('GET', `/api/polls/${id(pollId)}/objections`),
    answerObjection: (pollId: string, objectionId: string, outcome: NonNullable<Objection['outcome']>, note: string) =>
      call('PUT', `/api/polls/${id(pollId)}/objections/${id(objectionId)}`, { outcome, note }),
    audit: (meetingId: string) =>
      call<{ chain: { ok: boolean; brokenAt?: number; entries?: number }; entries: AuditEntry[] }>('GET', `/api/meetings/${id(meetingId)}/audit`),
    units: async () => (await call<{ units: Unit[] }>('GET', '/api/units')).units,
    createUnit: (name: string, parentId?: string) => call<Unit>('POST', '/api/units', { name, ...(parentId ? { parentId } : {}) }),
    accounts: async () => (await call<{ users: Account[] }>('GET', '/api/users')).users,
    reschedule: (pollId: string, headCount: number) => call<{ headCount: number; checkedIn: number; expected: number; needed: number }>('POST', `/api/polls/${id(pollId)}/reschedule`, { headCount }),
    calendar: () => call<{ years: CalendarYearView[]; cutoff: string }>('GET', '/api/public/calendar'),
    setCalendarYear: (year: number, body: { source: string; holidays: string[]; workdays: string[] }) => call<CalendarYearView>('PUT', `/api/calendar/${year}`, body),
    removeCalendarYear: (year: number) => call('DELETE', `/api/calendar/${year}`),
    createAccount: (body: { username: string; password: string; role: Account['role']; unitId?: string }) => call<Account>('POST', '/api/users', body),
  });
}

export type ConsoleApi = ReturnType<typeof createConsoleApi>;
