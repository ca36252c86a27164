/**
 * One voter's pass through /vote (protocol v2): runs shared/protocol/voter-flow.ts and moves
 * through the stages of ./voter-machine.ts with what each request answers.
 *
 *  - A code (from the slip's link, or typed) is looked up first: nothing is blinded or sent yet.
 *    A device that already holds something for this code (a check-in, tokens, receipts) simply
 *    carries on: a kiosk voter coming back to vote types the code again and nothing else.
 *  - Check-in needs the room code from the projector, and the meeting's key-set fingerprint: a
 *    link carries it and the page compares it by itself; for a typed code the voter compares it
 *    with the projector and says so by pressing "they match, check in".
 *  - While waiting, the page asks only for its check-in's status (collectTokens) every few
 *    seconds, never the whole meeting, and follows it: to the ballots when voting opens, to
 *    "your check-in was replaced" when another device checked in with the same code.
 *  - One paper per poll; the whole poll is cast in one request (castPoll). The same tokens and
 *    salts are stored, so a retry of the same answers after a lost answer is an identical replay.
 *
 * Across a reload the tab remembers (sessionStorage) the voter slot (a hash of the code), the
 * meeting, the voter's name, own candidacies, the fingerprint and lost check-ins: never the code,
 * never a choice. The code stays in memory while the page is open, for a candidate's signed
 * self-evaluation and for checking in again. Tokens, pending check-ins and receipts are in the
 * VoterStore (localStorage), where voter-flow.ts put them.
 */
import { batch, createMemo, createSignal, onCleanup } from 'solid-js';
import type { PublicMeetingView } from '../../../shared/protocol/api.ts';
import type { VoterApi } from '../../../shared/protocol/api-client.ts';
import { checkReceiptSignature } from '../../../shared/crypto/receipt.ts';
import { fromBase64, fromHex } from '../../../shared/encoding.ts';
import { fail } from '../../../shared/errors.ts';
import {
  allHeldTokens,
  castPoll,
  checkInVoter,
  collectTokens,
  hasPendingCheckin,
  heldReceipts,
  heldTokens,
  parseVotingFragment,
  pendingCheckinCode,
  prepareCheckIn,
  voterSlot,
  type HeldReceipt,
  type PreparedCheckIn,
  type VoterStore, heldCandidateFingerprint } from '../../../shared/protocol/voter-flow.ts';
import { normalizeVotingCode } from '../../../shared/protocol/voting-code.ts';
import { voterError, type VoterError } from '../i18n/errors.ts';
import type { MessageKey } from '../i18n/index.ts';
import { createBallotAnswers, type Paper } from './ballot-answers.ts';
import { createSelfEvaluation, type OwnCandidacy } from './self-evaluation.ts';
import { accepts, QUIET, transition, type Stage, type Standing, type VoterEvent } from './voter-machine.ts';

export type { Paper } from './ballot-answers.ts';

interface SavedSession {
  voter: string;
  meetingId: string;
  voterName: string;
  ownCandidacies: OwnCandidacy[];
  /** The key-set fingerprint checked at check-in (by the link, or by the voter against the projector). */
  fingerprint: string;
  /** Polls whose check-in from this device was replaced or struck: said until the voter acts. */
  lost: string[];
  /** Of `lost`, the polls whose check-in the scrutineers struck at the opening. */
  struck?: string[];
  /** Polls checked in late, waiting for a scrutineer's approval. */
  late: string[];
}

const SESSION_KEY = 'anon-ballot.session';

/** Errors after which the same request may simply be sent again. */
const RETRYABLE: ReadonlySet<MessageKey> = new Set(['error.network', 'error.generic', 'error.server', 'error.rate_limited', 'error.rate_limited_wait']);

function loadSession(): SavedSession | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Partial<SavedSession> | null;
    // Without the own candidacies the page could offer a ballot on oneself: ask for the code instead.
    return saved && typeof saved.voter === 'string' && typeof saved.meetingId === 'string' && Array.isArray(saved.ownCandidacies)
      ? { voterName: '', fingerprint: '', lost: [], late: [], ...saved } as SavedSession
      : undefined;
  } catch {
    return undefined;
  }
}

function saveSession(session: SavedSession | undefined) {
  try {
    if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Without sessionStorage a reload asks for the code again; the store still holds the rest.
  }
}

/** Forgets which voter this tab showed (kiosk, between voters). */
export const forgetTabSession = () => saveSession(undefined);

/** Six digits; a phone's Chinese keyboard may type full-width ones (０-９), and people add spaces. */
export function normalizeRoomCode(text: string): string | undefined {
  const digits = text.replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/[\s-]/g, '');
  return /^[0-9]{6}$/.test(digits) ? digits : undefined;
}

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

export function createVoteSession(options: { api: VoterApi; store: VoterStore; pollIntervalMs?: number }) {
  const { api, store } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 3000;
  // Once disposed (the page starting over with another voter), nothing answers into this session.
  let disposed = false;
  onCleanup(() => (disposed = true));

  const [stage, setStage] = createSignal<Stage>('loading');
  const [error, setError] = createSignal<VoterError>();
  /** After a retryable failure of a lookup or a reload: the same again (a link's code is not in the field). */
  const [retry, setRetry] = createSignal<() => void>();
  const [announcement, setAnnouncement] = createSignal<MessageKey>();
  const [meeting, setMeeting] = createSignal<PublicMeetingView>();
  const [voterName, setVoterName] = createSignal('');
  const [ownCandidacies, setOwnCandidacies] = createSignal<OwnCandidacy[]>([]);
  const [fingerprint, setFingerprint] = createSignal('');
  /**
   * How the fingerprint of the check-in screen is checked: by the link itself, against the one
   * this page checked before (checking in again after a lost check-in), or by the voter's eyes.
   */
  const [fingerprintFrom, setFingerprintFrom] = createSignal<'link' | 'before' | 'voter'>('voter');
  const [prepared, setPrepared] = createSignal<PreparedCheckIn>();
  const [lost, setLost] = createSignal<string[]>([]);
  const [struck, setStruck] = createSignal<string[]>([]);
  const [late, setLate] = createSignal<string[]>([]);
  const [connectionLost, setConnectionLost] = createSignal(false);
  /** After a cast whose answer never came: the ballots may be in the box, so only the same answers may go again. */
  const [uncertain, setUncertain] = createSignal(false);
  // The fields' text, kept here so it is still there after a refusal.
  const [codeText, setCodeText] = createSignal('');
  const [roomCodeText, setRoomCodeText] = createSignal('');
  // Bumped whenever voter-flow.ts changed the store: tokens, receipts and pending check-ins are read from it.
  const [storeVersion, setStoreVersion] = createSignal(0);
  // The voting code, in memory only: for the self-evaluation and for checking in again.
  const [votingCode, setVotingCode] = createSignal<string>();
  let voter = '';

  const answers = createBallotAnswers();

  /** Sets the live region; cleared first so the same sentence twice is announced twice. */
  const announce = (key: MessageKey) => {
    setAnnouncement(undefined);
    queueMicrotask(() => setAnnouncement(key));
  };

  function dispatch(event: VoterEvent): boolean {
    const next = transition(stage(), event);
    if (next === undefined) return false;
    setStage(next);
    return true;
  }

  const pollOrder = (pollId: string) => meeting()?.polls.findIndex((p) => p.id === pollId) ?? -1;
  const byMeetingOrder = (a: string, b: string) => pollOrder(a) - pollOrder(b);

  function remember() {
    const shown = meeting();
    if (!shown || !voter) return;
    saveSession({ voter, meetingId: shown.id, voterName: voterName(), ownCandidacies: ownCandidacies(), fingerprint: fingerprint(), lost: lost(), struck: struck(), late: late() });
  }

  // ---- what the device holds ----
  const receipts = createMemo(() => (storeVersion(), voter ? heldReceipts(store, voter) : []));

  /** The papers still to fill in, one per poll, in the meeting's order; each lists the candidates this device holds a token for. */
  const papers = createMemo((): Paper[] => {
    storeVersion();
    const polls = meeting()?.polls ?? [];
    return polls.flatMap((poll) => {
      const tokens = voter ? heldTokens(store, voter, poll.id) : [];
      if (tokens.length === 0) return [];
      const questions = poll.questions.filter((q) => tokens.some((t) => t.questionId === q.id));
      return [{ poll, questions, groups: poll.groups.filter((g) => tokens.some((t) => t.group === g)) }];
    });
  });
  const current = () => papers()[0];

  /**
   * The receipts by poll, each checked again here against the installation's key (castPoll
   * checked it when it arrived; after a reload they come from storage).
   */
  const receiptGroups = createMemo(() => {
    const shown = meeting();
    if (!shown) return [];
    const signer = fromBase64(shown.signer, 'signer');
    const verified = (r: HeldReceipt) => {
      try {
        checkReceiptSignature(fromHex(r.receipt, 'receipt'), fromBase64(r.signature, 'signature'), signer);
        return true;
      } catch {
        return false;
      }
    };
    const pollIds = [...new Set(receipts().map((r) => r.pollId))].sort(byMeetingOrder);
    return pollIds.flatMap((pollId) => {
      const poll = shown.polls.find((p) => p.id === pollId);
      if (!poll) return [];
      const order = (questionId: string) => poll.questions.findIndex((q) => q.id === questionId);
      const items = receipts()
        .filter((r) => r.pollId === pollId)
        .sort((a, b) => order(a.questionId) - order(b.questionId) || poll.groups.indexOf(a.group) - poll.groups.indexOf(b.group))
        .map((r) => ({ ...r, title: poll.questions.find((q) => q.id === r.questionId)?.title ?? r.questionId, verified: verified(r) }));
      return [{ poll, items }];
    });
  });

  /** Polls this code was issued ballots for on another device (the lookup said so; this device holds nothing). */
  const [issuedElsewhere, setIssuedElsewhere] = createSignal<string[]>([]);
  const [waitingNow, setWaitingNow] = createSignal<string[]>([]);
  /** The lookup found this code checked in (pending) from another device or browser: checking in here cancels that one. */
  const otherDevice = () => (prepared()?.lookup.polls ?? []).some((p) => p.checkin === 'pending' && !waitingNow().includes(p.pollId));

  /**
   * Where the device stands now: asks the ballot box for this device's check-in, if it has one
   * (the small status request; no token is signed before voting opens), and reads the store.
   */
  async function standing(): Promise<Standing> {
    const shown = meeting()!;
    const collected = await collectTokens(api, store, voter, shown);
    // Voting opened since the meeting was read: read it once more, for the phases and the keys
    // candidates registered in the room after this device checked in (comments are sealed to them).
    if (collected.ready.some((id) => shown.polls.find((p) => p.id === id)?.phase === 'checkin')) setMeeting(await api.meeting(shown.id));
    // A candidate whose keys wait for a scrutineer's approval: read the meeting again to see it given;
    // a lost check-in: to know whether checking in again is still possible (voting may have opened).
    else if (candidateKeys().some((k) => k.awaitingApproval) || collected.lost.length > 0) setMeeting(await api.meeting(shown.id));
    const cast = [...new Set(heldReceipts(store, voter).map((r) => r.pollId))];
    const lostNow = union(lost(), collected.lost).filter((p) => !collected.ready.includes(p) && !collected.waiting.includes(p));
    const part = new Set([...collected.ready, ...collected.waiting, ...cast, ...lostNow]);
    const lookupPolls = prepared()?.lookup.polls ?? [];
    const elsewhere = lookupPolls.filter((p) => p.checkin === 'issued' && !part.has(p.pollId)).map((p) => p.pollId);
    batch(() => {
      setLost(lostNow);
      setStruck(union(struck(), collected.struck).filter((p) => lostNow.includes(p)));
      setWaitingNow(collected.waiting);
      setIssuedElsewhere(elsewhere);
      setStoreVersion((n) => n + 1);
    });
    return {
      ready: collected.ready,
      waiting: collected.waiting,
      lost: lostNow,
      cast,
      checkInOpen: lookupPolls.filter((p) => p.checkin !== 'issued' && !part.has(p.pollId)).map((p) => p.pollId),
    };
  }

  /** Applies a sync's outcome, with what the voter hears of it. */
  function settleWith(next: Standing, lostBefore: readonly string[]) {
    const before = stage();
    batch(() => {
      dispatch({ type: 'synced', standing: next });
      if (next.lost.some((p) => !lostBefore.includes(p))) announce('status.lost');
      else if (before === 'waiting' && stage() === 'voting') announce('status.votingOpen');
    });
    remember();
  }

  // ---- the few seconds' poll while a check-in waits ----
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling = false;
  const schedulePoll = (delay = pollIntervalMs) => {
    clearTimeout(timer);
    if (!disposed) timer = setTimeout(() => void pollOnce(), delay);
  };
  async function pollOnce() {
    if (disposed) return;
    // Only a waiting check-in has anything to learn; a request the voter started is never overtaken.
    if (!voter || !hasPendingCheckin(store, voter) || !QUIET.has(stage()) || polling) return schedulePoll();
    polling = true;
    const lostBefore = lost();
    try {
      const next = await standing();
      if (disposed) return;
      setConnectionLost(false);
      if (QUIET.has(stage())) settleWith(next, lostBefore);
    } catch (cause) {
      if (disposed) return;
      const problem = voterError(cause, 'load');
      if (RETRYABLE.has(problem.key)) setConnectionLost(true);
      else setError(problem);
    } finally {
      polling = false;
    }
    schedulePoll();
  }
  // Back to a phone that was locked: ask at once rather than at the next tick.
  const onVisible = () => document.visibilityState === 'visible' && schedulePoll(0);
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => {
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  });

  // ---- code, lookup, check-in ----

  /**
   * Looks a code up and carries on from wherever this device stands with it. `expected`: the
   * fingerprint in the slip's link, or the one this page checked before, checked here against
   * the served keys; without it the voter compares the fingerprint on the check-in screen.
   */
  async function lookUp(code: string, expected: { fingerprint: string; from: 'link' | 'before' } | undefined, event: 'submit-code' | 'check-in-again') {
    try {
      normalizeVotingCode(code); // a mistyped code is refused here, before any request
    } catch (cause) {
      return setError(voterError(cause, 'checkin'));
    }
    if (!dispatch({ type: event })) return;
    setError(undefined);
    try {
      const ready = await prepareCheckIn(api, code);
      if (disposed) return;
      if (expected && ready.keySetFingerprint !== expected.fingerprint)
        fail('key_mismatch', `the served keys (${ready.keySetFingerprint}) are not the ones on the slip`);
      voter = voterSlot(code);
      batch(() => {
        setVotingCode(code);
        setPrepared(ready);
        setMeeting(ready.meeting);
        setVoterName(ready.voterName);
        setOwnCandidacies(ready.ownCandidacies);
        setFingerprint(ready.keySetFingerprint);
        setFingerprintFrom(expected?.from ?? 'voter');
        setLate(ready.lookup.polls.filter((p) => p.late).map((p) => p.pollId));
        if (event === 'check-in-again') {
          setLost([]);
          setStruck([]);
        }
      });
      const next = await standing();
      if (disposed) return;
      settleWith(next, lost());
      if (hasPendingCheckin(store, voter)) schedulePoll();
    } catch (cause) {
      if (disposed) return;
      const problem = voterError(cause, 'checkin');
      batch(() => {
        setError(problem);
        setRetry(() => (RETRYABLE.has(problem.key) ? () => void lookUp(code, expected, 'submit-code') : undefined));
        dispatch({ type: 'failed' });
      });
    }
  }

  /** The code form: a typed code. */
  const submitCode = () => {
    setRetry(undefined);
    void lookUp(codeText(), undefined, 'submit-code');
  };

  /** The voter edits the code: what is sent next is the field, not the retry. */
  function editCode(text: string) {
    setCodeText(text);
    setRetry(undefined);
  }

  /** "Check in" on the check-in screen: with the room code, under the fingerprint checked by the link or by the voter. */
  async function sendCheckIn() {
    const ready = prepared();
    const code = votingCode();
    if (!ready || !code || !accepts(stage(), 'send-check-in')) return;
    const roomCode = normalizeRoomCode(roomCodeText());
    if (!roomCode) return setError({ key: 'error.room_code_format' });
    dispatch({ type: 'send-check-in' });
    setError(undefined);
    try {
      await checkInVoter(api, store, code, roomCode, ready.keySetFingerprint, ready);
      if (disposed) return;
      const next = await standing();
      if (disposed) return;
      batch(() => {
        setRoomCodeText('');
        settleWith(next, next.lost);
      });
      announce('checkin.done');
      schedulePoll();
    } catch (cause) {
      if (disposed) return;
      batch(() => {
        setError(voterError(cause, 'checkin'));
        dispatch({ type: 'failed' });
      });
    }
  }

  /** "The fingerprints differ": nothing was sent; the page says what to do. */
  const keysDiffer = () => dispatch({ type: 'keys-differ' });

  /** Back to the code form (from the check-in screen, the warning, a lost check-in, "no ballot"). */
  const back = () =>
    batch(() => {
      setError(undefined);
      setRoomCodeText('');
      dispatch({ type: 'back' });
    });

  /**
   * Whether this device can check in again for a lost poll: while check-in is open, or during
   * voting when the meeting takes late check-ins (this device's was one) and it was not struck.
   */
  const canCheckInAgain = () =>
    lost().some((pollId) => {
      const phase = meeting()?.polls.find((p) => p.id === pollId)?.phase;
      return phase === 'checkin' || (phase === 'voting' && late().includes(pollId) && !struck().includes(pollId));
    });

  /** A lost check-in: check in again on this device (until voting opens). Without the code in memory, the code form. */
  function checkInAgain() {
    const code = votingCode();
    if (code) return void lookUp(code, fingerprint() ? { fingerprint: fingerprint(), from: 'before' } : undefined, 'check-in-again');
    batch(() => {
      setLost([]);
      setStruck([]);
      remember();
      back();
    });
  }

  /** After a reload: picks up the voter this tab showed, from the store. */
  async function restore() {
    const saved = loadSession();
    if (!saved) return void dispatch({ type: 'no-session' });
    voter = saved.voter;
    const holds = hasPendingCheckin(store, voter) || allHeldTokens(store, voter).length > 0 || heldReceipts(store, voter).length > 0;
    batch(() => {
      setVoterName(saved.voterName);
      setOwnCandidacies(saved.ownCandidacies);
      setFingerprint(saved.fingerprint);
      setLost(saved.lost);
      setStruck(saved.struck ?? []);
      setLate(saved.late);
    });
    try {
      setMeeting(await api.meeting(saved.meetingId));
      if (disposed) return;
      const next = await standing();
      if (disposed) return;
      const nothing = !holds && next.ready.length + next.waiting.length + next.lost.length + next.cast.length === 0;
      if (nothing && saved.ownCandidacies.length === 0) {
        voter = '';
        saveSession(undefined);
        return void dispatch({ type: 'no-session' });
      }
      settleWith(next, next.lost);
      schedulePoll();
    } catch (cause) {
      if (disposed) return;
      const problem = voterError(cause, 'load');
      batch(() => {
        setError(problem);
        // The tab still knows the voter: try again from the start of the page.
        setRetry(() => (RETRYABLE.has(problem.key) ? () => void (setStage('loading'), setError(undefined), setRetry(undefined), restore()) : undefined));
        dispatch({ type: 'failed' });
      });
    }
  }

  /** Reads the voting link, removes it from the address bar and history, and starts. */
  function start() {
    const link = parseVotingFragment(location.hash);
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    if (!link.code) return void restore();
    setStage('enter-code');
    // A link whose fingerprint is missing or garbled is treated like a typed code: the voter compares.
    void lookUp(link.code, link.keySetFingerprint ? { fingerprint: link.keySetFingerprint, from: 'link' } : undefined, 'submit-code');
  }

  // ---- the ballot ----
  function review(paper: Paper) {
    const missing = answers.unanswered(paper);
    if (missing.length === 0) {
      setError(undefined);
      dispatch({ type: 'review' });
    }
    return missing;
  }

  const backToBallot = () => {
    if (uncertain()) return; // the same answers must go again: see `uncertain`
    setError(undefined);
    dispatch({ type: 'back' });
  };

  /** Casts the current paper: every ballot of the poll in one request. A second click while it is on its way does nothing. */
  async function cast() {
    const paper = current();
    const shown = meeting();
    if (!paper || !shown || !accepts(stage(), 'cast')) return;
    dispatch({ type: 'cast' });
    setError(undefined);
    try {
      await castPoll(api, store, voter, paper.poll, shown.signer, answers.finalAnswers(paper), answers.finalComments(paper));
      if (disposed) return;
      answers.forget(paper.poll.id);
      setUncertain(false);
      const next = await standing().catch(() => undefined);
      if (disposed) return;
      // The ballots are in: even if asking for the other polls failed, the page goes on from what it holds.
      settleWith(next ?? { ready: papers().map((p) => p.poll.id), waiting: waitingNow(), lost: lost(), cast: receipts().map((r) => r.pollId), checkInOpen: [] }, lost());
      announce('status.cast');
    } catch (cause) {
      if (disposed) return;
      const problem = voterError(cause, 'cast');
      batch(() => {
        setUncertain(RETRYABLE.has(problem.key));
        setError(problem);
        dispatch({ type: 'failed' });
      });
    }
  }

  const self = createSelfEvaluation({
    api,
    store,
    meeting,
    ownCandidacies,
    voterName,
    code: votingCode,
    belongsToVoter: (code) => voterSlot(code) === voter,
    rememberCode: (code) => setVotingCode(code),
    announce,
  });

  /**
   * While a late check-in waits for approval: the confirmation code of this device's check-in,
   * which the scrutineer compares with their list before approving (another device that checks
   * in with the same voting code gets another code).
   */
  const lateCode = () => {
    storeVersion();
    return voter && waitingNow().some((pollId) => late().includes(pollId)) ? pendingCheckinCode(store, voter) : undefined;
  };

  /** "Ballot i of n": the papers cast and still to cast. */
  const paperCount = () => ({ done: receiptGroups().length, total: receiptGroups().length + papers().length });

  /**
   * A candidate in the three evaluations: the fingerprint of the key this device made and
   * registered for them, to compare with the one the projector shows beside their name.
   */
  const candidateKeys = createMemo(() => {
    storeVersion();
    return ownCandidacies().flatMap((own) => {
      const poll = meeting()?.polls.find((p) => p.id === own.pollId);
      const fingerprint = poll?.kind === 'three_evaluations' ? heldCandidateFingerprint(store, voter, poll.id) : undefined;
      // The first keys registered hold: this device's wait for a scrutineer while others' are registered.
      const registered = poll?.candidateKeys?.find((k) => k.questionId === own.questionId)?.fingerprint;
      const awaitingApproval = poll?.phase === 'checkin' && registered !== undefined && registered !== fingerprint;
      return poll && fingerprint ? [{ pollId: poll.id, pollTitle: poll.title, fingerprint, awaitingApproval }] : [];
    });
  });

  return {
    candidateKeys,
    stage,
    error,
    announcement,
    meeting,
    voterName,
    ownCandidacies,
    fingerprint,
    fingerprintFrom,
    prepared,
    lost,
    struck,
    canCheckInAgain,
    late,
    lateCode,
    waitingNow,
    issuedElsewhere,
    otherDevice,
    connectionLost,
    uncertain,
    retry,
    codeText,
    editCode,
    roomCodeText,
    setRoomCodeText,
    hasCode: () => votingCode() !== undefined,
    papers,
    current,
    paperCount,
    receiptGroups,
    answers,
    self,
    start,
    submitCode,
    sendCheckIn,
    keysDiffer,
    back,
    checkInAgain,
    review,
    backToBallot,
    cast,
  };
}

export type VoteSession = ReturnType<typeof createVoteSession>;
