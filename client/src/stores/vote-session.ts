/**
 * The voter's page as a small state machine over shared/protocol/voter-flow.ts:
 *
 *   enter-code ─▶ [confirm-keys] ─▶ checking-in ─▶ waiting ─(poll opens)─▶ ballot ⇄ review ─(cast)─▶ next ballot … ─▶ done
 *                                                     └───────── self-evaluation (candidates only, signed) ─────────┘
 *
 * A voting link carries the code and the key fingerprints in its fragment and checks the keys
 * by itself. A typed code (or a link without usable fingerprints) has nothing to check them
 * against: the page first shows the served fingerprints (confirm-keys) and blinds nothing until
 * the voter says they match the projector. After check-in the page polls the public meeting
 * view and moves on by itself when the organizer opens the vote. One ballot paper per token
 * held (one per poll and voter group); a member's ballot of the three evaluations leaves out
 * their own candidacy.
 *
 * Across a reload the page remembers, in sessionStorage, only the voter slot (a hash of the
 * code), the meeting id, the voter's name and own candidacies: never the code itself. The code
 * stays in memory while the page is open, for a candidate's signed self-evaluation. The tokens
 * are in the VoterStore (localStorage), where voter-flow.ts put them. On a kiosk the page
 * disposes the session after each voter and calls forgetAllVoters().
 */
import { batch, createEffect, createMemo, createSignal, on, onCleanup } from 'solid-js';
import type { PublicMeetingView, PublicPollView } from '../../../shared/protocol/api.ts';
import type { VoterApi } from '../../../shared/protocol/api-client.ts';
import type { Choice, Choices, Question } from '../../../shared/protocol/poll.ts';
import {
  castWithToken,
  checkInVoter,
  heldTokenFingerprint,
  heldTokens,
  keysToConfirm,
  parseVotingFragment,
  voterSlot,
  heldReceipts,
  wipeVoterStore,
  type HeldToken,
  type KeysToConfirm,
  type Receipt,
  type VoterStore,
} from '../../../shared/protocol/voter-flow.ts';
import { errorMessageKey } from '../i18n/errors.ts';
import type { MessageKey } from '../i18n/index.ts';
import { filledCount, finalScores, isComplete, scoresIn, withScore, type ScoreQuestion } from './scores.ts';
import { createSelfEvaluation, type OwnCandidacy } from './self-evaluation.ts';

export type VoteView =
  | 'loading'
  | 'enter-code'
  | 'confirm-keys'
  | 'checking-in'
  | 'waiting'
  | 'ballot'
  | 'review'
  | 'done'
  | 'closed'
  | 'no-ballot'
  | 'self-evaluation';

/** One ballot paper: a held token, the poll it votes in, and the questions this voter answers. */
export interface BallotSlot {
  key: string;
  held: HeldToken;
  poll: PublicPollView;
  /** The poll's questions less, on a member's ballot, the voter's own candidacy. */
  questions: Question[];
}

interface SavedSession {
  voter: string;
  meetingId: string;
  voterName: string;
  /** The keys were confirmed by the voter against the projector (no fingerprints in a link). */
  typed: boolean;
  ownCandidacies: OwnCandidacy[];
}

const SESSION_KEY = 'anon-ballot.session';
const RETRYABLE: ReadonlySet<MessageKey> = new Set(['error.network', 'error.generic', 'error.rate_limited']);

const slotKey = (held: { pollId: string; group: string }) => `${held.pollId}|${held.group}`;

function loadSession(): SavedSession | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as SavedSession | null;
    // Without the own candidacies a member's ballot could show their own card: ask for the code.
    return saved && typeof saved.voter === 'string' && typeof saved.meetingId === 'string' && Array.isArray(saved.ownCandidacies)
      ? saved
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
    // Without sessionStorage a reload asks for the code again; the tokens are still kept.
  }
}

/**
 * Kiosk: forgets every voter this device has seen: tokens, pending check-ins and receipts in the
 * VoterStore, and the tab's session. The language and the kiosk setting are not the voter store's.
 */
export function forgetAllVoters(store: VoterStore) {
  wipeVoterStore(store);
  saveSession(undefined);
}

/** The choice a question has now; approval questions start as the empty list. */
function answerOf(question: Question, choices: Choices | undefined) {
  const value = choices?.[question.id];
  return question.type === 'single' ? (typeof value === 'string' ? value : undefined) : Array.isArray(value) ? value : [];
}

export function createVoteSession(options: { api: VoterApi; store: VoterStore; pollIntervalMs?: number }) {
  const { api, store } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 3000;
  // Once disposed (the page starting over with another voter), this session neither polls nor
  // saves itself as the tab's session any more, whatever requests are still in flight.
  let disposed = false;
  onCleanup(() => (disposed = true));

  const [stage, setStage] = createSignal<'loading' | 'enter-code' | 'confirm-keys' | 'checking-in' | 'checked-in'>('loading');
  const [error, setError] = createSignal<MessageKey>();
  const [retry, setRetry] = createSignal<() => void>();
  const [announcement, setAnnouncement] = createSignal<MessageKey>();
  const [meeting, setMeeting] = createSignal<PublicMeetingView>();
  const [tokens, setTokens] = createSignal<HeldToken[]>([]);
  const [receipts, setReceipts] = createSignal<Receipt[]>([]);
  const [voterName, setVoterName] = createSignal('');
  const [typed, setTyped] = createSignal(false);
  const [ownCandidacies, setOwnCandidacies] = createSignal<OwnCandidacy[]>([]);
  const [reviewing, setReviewing] = createSignal(false);
  const [sending, setSending] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [connectionLost, setConnectionLost] = createSignal(false);
  // The code field's text, kept here so that it is still there after a failed check-in.
  const [codeText, setCodeText] = createSignal('');
  // confirm-keys: what the server serves for this code, waiting for the voter's comparison.
  const [confirming, setConfirming] = createSignal<{ code: string; keys: KeysToConfirm }>();
  const [keysDiffer, setKeysDiffer] = createSignal(false);
  // Choices per ballot slot, replaced (not mutated) on every change: a plain signal is enough
  // here and spares the voter's phone solid-js/store.
  const [choices, setChoices] = createSignal<Readonly<Record<string, Choices>>>({});
  /** Per-candidate comments of a score ballot, by slot and question; never stored on the device. */
  const [comments, setComments] = createSignal<Readonly<Record<string, Readonly<Record<string, string>>>>>({});
  // The voting code, in memory only, for the self-evaluation; gone after a reload.
  const [votingCode, setVotingCode] = createSignal<string>();
  let voter = '';

  /** Sets the live region; cleared first so the same sentence twice is announced twice. */
  const announce = (key: MessageKey) => {
    setAnnouncement(undefined);
    queueMicrotask(() => setAnnouncement(key));
  };

  const pollOrder = (pollId: string) => meeting()?.polls.findIndex((p) => p.id === pollId) ?? -1;
  const isOwn = (pollId: string, questionId: string) => ownCandidacies().some((c) => c.pollId === pollId && c.questionId === questionId);

  /** A member does not score themselves: their own candidacy is not on their members' ballot at all. */
  const questionsFor = (poll: PublicPollView, group: string) =>
    poll.questions.filter((q) => !(group === 'members' && q.type === 'score' && isOwn(poll.id, q.id)));

  /**
   * Every ballot this device can still cast, in the meeting's order of polls and each poll's
   * order of groups. A ballot with nothing left to score (a member whose own candidacy is the
   * only one) is not a ballot.
   */
  const slots = createMemo(() => {
    const polls = meeting()?.polls ?? [];
    return tokens()
      .flatMap((held): BallotSlot[] => {
        const poll = polls.find((p) => p.id === held.pollId);
        return poll ? [{ key: slotKey(held), held, poll, questions: questionsFor(poll, held.group) }] : [];
      })
      .filter((slot) => (slot.poll.phase === 'checkin' || slot.poll.phase === 'voting') && slot.questions.length > 0)
      .sort((a, b) => pollOrder(a.poll.id) - pollOrder(b.poll.id) || a.poll.groups.indexOf(a.held.group) - b.poll.groups.indexOf(b.held.group));
  });
  const current = () => slots()[0];

  const self = createSelfEvaluation({
    api,
    meeting,
    ownCandidacies,
    voterName,
    code: votingCode,
    belongsToVoter: (code) => voterSlot(code) === voter,
    rememberCode: (code) => setVotingCode(code),
    announce,
  });

  const view = createMemo<VoteView>(() => {
    const s = stage();
    if (s !== 'checked-in') return s;
    if (self.open()) return 'self-evaluation';
    const slot = current();
    if (!slot) return receipts().length > 0 ? 'done' : tokens().some(isCastable) ? 'closed' : 'no-ballot';
    if (slot.poll.phase === 'checkin') return 'waiting';
    return reviewing() ? 'review' : 'ballot';
  });

  /** A token whose ballot has something on it (so its poll's closing means a lost vote). */
  function isCastable(held: HeldToken) {
    const poll = meeting()?.polls.find((p) => p.id === held.pollId);
    return !poll || questionsFor(poll, held.group).length > 0;
  }

  createEffect(
    on(view, (now, before) => {
      if (before === 'waiting' && now === 'ballot') announce('status.votingOpen');
      if (now !== 'review' && now !== 'self-evaluation') setReviewing(false);
    }),
  );

  // ---- keeping the meeting view fresh ----
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedulePoll = () => {
    clearTimeout(timer);
    if (!disposed) timer = setTimeout(refresh, pollIntervalMs);
  };
  async function refresh() {
    const shown = meeting();
    if (!shown || stage() !== 'checked-in' || (!current() && self.items().length === 0)) return;
    try {
      const next = await api.meeting(shown.id);
      if (disposed) return;
      setConnectionLost(false);
      // Replace the view only when something changed, so an open ballot is not re-rendered
      // (and keyboard focus not lost) every few seconds.
      if (JSON.stringify(next) !== JSON.stringify(meeting())) setMeeting(next);
    } catch {
      setConnectionLost(true);
    }
    schedulePoll();
  }
  onCleanup(() => clearTimeout(timer));

  function enterCheckedIn(next: { meeting: PublicMeetingView; voterName: string; typed: boolean; ownCandidacies: OwnCandidacy[] }) {
    batch(() => {
      setMeeting(next.meeting);
      setVoterName(next.voterName);
      setTyped(next.typed);
      setOwnCandidacies(next.ownCandidacies);
      setTokens(heldTokens(store, voter));
      setReceipts(heldReceipts(store, voter));
      setConfirming(undefined);
      setStage('checked-in');
    });
    schedulePoll();
  }

  function failed(cause: unknown, activity: 'checkin' | 'load', again: () => void) {
    const key = errorMessageKey(cause, activity);
    batch(() => {
      setError(key);
      setRetry(() => (RETRYABLE.has(key) ? again : undefined));
      setConfirming(undefined);
      setStage('enter-code');
    });
  }

  /** The voter is checked in under `code`: remember it (the slot in the tab, the code in memory only) and move on. */
  function checkedIn(code: string, result: { meeting: PublicMeetingView; voterName: string; ownCandidacies: OwnCandidacy[] }, typed: boolean) {
    voter = voterSlot(code);
    setVotingCode(code);
    const session: SavedSession = { voter, meetingId: result.meeting.id, voterName: result.voterName, typed, ownCandidacies: result.ownCandidacies };
    saveSession(session);
    enterCheckedIn({ ...result, typed });
  }

  /**
   * Checks in with a code. `fingerprints`: the ones from the voting link, or the ones the voter
   * confirmed; undefined for a typed code or a link without them, in which case only the
   * fingerprints are fetched, for the voter to compare (confirmKeys() then goes on). A typed
   * code keeps its form on screen while busy, so a mistyped code is there to be corrected.
   */
  async function checkIn(code: string, fingerprints: readonly string[] | undefined, source: 'link' | 'typed' | 'confirmed') {
    if (busy()) return;
    batch(() => {
      if (source !== 'typed') setStage('checking-in');
      setBusy(true);
      setError(undefined);
      setRetry(undefined);
    });
    try {
      if (fingerprints === undefined) {
        const keys = await keysToConfirm(api, code);
        if (disposed) return;
        // No key to issue under (no poll open to this code): nothing would be blinded, so there
        // is nothing to compare either; the page says there is no ballot.
        if (keys.fingerprints.length === 0) return checkedIn(code, keys, true);
        batch(() => {
          setMeeting(keys.meeting);
          setConfirming({ code, keys });
          setKeysDiffer(false);
          setStage('confirm-keys');
        });
        return;
      }
      const result = await checkInVoter(api, store, code, fingerprints);
      if (disposed) return;
      checkedIn(code, result, source === 'confirmed');
      if (result.tokens.length > 0) announce('checkin.done');
    } catch (cause) {
      failed(cause, 'checkin', () => void checkIn(code, fingerprints, source));
    } finally {
      setBusy(false);
    }
  }

  /** "They match — check in": blinds and checks in under exactly the keys the voter compared. */
  function confirmKeys() {
    const pending = confirming();
    if (pending) void checkIn(pending.code, pending.keys.fingerprints, 'confirmed');
  }

  /** "They differ": nothing was sent to /api/checkin; the page says what to do. */
  const rejectKeys = () => setKeysDiffer(true);

  /** Back to the code form from the comparison: the code stays unused. */
  const leaveConfirm = () =>
    batch(() => {
      setConfirming(undefined);
      setKeysDiffer(false);
      setStage('enter-code');
    });

  /** The voter edits the code after a failed check-in: what is sent next is the field, not the retry. */
  function editCode(text: string) {
    setCodeText(text);
    setRetry(undefined);
  }

  /** After a reload: picks up the tokens and receipts of the voter this tab checked in. */
  async function restore() {
    const saved = loadSession();
    if (!saved) return setStage('enter-code');
    setStage('loading');
    voter = saved.voter;
    if (heldTokens(store, voter).length === 0 && heldReceipts(store, voter).length === 0 && saved.ownCandidacies.length === 0) {
      saveSession(undefined);
      return setStage('enter-code');
    }
    try {
      enterCheckedIn({ ...saved, meeting: await api.meeting(saved.meetingId) });
    } catch (cause) {
      failed(cause, 'load', () => void restore());
    }
  }

  /** Reads the voting link, removes it from the address bar and history, and starts. */
  function start() {
    const link = parseVotingFragment(location.hash);
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    if (!link.code) return void restore();
    // A link whose fingerprints are missing or garbled is treated like a typed code: the
    // fingerprints are shown for comparison instead of being checked against nothing.
    void checkIn(link.code, link.fingerprints.length > 0 ? link.fingerprints : undefined, 'link');
  }

  // ---- filling in the ballot ----
  const choicesOf = (slot: BallotSlot) => choices()[slot.key];
  const setAnswer = (slot: BallotSlot, questionId: string, value: Choice) =>
    setChoices((all) => ({ ...all, [slot.key]: { ...all[slot.key], [questionId]: value } }));
  const answer = (slot: BallotSlot, question: Question) => answerOf(question, choicesOf(slot));
  const scores = (slot: BallotSlot, question: Question) => scoresIn(choicesOf(slot)?.[question.id]);

  function chooseSingle(slot: BallotSlot, questionId: string, option: string) {
    setAnswer(slot, questionId, option);
  }

  function toggleApproval(slot: BallotSlot, question: Question & { type: 'approval' }, option: string, on: boolean) {
    const chosen = answer(slot, question) as string[];
    const next = on ? (chosen.includes(option) || chosen.length >= question.maxChoices ? chosen : [...chosen, option]) : chosen.filter((o) => o !== option);
    setAnswer(slot, question.id, next);
  }

  const comment = (slot: BallotSlot, question: Question) => comments()[slot.key]?.[question.id] ?? '';
  const setComment = (slot: BallotSlot, question: Question, text: string) =>
    setComments((all) => ({ ...all, [slot.key]: { ...all[slot.key], [question.id]: text } }));

  /** Comments as sent: only on candidates this ballot scores, blank ones left out (the API drops them). */
  function finalComments(slot: BallotSlot, final: Choices): Record<string, string> {
    return Object.fromEntries(Object.entries(comments()[slot.key] ?? {}).filter(([id, text]) => id in final && text.trim() !== ''));
  }

  const setScore = (slot: BallotSlot, question: ScoreQuestion, criterion: string, value: number | undefined) =>
    setAnswer(slot, question.id, withScore(scores(slot, question), criterion, value));

  /** Only the voter's own candidacy (on a representatives' ballot) may be left unscored. */
  const mayLeaveOut = (slot: BallotSlot, question: Question) => question.type === 'score' && isOwn(slot.poll.id, question.id);

  /**
   * Questions still without a full answer: a single choice not made; a score question with a
   * criterion unscored (the voter's own may be left out entirely, not half done). Approval
   * questions may be left empty. A ballot of score questions must score somebody.
   */
  function unanswered(slot: BallotSlot): Question[] {
    const missing = slot.questions.filter((q) => {
      if (q.type === 'single') return answer(slot, q) === undefined;
      if (q.type === 'approval') return false;
      const given = scores(slot, q);
      return mayLeaveOut(slot, q) ? filledCount(q, given) > 0 && !isComplete(q, given) : !isComplete(q, given);
    });
    if (missing.length > 0 || slot.questions.some((q) => q.type !== 'score')) return missing;
    return slot.questions.some((q) => filledCount(q as ScoreQuestion, scores(slot, q)) > 0) ? [] : slot.questions.slice(0, 1);
  }

  /** Goes to the review screen, or returns the unanswered questions. */
  function review(slot: BallotSlot): Question[] {
    const missing = unanswered(slot);
    if (missing.length === 0) {
      setError(undefined);
      setReviewing(true);
    }
    return missing;
  }

  const backToBallot = () => {
    setError(undefined);
    setReviewing(false);
  };

  /** The ballot as sent: every question shown, less an own candidacy left unscored. */
  function finalChoices(slot: BallotSlot): Choices {
    const final: Choices = {};
    for (const q of slot.questions) {
      if (q.type !== 'score') final[q.id] = answer(slot, q)!;
      else if (isComplete(q, scores(slot, q))) final[q.id] = finalScores(q, scores(slot, q));
    }
    return final;
  }

  async function cast() {
    const slot = current();
    if (!slot || sending()) return; // a second click while sending does nothing
    setSending(true);
    setError(undefined);
    try {
      const final = finalChoices(slot);
      await castWithToken(api, store, slot.held, final, finalComments(slot, final));
      batch(() => {
        setTokens(heldTokens(store, voter));
        setReceipts(heldReceipts(store, voter));
        setReviewing(false);
      });
      announce('status.cast');
    } catch (cause) {
      setError(errorMessageKey(cause, 'cast'));
    } finally {
      setSending(false);
    }
  }

  /**
   * Receipts in the meeting's order of polls, with the poll's title when it is known, numbered
   * when one poll has several (a rater in two groups), so that each is told apart.
   */
  const receiptList = createMemo(() => {
    const sorted = [...receipts()].sort((a, b) => pollOrder(a.pollId) - pollOrder(b.pollId));
    return sorted.map((r, i) => {
      const title = meeting()?.polls.find((p) => p.id === r.pollId)?.title;
      const same = sorted.filter((other) => other.pollId === r.pollId);
      const number = same.length > 1 ? ` (${sorted.slice(0, i + 1).filter((other) => other.pollId === r.pollId).length})` : '';
      return { ...r, title: title && title + number };
    });
  });

  /** The fingerprints of the keys this voter's tokens were issued under, read from the tokens. */
  const fingerprints = createMemo(() =>
    slots().map((slot) => ({ poll: slot.poll, group: slot.held.group, fingerprint: heldTokenFingerprint(slot.held) })),
  );

  return {
    view,
    error,
    retry,
    announcement,
    meeting,
    voterName,
    typed,
    sending,
    busy,
    connectionLost,
    slots,
    current,
    receiptList,
    fingerprints,
    codeText,
    confirming,
    keysDiffer,
    self,
    start,
    checkIn,
    confirmKeys,
    rejectKeys,
    leaveConfirm,
    editCode,
    answer,
    scores,
    unanswered,
    mayLeaveOut,
    chooseSingle,
    toggleApproval,
    setScore,
    comment,
    setComment,
    review,
    backToBallot,
    cast,
  };
}

export type VoteSession = ReturnType<typeof createVoteSession>;
