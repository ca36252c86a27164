/**
 * The whole database schema (drizzle, SQLite). camelCase in TypeScript, snake_case in SQL.
 * Migrations under drizzle/ are generated from this file and committed; one of them is hand
 * written: `ballots` must be WITHOUT ROWID (see drizzle/0001_ballots_without_rowid.sql).
 *
 * Privacy rule for this file: nothing that stores a ballot may hold a time, an address, a
 * session, a request id or an insertion order. `ballots` is keyed by the token's random nonce.
 */
import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * The organization as a tree: university → college → branch. An organizer runs the polls of
 * their own unit; a scrutineer watches them; the admin (organization department) manages all.
 */
export const units = sqliteTable('units', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  parentId: text('parent_id').references((): AnySQLiteColumn => units.id),
  createdAt: text('created_at').notNull(),
});

/**
 * A year of the work calendar entered by an administrator (shared/publicity.ts): it replaces the
 * shipped year of the same number, if any. Dates as JSON arrays of `YYYY-MM-DD`.
 */
export const calendarYears = sqliteTable('calendar_years', {
  year: integer('year').primaryKey(),
  source: text('source').notNull(),
  holidays: text('holidays', { mode: 'json' }).$type<string[]>().notNull(),
  workdays: text('workdays', { mode: 'json' }).$type<string[]>().notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const USER_ROLES = ['admin', 'organizer', 'scrutineer'] as const;

/**
 * A scrutineer named for a poll. `account`: the scrutineer's sign-in name, when they will co-sign
 * the result; `publicKey`: the Ed25519 key their own browser generated and registered before close.
 */
export interface ScrutineerEntry {
  name: string;
  role: 'supervisor' | 'counter';
  account?: string;
  publicKey?: string;
}

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  /** scrypt$N$r$p$salt$hash, see server/auth/password.ts */
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: USER_ROLES }).notNull(),
  /** The unit an organizer or scrutineer belongs to; null for the admin (and accounts made before units). */
  unitId: text('unit_id').references(() => units.id),
  createdAt: text('created_at').notNull(),
});

export const sessions = sqliteTable('sessions', {
  /** SHA-256 of the session cookie value; the cookie itself is never stored. */
  tokenHash: text('token_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  csrfToken: text('csrf_token').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export const meetings = sqliteTable('meetings', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  ownerId: text('owner_id')
    .notNull()
    .references(() => users.id),
  /** The unit whose meeting this is (its creator's unit); its organizers and scrutineers may see it. */
  unitId: text('unit_id').references(() => units.id),
  createdAt: text('created_at').notNull(),
  /**
   * The room code (会场码): six digits shown on the projector while check-in is open and needed to
   * check in, so that a slip handed out early cannot be used from outside the room. Set when
   * check-in opens; the organizer may draw a new one.
   */
  roomCode: text('room_code'),
  /** Check-in stays open after voting opens; each late check-in then needs a scrutineer's approval. */
  lateCheckIn: integer('late_check_in', { mode: 'boolean' }).notNull().default(false),
});

export const voters = sqliteTable(
  'voters',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Student or staff number, unique within the meeting. */
    number: text('number').notNull(),
    /** JSON array of voter groups, e.g. ["members"]. */
    groups: text('groups', { mode: 'json' }).$type<string[]>().notNull(),
    /** SHA-256 of the current voting code; null until slips are generated. */
    codeHash: text('code_hash').unique(),
    /** Party membership: only full members vote at a branch general meeting. */
    status: text('status', { enum: ['full', 'probationary'] }).notNull().default('full'),
  },
  (t) => [uniqueIndex('voters_meeting_number').on(t.meetingId, t.number)],
);

export const polls = sqliteTable('polls', {
  id: text('id').primaryKey(),
  meetingId: text('meeting_id')
    .notNull()
    .references(() => meetings.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  kind: text('kind').notNull(),
  phase: text('phase', { enum: ['draft', 'checkin', 'voting', 'closed', 'published'] }).notNull(),
  questions: text('questions', { mode: 'json' }).notNull(),
  rule: text('rule', { mode: 'json' }).notNull(),
  groups: text('groups', { mode: 'json' }).$type<string[]>().notNull(),
  /** Scrutineers named for the poll: [{ name, role: 'supervisor' (监票人) | 'counter' (计票人) }]. */
  scrutineers: text('scrutineers', { mode: 'json' }).$type<ScrutineerEntry[]>().notNull().default([]),
  /** Candidates' roster numbers by question id, for evaluations: who may submit which self-evaluation. Never published. */
  candidateNumbers: text('candidate_numbers', { mode: 'json' }).$type<Record<string, string>>().notNull().default({}),
  closedAt: text('closed_at'),
  /** When the result was published: the publicity period (公示) starts on this day. */
  publishedAt: text('published_at'),
  /** Length of the publicity period in working days (on the work calendar: shared/publicity.ts). */
  publicityWorkingDays: integer('publicity_working_days').notNull().default(5),
  /** The period as announced at publication (YYYY-MM-DD): a later calendar may lengthen it, never shorten it. */
  publicityFirstDay: text('publicity_first_day'),
  publicityLastDay: text('publicity_last_day'),
  /** The signed tally bundle (JSON), written at close, public once published. */
  bundle: text('bundle'),
  createdAt: text('created_at').notNull(),
  /**
   * The opening of voting (server/services/opening.ts): `{ state: 'signing' }` while the pending
   * check-ins are being signed (check-in is then closed), then the opening statement.
   */
  opening: text('opening', { mode: 'json' }).$type<OpeningRecord>(),
  /** Submissions refused because a key had no token left: counted, published in the bundle. */
  refusedOverIssued: integer('refused_over_issued').notNull().default(0),
  /** How many in the room said they did not vote, recorded by the scrutineers before close. */
  declaredNotVoted: integer('declared_not_voted'),
});

/**
 * The opening statement of a poll, written in the act that opens voting: the head count, the
 * check-ins signed and struck, the tokens issued per key, the key set and the audit log's head.
 * Shown on the projector, co-signed by scrutineers, copied into the bundle.
 */
export type OpeningRecord =
  | { state: 'signing' }
  | {
      state: 'open';
      headCount: number;
      headCountNote: string;
      checkedIn: number;
      struck: number;
      issued: Record<string, number>;
      keySetDigest: string;
      /** The meeting's record at the opening (shared/audit/record.ts): its last entry and digest. */
      anchor: { seq: number; digest: string };
      /** Scrutineers' co-signatures of the statement (shared/crypto/opening-statement.ts), by account, with the key they used. */
      cosignatures?: { account: string; publicKey: string; signature: string }[];
    };

/**
 * Issuing keys: one per (poll, voter group, question), so that a token, and the ballot it
 * becomes, answers exactly one question (protocol v2).
 */
export const pollKeys = sqliteTable(
  'poll_keys',
  {
    /** Hex SHA-256 of the SPKI DER. */
    keyId: text('key_id').primaryKey(),
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    group: text('group').notNull(),
    questionId: text('question_id').notNull().default(''),
    spki: blob('spki', { mode: 'buffer' }).notNull(),
    /** PKCS#8 DER; set to null (destroyed) when voting opens (or at close, if late check-in is allowed). */
    privateKey: blob('private_key', { mode: 'buffer' }),
    /** Tokens issued under this key (blind signatures made at the opening and for approved late check-ins). */
    issuedCount: integer('issued_count').notNull().default(0),
    /** Ballots taken under this key: a count, never more than `issuedCount`. */
    castCount: integer('cast_count').notNull().default(0),
  },
  (t) => [uniqueIndex('poll_keys_poll_group_question').on(t.pollId, t.group, t.questionId)],
);

/**
 * Members left out of a meeting's expected count (long illness, abroad …), with the reason and
 * who approved it. An excluded member receives no token.
 */
export const exclusions = sqliteTable('exclusions', {
  voterId: text('voter_id')
    .primaryKey()
    .references(() => voters.id, { onDelete: 'cascade' }),
  meetingId: text('meeting_id')
    .notNull()
    .references(() => meetings.id, { onDelete: 'cascade' }),
  reason: text('reason').notNull(),
  approvedBy: text('approved_by').notNull(),
});

/**
 * Written opinions of absent voting members, entered by the organizer before voting opens.
 * Named (they are not secret ballots), counted in the tally, kept apart from the ballots.
 */
export const writtenOpinions = sqliteTable(
  'written_opinions',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    voterId: text('voter_id')
      .notNull()
      .references(() => voters.id, { onDelete: 'cascade' }),
    /** Canonical JSON of the choices, as on a ballot. */
    choices: text('choices').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.voterId] })],
);

/**
 * What was decided beside an advisory result: the branch committee's decision on a candidate
 * (confirming activists and development objects, league recommendations), and the higher
 * committee's pre-examination of a development object. Recorded after close; audit-logged.
 */
export const decisions = sqliteTable(
  'decisions',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    step: text('step', { enum: ['committee_decision', 'pre_examination', 'league_review'] }).notNull(),
    outcome: text('outcome').notNull(),
    decidedBy: text('decided_by').notNull(),
    /** The date of the decision (YYYY-MM-DD), as written in the minutes. */
    date: text('date').notNull(),
    note: text('note').notNull().default(''),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.questionId, t.step] })],
);

/**
 * Self-evaluations in the "three evaluations": not anonymous — the candidate's own signed
 * statement, submitted with their voting code and stored with their roster entry.
 */
export const selfEvaluations = sqliteTable(
  'self_evaluations',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    voterId: text('voter_id')
      .notNull()
      .references(() => voters.id, { onDelete: 'cascade' }),
    /** Canonical JSON of { criterionId: score }. */
    scores: text('scores').notNull(),
    /** The candidate's Ed25519 signature over it with their registered key (shared/crypto/candidate-key.ts); null before protocol v2. */
    signature: text('signature'),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.questionId] })],
);

/**
 * A candidate's own public keys (three evaluations, protocol v2): made in their browser,
 * registered in the room before voting opens. The signing key signs the self-evaluation; raters'
 * devices seal comments to the box key. Public: shown on the projector and in the bundle.
 */
export const candidateKeys = sqliteTable(
  'candidate_keys',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    signingKey: text('signing_key').notNull(),
    boxKey: text('box_key').notNull(),
    /**
     * A fingerprint a scrutineer approved, read from the candidate's own phone, before keys with
     * it reached the server (or after a flood of other requests pushed them out): the next keys
     * registered for the candidacy with this fingerprint replace these at once.
     */
    approvedFingerprint: text('approved_fingerprint'),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.questionId] })],
);

/**
 * Requests to replace a candidate's registered keys (three evaluations): the first registration
 * holds; keys registered later for the same candidacy (a lost phone, or someone else holding the
 * printed code) wait here until a scrutineer, looking at the candidate's phone in the room,
 * approves the one whose fingerprint it shows. A few per candidacy at most (the oldest go first);
 * `id` orders them. Nothing here concerns a ballot.
 */
export const candidateKeyRequests = sqliteTable(
  'candidate_key_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    questionId: text('question_id').notNull(),
    signingKey: text('signing_key').notNull(),
    boxKey: text('box_key').notNull(),
  },
  (t) => [index('candidate_key_requests_question').on(t.pollId, t.questionId)],
);

export const CHECKIN_STATES = ['pending', 'issued', 'struck', 'awaiting_approval'] as const;

/**
 * The sign-in sheet: who checked in for which poll. `pending` until voting opens (a new check-in
 * from another device replaces it, with a new `checkinId`); `issued` once signed at the opening;
 * `struck` when the scrutineers found the voter not in the room; `awaiting_approval` for a late
 * check-in waiting for a scrutineer. `checkinId` is the random handle the device fetches its
 * blind signatures with.
 */
export const checkins = sqliteTable(
  'checkins',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    voterId: text('voter_id')
      .notNull()
      .references(() => voters.id, { onDelete: 'cascade' }),
    checkinId: text('checkin_id').notNull(),
    state: text('state', { enum: CHECKIN_STATES }).notNull(),
    /** Checked in after voting opened, approved by `approvedBy` (a scrutineer). */
    late: integer('late', { mode: 'boolean' }).notNull().default(false),
    approvedBy: text('approved_by'),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.voterId] }), index('checkins_checkin_id').on(t.checkinId)],
);

/**
 * One blinded request per (key, voter), and its blind signature once signed. The blinded message
 * is statistically independent of the token it becomes, so keeping it does not link the voter to
 * a ballot.
 */
export const issuanceRequests = sqliteTable(
  'issuance_requests',
  {
    keyId: text('key_id')
      .notNull()
      .references(() => pollKeys.keyId, { onDelete: 'cascade' }),
    voterId: text('voter_id')
      .notNull()
      .references(() => voters.id, { onDelete: 'cascade' }),
    blindedMessage: blob('blinded_message', { mode: 'buffer' }).notNull(),
    blindSignature: blob('blind_signature', { mode: 'buffer' }),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.voterId] })],
);

/**
 * Anonymous ballots. WITHOUT ROWID in SQL (hand-written migrations 0001, 0006) so that not even
 * SQLite's hidden rowid records the arrival order. Keyed by the token's nonce. One ballot answers
 * the one question of its key.
 */
export const ballots = sqliteTable('ballots', {
  nonce: blob('nonce', { mode: 'buffer' }).primaryKey(),
  pollId: text('poll_id').notNull(),
  /** The key the token names (also bytes 66–97 of the token). */
  keyId: text('key_id').notNull(),
  token: blob('token', { mode: 'buffer' }).notNull(),
  /** The device's 32 random bytes that the receipt covers. */
  salt: blob('salt', { mode: 'buffer' }).notNull(),
  /** Canonical JSON of the validated answer. */
  answer: text('answer').notNull(),
});

/** Append-only, hash-chained record of every administrative act (never of a ballot). */
export const auditLog = sqliteTable('audit_log', {
  seq: integer('seq').primaryKey(),
  at: text('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subject: text('subject').notNull(),
  details: text('details').notNull().default(sql`'{}'`),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
});

/**
 * Per-candidate comments from the three evaluations: shown to the candidate only, never
 * attributed. WITHOUT ROWID in SQL (hand-written migration) and keyed by a random id, with no
 * nonce, token, group or time: nothing joins a comment to its ballot or its rater. Since protocol
 * v2 `text` holds the comment sealed to the candidate's box key (base64): the server cannot read it.
 */
export const candidateComments = sqliteTable('candidate_comments', {
  id: blob('id', { mode: 'buffer' }).primaryKey(),
  pollId: text('poll_id').notNull(),
  questionId: text('question_id').notNull(),
  text: text('text').notNull(),
});

/**
 * Objections during the publicity period (mass supervision). Anonymous unless the person gives
 * a name. No address or session is stored; the rate limit lives in memory only. WITHOUT ROWID
 * in SQL (hand-edited migration 0005), keyed by a random id: no arrival order is kept.
 */
export const objections = sqliteTable('objections', {
  id: text('id').primaryKey(),
  pollId: text('poll_id')
    .notNull()
    .references(() => polls.id, { onDelete: 'cascade' }),
  /** The day it was received (YYYY-MM-DD), to tell whether it came within the period. */
  receivedOn: text('received_on').notNull(),
  text: text('text').notNull(),
  /** The objector's name and how to reach them, only if they chose to give them. */
  name: text('name'),
  contact: text('contact'),
  /**
   * 'member': sent with a voting code of the meeting's roster (the code only proved membership
   * and is not stored); 'public': anyone. Members have their own share, which junk cannot fill.
   */
  channel: text('channel', { enum: ['public', 'member'] }).notNull().default('public'),
  outcome: text('outcome', { enum: ['proceed', 'defer', 'reject'] }),
  outcomeNote: text('outcome_note'),
  decidedBy: text('decided_by'),
});

/** Scrutineers' Ed25519 co-signatures over the bundle digest (see shared/crypto/bundle-digest.ts). */
export const cosignatures = sqliteTable(
  'cosignatures',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => polls.id, { onDelete: 'cascade' }),
    account: text('account').notNull(),
    signature: text('signature').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pollId, t.account] })],
);
