/**
 * The voter's page as a small state machine over shared/protocol/voter-flow.ts:
 *
 *   enter-code ─▶ checking-in ─▶ waiting ─(poll opens)─▶ ballot ⇄ review ─(cast)─▶ next ballot … ─▶ done
 *
 * A voting link carries the code and the key fingerprints in its fragment; a typed code has no
 * fingerprints, so the page shows them for comparison with the projector instead. After
 * check-in the page polls the public meeting view and moves on by itself when the organizer
 * opens the vote. One ballot paper per token held (one per poll and voter group).
 *
 * Across a reload the page remembers, in sessionStorage, only the voter slot (a hash of the
 * code), the meeting id and the voter's name: never the code itself. The tokens are in the
 * VoterStore (localStorage), where voter-flow.ts put them. On a kiosk the page disposes the
 * session after each voter and calls forgetAllVoters().
 */
import { batch, createEffect, createMemo, createSignal, on, onCleanup } from 'solid-js';
import type { PublicMeetingView, PublicPollView } from '../../../shared/protocol/api.ts';
import type { VoterApi } from '../../../shared/protocol/api-client.ts';
import type { Choices, Question } from '../../../shared/protocol/poll.ts';
import {
  castWithToken,
  checkInVoter,
  heldTokens,
  parseVotingFragment,
  voterSlot,
  heldReceipts,
  wipeVoterStore,
  type HeldToken,
  type Receipt,
  type VoterStore,
} from '../../../shared/protocol/voter-flow.ts';
import { errorMessageKey } from '../i18n/errors.ts';
import type { MessageKey } from '../i18n/index.ts';

export type VoteView = 'loading' | 'enter-code' | 'checking-in' | 'waiting' | 'ballot' | 'review' | 'done' | 'closed' | 'no-ballot';

/** One ballot paper: a held token and the poll it votes in. */
export interface BallotSlot {
  key: string;
  held: HeldToken;
  poll: PublicPollView;
}

interface SavedSession {
  voter: string;
  meetingId: string;
  voterName: string;
  typed: boolean;
}

const SESSION_KEY = 'anon-ballot.session';
const RETRYABLE: ReadonlySet<MessageKey> = new Set(['error.network', 'error.generic', 'error.rate_limited']);

const slotKey = (held: { pollId: string; group: string }) => `${held.pollId}|${held.group}`;

function loadSession(): SavedSession | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as SavedSession | null;
    return saved && typeof saved.voter === 'string' && typeof saved.meetingId === 'string' ? saved : undefined;
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

  const [stage, setStage] = createSignal<'loading' | 'enter-code' | 'checking-in' | 'checked-in'>('loading');
  const [error, setError] = createSignal<MessageKey>();
  const [retry, setRetry] = createSignal<() => void>();
  const [announcement, setAnnouncement] = createSignal<MessageKey>();
  const [meeting, setMeeting] = createSignal<PublicMeetingView>();
  const [tokens, setTokens] = createSignal<HeldToken[]>([]);
  const [receipts, setReceipts] = createSignal<Receipt[]>([]);
  const [voterName, setVoterName] = createSignal('');
  const [typed, setTyped] = createSignal(false);
  const [reviewing, setReviewing] = createSignal(false);
  const [sending, setSending] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [connectionLost, setConnectionLost] = createSignal(false);
  // Choices per ballot slot, replaced (not mutated) on every change: a plain signal is enough
  // here and spares the voter's phone solid-js/store.
  const [choices, setChoices] = createSignal<Readonly<Record<string, Choices>>>({});
  let voter = '';

  /** Sets the live region; cleared first so the same sentence twice is announced twice. */
  const announce = (key: MessageKey) => {
    setAnnouncement(undefined);
    queueMicrotask(() => setAnnouncement(key));
  };

  const pollOrder = (pollId: string) => meeting()?.polls.findIndex((p) => p.id === pollId) ?? -1;

  /** Every ballot this device can still cast, in the meeting's order of polls. */
  const slots = createMemo(() => {
    const polls = meeting()?.polls ?? [];
    return tokens()
      .flatMap((held): BallotSlot[] => {
        const poll = polls.find((p) => p.id === held.pollId);
        return poll ? [{ key: slotKey(held), held, poll }] : [];
      })
      .filter((slot) => slot.poll.phase === 'checkin' || slot.poll.phase === 'voting')
      .sort((a, b) => pollOrder(a.poll.id) - pollOrder(b.poll.id));
  });
  const current = () => slots()[0];

  const view = createMemo<VoteView>(() => {
    const s = stage();
    if (s !== 'checked-in') return s;
    const slot = current();
    if (!slot) return receipts().length > 0 ? 'done' : tokens().length > 0 ? 'closed' : 'no-ballot';
    if (slot.poll.phase === 'checkin') return 'waiting';
    return reviewing() ? 'review' : 'ballot';
  });

  createEffect(
    on(view, (now, before) => {
      if (before === 'waiting' && now === 'ballot') announce('status.votingOpen');
      if (now !== 'review') setReviewing(false);
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
    if (!shown || stage() !== 'checked-in' || !current()) return;
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

  function enterCheckedIn(next: { meeting: PublicMeetingView; voterName: string; typed: boolean }) {
    batch(() => {
      setMeeting(next.meeting);
      setVoterName(next.voterName);
      setTyped(next.typed);
      setTokens(heldTokens(store, voter));
      setReceipts(heldReceipts(store, voter));
      setStage('checked-in');
    });
    schedulePoll();
  }

  function failed(cause: unknown, activity: 'checkin' | 'load', again: () => void) {
    const key = errorMessageKey(cause, activity);
    batch(() => {
      setError(key);
      setRetry(() => (RETRYABLE.has(key) ? again : undefined));
      setStage('enter-code');
    });
  }

  /**
   * Checks in with a code. `fingerprints`: the ones from the voting link, or undefined for a
   * typed code (the page then shows the served fingerprints for comparison). A typed code
   * keeps its form on screen while busy, so a mistyped code is there to be corrected.
   */
  async function checkIn(code: string, fingerprints: readonly string[] | undefined, source: 'link' | 'typed') {
    if (busy()) return;
    batch(() => {
      if (source === 'link') setStage('checking-in');
      setBusy(true);
      setError(undefined);
      setRetry(undefined);
    });
    try {
      const result = await checkInVoter(api, store, code, fingerprints);
      if (disposed) return;
      voter = voterSlot(code);
      const session = { voter, meetingId: result.meeting.id, voterName: result.voterName, typed: fingerprints === undefined };
      saveSession(session);
      enterCheckedIn({ meeting: result.meeting, voterName: result.voterName, typed: session.typed });
      if (result.tokens.length > 0) announce('checkin.done');
    } catch (cause) {
      failed(cause, 'checkin', () => void checkIn(code, fingerprints, source));
    } finally {
      setBusy(false);
    }
  }

  /** The voter edits the code after a failed check-in: what is sent next is the field, not the retry. */
  const forgetRetry = () => setRetry(undefined);

  /** After a reload: picks up the tokens and receipts of the voter this tab checked in. */
  async function restore() {
    const saved = loadSession();
    if (!saved) return setStage('enter-code');
    setStage('loading');
    voter = saved.voter;
    if (heldTokens(store, voter).length === 0 && heldReceipts(store, voter).length === 0) {
      saveSession(undefined);
      return setStage('enter-code');
    }
    try {
      enterCheckedIn({ meeting: await api.meeting(saved.meetingId), voterName: saved.voterName, typed: saved.typed });
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
  const setAnswer = (slot: BallotSlot, questionId: string, value: string | string[]) =>
    setChoices((all) => ({ ...all, [slot.key]: { ...all[slot.key], [questionId]: value } }));
  const answer = (slot: BallotSlot, question: Question) => answerOf(question, choicesOf(slot));

  function chooseSingle(slot: BallotSlot, questionId: string, option: string) {
    setAnswer(slot, questionId, option);
  }

  function toggleApproval(slot: BallotSlot, question: Question & { type: 'approval' }, option: string, on: boolean) {
    const chosen = answer(slot, question) as string[];
    const next = on ? (chosen.includes(option) || chosen.length >= question.maxChoices ? chosen : [...chosen, option]) : chosen.filter((o) => o !== option);
    setAnswer(slot, question.id, next);
  }

  /** Questions still without an answer (approval questions may be left empty). */
  const unanswered = (slot: BallotSlot) => slot.poll.questions.filter((q) => answer(slot, q) === undefined);

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

  async function cast() {
    const slot = current();
    if (!slot || sending()) return; // a second click while sending does nothing
    setSending(true);
    setError(undefined);
    try {
      const final: Choices = Object.fromEntries(slot.poll.questions.map((q) => [q.id, answer(slot, q)!]));
      await castWithToken(api, store, slot.held, final);
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

  /** Receipts in the meeting's order of polls, with the poll's title when it is known. */
  const receiptList = createMemo(() =>
    receipts()
      .map((r) => ({ ...r, title: meeting()?.polls.find((p) => p.id === r.pollId)?.title }))
      .sort((a, b) => pollOrder(a.pollId) - pollOrder(b.pollId)),
  );

  /** The fingerprints of the keys this voter's tokens were issued under, with their poll's title. */
  const fingerprints = createMemo(() => {
    const held = tokens();
    return (meeting()?.polls ?? []).flatMap((poll) =>
      poll.keys
        .filter((k) => held.some((h) => h.pollId === poll.id && h.group === k.group))
        .map((k) => ({ pollTitle: poll.title, fingerprint: k.fingerprint })),
    );
  });

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
    start,
    checkIn,
    forgetRetry,
    answer,
    unanswered,
    chooseSingle,
    toggleApproval,
    review,
    backToBallot,
    cast,
  };
}

export type VoteSession = ReturnType<typeof createVoteSession>;
