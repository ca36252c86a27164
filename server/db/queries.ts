/**
 * Every SQL statement of the server, as named functions. Routes and services call these and
 * never build queries themselves.
 */
import { and, asc, count, eq, inArray, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from './open.ts';
import {
  auditLog,
  ballots,
  candidateComments,
  candidateKeys,
  candidateKeyRequests,
  checkins,
  cosignatures,
  decisions,
  exclusions,
  issuanceRequests,
  meetings,
  objections,
  pollKeys,
  polls,
  selfEvaluations,
  sessions,
  units,
  calendarYears,
  users,
  voters,
  writtenOpinions,
  type USER_ROLES,
} from './schema.ts';

export type UserRow = typeof users.$inferSelect;
export type UserRole = (typeof USER_ROLES)[number];
export type UnitRow = typeof units.$inferSelect;
export type ObjectionRow = typeof objections.$inferSelect;
export type MeetingRow = typeof meetings.$inferSelect;
export type VoterRow = typeof voters.$inferSelect;
export type PollRow = typeof polls.$inferSelect;
export type PollKeyRow = typeof pollKeys.$inferSelect;
export type CheckinRow = typeof checkins.$inferSelect;
export type IssuanceRequestRow = typeof issuanceRequests.$inferSelect;
export type BallotRow = typeof ballots.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type ExclusionRow = typeof exclusions.$inferSelect;
export type DecisionRow = typeof decisions.$inferSelect;
export type WrittenOpinionRow = typeof writtenOpinions.$inferSelect;

/**
 * Prepared statements for the hot paths (casting, check-in), built once per database: drizzle
 * would otherwise rebuild and recompile the SQL on every request.
 */
const preparedCache = new WeakMap<Db, Map<string, unknown>>();
function prepared<T>(db: Db, name: string, build: () => T): T {
  let cache = preparedCache.get(db);
  if (!cache) preparedCache.set(db, (cache = new Map()));
  if (!cache.has(name)) cache.set(name, build());
  return cache.get(name) as T;
}

export function runInTransaction<T>(db: Db, work: () => T): T {
  return db.$client.transaction(work).immediate();
}

// ---- users and sessions ----

export const insertUser = (db: Db, row: typeof users.$inferInsert) => db.insert(users).values(row).run();
export const findUserByUsername = (db: Db, username: string) =>
  db.select().from(users).where(eq(users.username, username)).get();
export const findUserById = (db: Db, id: string) => db.select().from(users).where(eq(users.id, id)).get();
export const countUsers = (db: Db) => db.select({ n: count() }).from(users).get()!.n;
export const listUsers = (db: Db) =>
  db.select({ id: users.id, username: users.username, role: users.role, unitId: users.unitId }).from(users).orderBy(asc(users.username)).all();

export const insertUnit = (db: Db, row: typeof units.$inferInsert) => db.insert(units).values(row).run();
export const getUnit = (db: Db, id: string) => db.select().from(units).where(eq(units.id, id)).get();
export const listUnits = (db: Db) => db.select().from(units).orderBy(asc(units.name), asc(units.id)).all();

export const listCalendarYears = (db: Db) => db.select().from(calendarYears).orderBy(asc(calendarYears.year)).all();
export const upsertCalendarYear = (db: Db, row: typeof calendarYears.$inferInsert) =>
  db.insert(calendarYears).values(row).onConflictDoUpdate({ target: calendarYears.year, set: row }).run();
export const deleteCalendarYear = (db: Db, year: number) => db.delete(calendarYears).where(eq(calendarYears.year, year)).run().changes;

export const insertSession = (db: Db, row: typeof sessions.$inferInsert) => db.insert(sessions).values(row).run();
export function findSession(db: Db, tokenHash: string, nowMs: number) {
  return db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), sql`${sessions.expiresAt} > ${nowMs}`))
    .get();
}
export const deleteSession = (db: Db, tokenHash: string) =>
  db.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).run();
export const deleteExpiredSessions = (db: Db, nowMs: number) =>
  db.delete(sessions).where(lt(sessions.expiresAt, nowMs)).run();

// ---- meetings, rosters, polls ----

export const insertMeeting = (db: Db, row: typeof meetings.$inferInsert) => db.insert(meetings).values(row).run();
export const getMeeting = (db: Db, id: string) => db.select().from(meetings).where(eq(meetings.id, id)).get();
/** All meetings, or those a user may see: their own and their unit's. */
export function listMeetings(db: Db, visibleTo?: { id: string; unitId: string | null }) {
  const query = db.select().from(meetings);
  if (!visibleTo) return query.orderBy(asc(meetings.createdAt)).all();
  const own = eq(meetings.ownerId, visibleTo.id);
  return query
    .where(visibleTo.unitId ? or(own, eq(meetings.unitId, visibleTo.unitId)) : own)
    .orderBy(asc(meetings.createdAt))
    .all();
}

export const insertVoters = (db: Db, rows: (typeof voters.$inferInsert)[]) => {
  if (rows.length) db.insert(voters).values(rows).run();
};
export const listVoters = (db: Db, meetingId: string) =>
  db.select().from(voters).where(eq(voters.meetingId, meetingId)).orderBy(asc(voters.number)).all();
/** The most voters any one meeting has on its roster (0 with none): the per-address limits never go below it. */
export const largestRosterSize = (db: Db): number =>
  (db.$client.prepare('SELECT max(n) AS n FROM (SELECT count(*) AS n FROM voters GROUP BY meeting_id)').get() as { n: number | null }).n ?? 0;
export const findVoterByCodeHash = (db: Db, codeHash: string) =>
  db.select().from(voters).where(eq(voters.codeHash, codeHash)).get();
export const setVoterCodeHash = (db: Db, voterId: string, codeHash: string) =>
  db.update(voters).set({ codeHash }).where(eq(voters.id, voterId)).run();

export const insertPoll = (db: Db, row: typeof polls.$inferInsert) => db.insert(polls).values(row).run();
export const getPoll = (db: Db, id: string) =>
  prepared(db, 'getPoll', () => db.select().from(polls).where(eq(polls.id, sql.placeholder('id'))).prepare()).get({ id });
export const listPollsOfMeeting = (db: Db, meetingId: string) =>
  db.select().from(polls).where(eq(polls.meetingId, meetingId)).orderBy(asc(polls.createdAt), asc(polls.id)).all();
export const listPublishedPolls = (db: Db) =>
  db.select().from(polls).where(eq(polls.phase, 'published')).orderBy(asc(polls.closedAt)).all();
export const deletePoll = (db: Db, id: string) => db.delete(polls).where(eq(polls.id, id)).run();
export const setPollPhase = (db: Db, id: string, phase: PollRow['phase']) =>
  db.update(polls).set({ phase }).where(eq(polls.id, id)).run();
export const setPollPublished = (db: Db, id: string, publishedAt: string, period: { firstDay: string; lastDay: string }) =>
  db.update(polls).set({ phase: 'published', publishedAt, publicityFirstDay: period.firstDay, publicityLastDay: period.lastDay }).where(eq(polls.id, id)).run();
export const setPollClosed = (db: Db, id: string, closedAt: string, bundle: string) =>
  db.update(polls).set({ phase: 'closed', closedAt, bundle }).where(eq(polls.id, id)).run();
export const setPollOpening = (db: Db, id: string, opening: PollRow['opening']) => db.update(polls).set({ opening }).where(eq(polls.id, id)).run();
export const setDeclaredNotVoted = (db: Db, id: string, declaredNotVoted: number | null) =>
  db.update(polls).set({ declaredNotVoted }).where(eq(polls.id, id)).run();
export const setRoomCode = (db: Db, meetingId: string, roomCode: string) => db.update(meetings).set({ roomCode }).where(eq(meetings.id, meetingId)).run();
export const setLateCheckIn = (db: Db, meetingId: string, lateCheckIn: boolean) =>
  db.update(meetings).set({ lateCheckIn }).where(eq(meetings.id, meetingId)).run();

// ---- issuing keys ----

export const insertPollKey = (db: Db, row: typeof pollKeys.$inferInsert) => db.insert(pollKeys).values(row).run();
/** A poll's keys in a stable order: by group, then question. */
export const listPollKeys = (db: Db, pollId: string) =>
  db.select().from(pollKeys).where(eq(pollKeys.pollId, pollId)).orderBy(asc(pollKeys.group), asc(pollKeys.questionId)).all();
/** Every key id of a meeting: the key set printed on the slips. */
export const listMeetingKeyIds = (db: Db, meetingId: string) =>
  db
    .select({ keyId: pollKeys.keyId })
    .from(pollKeys)
    .innerJoin(polls, eq(polls.id, pollKeys.pollId))
    .where(eq(polls.meetingId, meetingId))
    .all()
    .map((r) => r.keyId);
export const getPollKey = (db: Db, keyId: string) =>
  prepared(db, 'getPollKey', () => db.select().from(pollKeys).where(eq(pollKeys.keyId, sql.placeholder('keyId'))).prepare()).get({ keyId });
export const destroyPrivateKeys = (db: Db, pollId: string) =>
  db.update(pollKeys).set({ privateKey: null }).where(eq(pollKeys.pollId, pollId)).run();
export const addKeyIssued = (db: Db, keyId: string, n: number) =>
  db.update(pollKeys).set({ issuedCount: sql`${pollKeys.issuedCount} + ${n}` }).where(eq(pollKeys.keyId, keyId)).run();
export const incrementKeyCast = (db: Db, keyId: string) =>
  prepared(db, 'incrementKeyCast', () =>
    db
      .update(pollKeys)
      .set({ castCount: sql`${pollKeys.castCount} + 1` })
      .where(eq(pollKeys.keyId, sql.placeholder('keyId')))
      .prepare(),
  ).run({ keyId });

// ---- check-in (the sign-in sheet) and issuance ----

export const getCheckin = (db: Db, pollId: string, voterId: string) =>
  db.select().from(checkins).where(and(eq(checkins.pollId, pollId), eq(checkins.voterId, voterId))).get();
export const listCheckinsById = (db: Db, checkinId: string) => db.select().from(checkins).where(eq(checkins.checkinId, checkinId)).all();
export const listCheckins = (db: Db, pollId: string) => db.select().from(checkins).where(eq(checkins.pollId, pollId)).all();
export const listCheckinsOfVoter = (db: Db, voterId: string) => db.select().from(checkins).where(eq(checkins.voterId, voterId)).all();
export const upsertCheckin = (db: Db, row: CheckinRow) =>
  db
    .insert(checkins)
    .values(row)
    .onConflictDoUpdate({ target: [checkins.pollId, checkins.voterId], set: { checkinId: row.checkinId, state: row.state, late: row.late, approvedBy: row.approvedBy } })
    .run();
export const setCheckinState = (db: Db, pollId: string, voterId: string, state: CheckinRow['state'], approvedBy?: string) =>
  db
    .update(checkins)
    .set({ state, ...(approvedBy ? { approvedBy } : {}) })
    .where(and(eq(checkins.pollId, pollId), eq(checkins.voterId, voterId)))
    .run();
/** Checked in: a pending check-in (before voting opens) or a signed one; never a struck or unapproved one. */
export const countCheckedIn = (db: Db, pollId: string) =>
  db
    .select({ n: count() })
    .from(checkins)
    .where(and(eq(checkins.pollId, pollId), or(eq(checkins.state, 'pending'), eq(checkins.state, 'issued'))))
    .get()!.n;
export const listCheckedInVoterIds = (db: Db, pollId: string) =>
  db
    .select({ voterId: checkins.voterId })
    .from(checkins)
    .where(and(eq(checkins.pollId, pollId), or(eq(checkins.state, 'pending'), eq(checkins.state, 'issued'))))
    .all()
    .map((r) => r.voterId);

export const insertIssuanceRequests = (db: Db, rows: IssuanceRequestRow[]) => {
  if (rows.length) db.insert(issuanceRequests).values(rows).run();
};
/** A voter's blinded requests under a poll's keys. */
export const listRequestsOfVoter = (db: Db, pollId: string, voterId: string) =>
  db
    .select({ request: issuanceRequests, key: { group: pollKeys.group, questionId: pollKeys.questionId } })
    .from(issuanceRequests)
    .innerJoin(pollKeys, eq(pollKeys.keyId, issuanceRequests.keyId))
    .where(and(eq(pollKeys.pollId, pollId), eq(issuanceRequests.voterId, voterId)))
    .orderBy(asc(pollKeys.group), asc(pollKeys.questionId))
    .all();
export function deleteRequestsOfVoter(db: Db, pollId: string, voterId: string) {
  const keyIds = db.select({ keyId: pollKeys.keyId }).from(pollKeys).where(eq(pollKeys.pollId, pollId));
  return db.delete(issuanceRequests).where(and(eq(issuanceRequests.voterId, voterId), inArray(issuanceRequests.keyId, keyIds))).run();
}
/** The requests of the check-ins in `state`, per key of the poll. */
export const listRequestsInState = (db: Db, pollId: string, state: CheckinRow['state']) =>
  db
    .select({ keyId: issuanceRequests.keyId, voterId: issuanceRequests.voterId, blindedMessage: issuanceRequests.blindedMessage })
    .from(issuanceRequests)
    .innerJoin(pollKeys, eq(pollKeys.keyId, issuanceRequests.keyId))
    .innerJoin(checkins, and(eq(checkins.pollId, pollKeys.pollId), eq(checkins.voterId, issuanceRequests.voterId)))
    .where(and(eq(pollKeys.pollId, pollId), eq(checkins.state, state)))
    .orderBy(asc(issuanceRequests.keyId), asc(issuanceRequests.voterId))
    .all();
export const setBlindSignature = (db: Db, keyId: string, voterId: string, blindSignature: Buffer) =>
  db
    .update(issuanceRequests)
    .set({ blindSignature })
    .where(and(eq(issuanceRequests.keyId, keyId), eq(issuanceRequests.voterId, voterId)))
    .run();
/** Tokens issued (blind signatures made) per key id of the poll. */
export function issuedPerKey(db: Db, pollId: string): Record<string, number> {
  const rows = db
    .select({ keyId: issuanceRequests.keyId, n: count() })
    .from(issuanceRequests)
    .innerJoin(pollKeys, eq(pollKeys.keyId, issuanceRequests.keyId))
    .where(and(eq(pollKeys.pollId, pollId), isNotNull(issuanceRequests.blindSignature)))
    .groupBy(issuanceRequests.keyId)
    .all();
  return Object.fromEntries(rows.map((r) => [r.keyId, r.n]));
}

// ---- ballots (no time, no order, no requester) ----

/** Stores a ballot; the nonce is the primary key, so a second insert of one token fails. */
export const insertBallot = (db: Db, row: BallotRow) =>
  prepared(db, 'insertBallot', () =>
    db
      .insert(ballots)
      .values({
        nonce: sql.placeholder('nonce'),
        pollId: sql.placeholder('pollId'),
        keyId: sql.placeholder('keyId'),
        token: sql.placeholder('token'),
        salt: sql.placeholder('salt'),
        answer: sql.placeholder('answer'),
      })
      .prepare(),
  ).run(row);
export const getBallotByNonce = (db: Db, nonce: Buffer) =>
  prepared(db, 'getBallotByNonce', () => db.select().from(ballots).where(eq(ballots.nonce, sql.placeholder('nonce'))).prepare()).get({ nonce });
export const countBallots = (db: Db, pollId: string) =>
  db.select({ n: count() }).from(ballots).where(eq(ballots.pollId, pollId)).get()!.n;
/** All ballots of a poll, ordered by token bytes (the published order). */
export const listBallots = (db: Db, pollId: string) =>
  db.select().from(ballots).where(eq(ballots.pollId, pollId)).orderBy(asc(ballots.token)).all();
export const incrementRefusedOverIssued = (db: Db, pollId: string) =>
  db.update(polls).set({ refusedOverIssued: sql`${polls.refusedOverIssued} + 1` }).where(eq(polls.id, pollId)).run();

// ---- audit log ----

export const lastAuditEntry = (db: Db) => db.select().from(auditLog).orderBy(sql`${auditLog.seq} desc`).limit(1).get();
export const insertAuditEntry = (db: Db, row: typeof auditLog.$inferInsert) => db.insert(auditLog).values(row).run();
export const listAuditEntries = (db: Db) => db.select().from(auditLog).orderBy(asc(auditLog.seq)).all();
export const listAuditEntriesOf = (db: Db, subject: string, action: string) =>
  db.select().from(auditLog).where(and(eq(auditLog.subject, subject), eq(auditLog.action, action))).orderBy(asc(auditLog.seq)).all();

export const updatePoll = (db: Db, id: string, changes: { title?: string | undefined; questions?: unknown }) => {
  const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length) db.update(polls).set(set).where(eq(polls.id, id)).run();
};

export const setPollScrutineers = (db: Db, id: string, scrutineers: PollRow['scrutineers']) =>
  db.update(polls).set({ scrutineers }).where(eq(polls.id, id)).run();

// ---- meeting facts: exclusions and written opinions ----

export const listExclusions = (db: Db, meetingId: string) =>
  db.select().from(exclusions).where(eq(exclusions.meetingId, meetingId)).all();
export const upsertExclusion = (db: Db, row: ExclusionRow) =>
  db.insert(exclusions).values(row).onConflictDoUpdate({ target: exclusions.voterId, set: { reason: row.reason, approvedBy: row.approvedBy } }).run();
export const deleteExclusion = (db: Db, voterId: string) => db.delete(exclusions).where(eq(exclusions.voterId, voterId)).run().changes;

export const listWrittenOpinions = (db: Db, pollId: string) =>
  db.select().from(writtenOpinions).where(eq(writtenOpinions.pollId, pollId)).all();
export const upsertWrittenOpinion = (db: Db, row: WrittenOpinionRow) =>
  db.insert(writtenOpinions).values(row).onConflictDoUpdate({ target: [writtenOpinions.pollId, writtenOpinions.voterId], set: { choices: row.choices } }).run();
export const deleteWrittenOpinion = (db: Db, pollId: string, voterId: string) =>
  db.delete(writtenOpinions).where(and(eq(writtenOpinions.pollId, pollId), eq(writtenOpinions.voterId, voterId))).run().changes;
export const listWrittenOpinionsOfVoter = (db: Db, voterId: string) =>
  db.select({ pollId: writtenOpinions.pollId }).from(writtenOpinions).where(eq(writtenOpinions.voterId, voterId)).all();

// ---- decisions beside advisory results ----

export const upsertDecision = (db: Db, row: DecisionRow) =>
  db
    .insert(decisions)
    .values(row)
    .onConflictDoUpdate({
      target: [decisions.pollId, decisions.questionId, decisions.step],
      set: { outcome: row.outcome, decidedBy: row.decidedBy, date: row.date, note: row.note },
    })
    .run();
export const listDecisions = (db: Db, pollId: string) =>
  db.select().from(decisions).where(eq(decisions.pollId, pollId)).orderBy(asc(decisions.questionId), asc(decisions.step)).all();

// ---- self-evaluations (named statements) ----

export const upsertSelfEvaluation = (db: Db, row: typeof selfEvaluations.$inferInsert) =>
  db
    .insert(selfEvaluations)
    .values(row)
    .onConflictDoUpdate({ target: [selfEvaluations.pollId, selfEvaluations.questionId], set: { scores: row.scores, voterId: row.voterId } })
    .run();
export const deleteSelfEvaluation = (db: Db, pollId: string, questionId: string) =>
  db.delete(selfEvaluations).where(and(eq(selfEvaluations.pollId, pollId), eq(selfEvaluations.questionId, questionId))).run();
export const listSelfEvaluations = (db: Db, pollId: string) =>
  db.select().from(selfEvaluations).where(eq(selfEvaluations.pollId, pollId)).orderBy(asc(selfEvaluations.questionId)).all();

// ---- candidates' own keys (three evaluations) ----

export const upsertCandidateKey = (db: Db, row: typeof candidateKeys.$inferInsert) =>
  db
    .insert(candidateKeys)
    .values(row)
    .onConflictDoUpdate({ target: [candidateKeys.pollId, candidateKeys.questionId], set: { signingKey: row.signingKey, boxKey: row.boxKey, approvedFingerprint: null } })
    .run();
export const setApprovedCandidateFingerprint = (db: Db, pollId: string, questionId: string, fingerprint: string) =>
  db
    .update(candidateKeys)
    .set({ approvedFingerprint: fingerprint })
    .where(and(eq(candidateKeys.pollId, pollId), eq(candidateKeys.questionId, questionId)))
    .run();
/** Waiting requests to replace a candidate's keys, oldest first. */
export const listCandidateKeyRequests = (db: Db, pollId: string) =>
  db.select().from(candidateKeyRequests).where(eq(candidateKeyRequests.pollId, pollId)).orderBy(asc(candidateKeyRequests.id)).all();
export const insertCandidateKeyRequest = (db: Db, row: Omit<typeof candidateKeyRequests.$inferInsert, 'id'>) => db.insert(candidateKeyRequests).values(row).run();
export const deleteCandidateKeyRequest = (db: Db, id: number) => db.delete(candidateKeyRequests).where(eq(candidateKeyRequests.id, id)).run();
export const deleteCandidateKeyRequests = (db: Db, pollId: string, questionId: string) =>
  db.delete(candidateKeyRequests).where(and(eq(candidateKeyRequests.pollId, pollId), eq(candidateKeyRequests.questionId, questionId))).run();
export const listCandidateKeys = (db: Db, pollId: string) =>
  db.select().from(candidateKeys).where(eq(candidateKeys.pollId, pollId)).orderBy(asc(candidateKeys.questionId)).all();

// ---- per-candidate comments (three evaluations) ----

export const insertCandidateComments = (db: Db, rows: (typeof candidateComments.$inferInsert)[]) => {
  if (rows.length) db.insert(candidateComments).values(rows).run();
};
/** A candidate's comments, ordered by their text: the order says nothing about who wrote them or when. */
export const listCandidateComments = (db: Db, pollId: string, questionId: string) =>
  db
    .select({ text: candidateComments.text })
    .from(candidateComments)
    .where(and(eq(candidateComments.pollId, pollId), eq(candidateComments.questionId, questionId)))
    .orderBy(asc(candidateComments.text))
    .all()
    .map((r) => r.text);

// ---- objections ----

export const insertObjection = (db: Db, row: typeof objections.$inferInsert) => db.insert(objections).values(row).run();
export const getObjection = (db: Db, id: string) => db.select().from(objections).where(eq(objections.id, id)).get();
export const listObjections = (db: Db, pollId: string) =>
  db.select().from(objections).where(eq(objections.pollId, pollId)).orderBy(asc(objections.receivedOn), asc(objections.id)).all();
export const countPublicObjectionsOn = (db: Db, pollId: string, day: string) =>
  db
    .select({ n: count() })
    .from(objections)
    .where(and(eq(objections.pollId, pollId), eq(objections.receivedOn, day), eq(objections.channel, 'public')))
    .get()!.n;
export const setObjectionOutcome = (db: Db, id: string, outcome: NonNullable<ObjectionRow['outcome']>, outcomeNote: string, decidedBy: string) =>
  db.update(objections).set({ outcome, outcomeNote, decidedBy }).where(eq(objections.id, id)).run();

// ---- scrutineers' co-signatures ----

export const upsertCosignature = (db: Db, row: typeof cosignatures.$inferInsert) =>
  db.insert(cosignatures).values(row).onConflictDoUpdate({ target: [cosignatures.pollId, cosignatures.account], set: { signature: row.signature } }).run();
export const listCosignatures = (db: Db, pollId: string) =>
  db.select().from(cosignatures).where(eq(cosignatures.pollId, pollId)).orderBy(asc(cosignatures.account)).all();
