/**
 * Opening voting as one act (开始投票): a modal dialog with, for each poll about to open, the
 * sign-in sheet's figures, the head count (清点人数), the check-ins the scrutineers strike and a
 * note when more were counted than checked in; then what will happen, in the order it happens
 * (check-in closes, every ballot token is issued at once, the issuing keys are destroyed). The
 * check the server makes is shown as the organizer types (opening.ts); a refusal from the
 * server is explained from the sign-in sheet read again, poll by poll, in their words.
 */
import { createEffect, createSignal, createUniqueId, For, on, Show } from 'solid-js';
import { ApiError } from '../../../shared/protocol/api-client.ts';
import { createAction, ExplainedError } from './action.ts';
import type { ConsoleApi, MeetingDetail, MeetingPoll, OpeningFacts, SignInSheet } from './api.ts';
import { ct, type ConsoleKey } from './i18n.ts';
import { createLoad, createTicker } from './load.ts';
import { meetingQuorum, openingFacts, openingProblem, parseCount, sheetFigures, type OpeningDraft, type OpeningProblem } from './opening.ts';
import { ErrorLine } from './error-line.tsx';

/** The polls to open: every poll of the meeting in check-in (`whole`, one request), or one of them. */
export interface OpeningRequest {
  pollIds: string[];
  whole: boolean;
}

/** Kinds whose voters are full Party members only: the head count's help names who is not counted. */
const PARTY_KINDS = new Set(['member_acceptance', 'member_conversion']);

const EMPTY_DRAFT: OpeningDraft = { headCount: '', note: '', strike: [] };

/** What the server recorded for 会议改期. */
type RescheduledFact = { headCount: number; checkedIn: number; expected: number; needed: number };

export const problemText = (problem: OpeningProblem) => ct(`opening.problem.${problem.kind}` as ConsoleKey, 'kind' in problem ? { ...problem } : undefined);

export function OpeningDialog(props: { api: ConsoleApi; meeting: MeetingDetail; request: OpeningRequest | undefined; onDone: () => void; onChanged: () => void }) {
  let dialog!: HTMLDialogElement;
  const titleId = createUniqueId();
  const act = createAction();
  const polls = () => (props.request ? props.meeting.polls.filter((p) => props.request!.pollIds.includes(p.id) && p.phase === 'checkin') : []);
  const sheets = createLoad(
    () => props.request?.pollIds.join(','),
    async () => {
      const ids = props.request?.pollIds ?? [];
      const read = await Promise.all(ids.map((id) => props.api.checkins(id)));
      return Object.fromEntries(read.map((sheet) => [sheet.pollId, sheet])) as Record<string, SignInSheet>;
    },
  );
  // New check-ins keep arriving while the room is counted: read the sheets again while open.
  createTicker(
    () => props.request !== undefined,
    () => void sheets.reload(),
  );
  const [drafts, setDrafts] = createSignal<Record<string, OpeningDraft>>({});
  /** 会议改期 recorded in this dialog, by poll (kept here: a poll's section is drawn again when the meeting is read again). */
  const [rescheduled, setRescheduled] = createSignal<Record<string, RescheduledFact>>({});
  const draftOf = (pollId: string) => drafts()[pollId] ?? EMPTY_DRAFT;
  const change = (pollId: string, patch: Partial<OpeningDraft>) => {
    // A refusal answered the figures as they were: once they change, it no longer applies.
    act.setError(undefined);
    setDrafts({ ...drafts(), [pollId]: { ...draftOf(pollId), ...patch } });
  };
  createEffect(
    on(
      () => props.request,
      (request) => {
        setDrafts({});
        setRescheduled({});
        act.setError(undefined);
        if (request && !dialog.open) dialog.showModal();
        if (!request && dialog.open) dialog.close();
      },
    ),
  );

  /** Each poll's reason to be refused, as a sentence, for the polls still in check-in on the sheets as read now. */
  const refusals = (current: Record<string, SignInSheet>, only?: (p: MeetingPoll) => boolean) => {
    const list = polls().flatMap((poll) => {
      const sheet = current[poll.id];
      const problem = sheet && sheet.phase === 'checkin' && (!only || only(poll)) ? openingProblem(sheet, draftOf(poll.id)) : undefined;
      return problem ? [polls().length > 1 ? ct('opening.refusedPoll', { title: poll.title, reason: problemText(problem) }) : problemText(problem)] : [];
    });
    return list.length ? ct('opening.refused', { reasons: list.join(' ') }) : undefined;
  };

  const open = () =>
    act.run(async () => {
      const request = props.request;
      const current = sheets.value();
      if (!request || !current) return;
      const openings: Record<string, OpeningFacts> = {};
      for (const poll of polls()) {
        const facts = openingFacts(current[poll.id]!, draftOf(poll.id));
        if (facts) openings[poll.id] = facts;
      }
      // A head count that is not a number is the one thing not sent.
      const missing = refusals(current, (poll) => !openings[poll.id]);
      if (missing) throw new ExplainedError(missing);
      try {
        if (request.whole) await props.api.transitionMeeting(props.meeting.id, 'voting', openings);
        else await props.api.transitionPoll(request.pollIds[0]!, 'voting', openings[request.pollIds[0]!]);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'head_count')) throw error;
        // Someone checked in meanwhile, or the count is off: say which poll and why, from the sheets read again.
        props.onChanged();
        await sheets.reload();
        const explained = refusals(sheets.value() ?? current);
        throw explained ? new ExplainedError(explained) : error;
      }
      props.onChanged();
      props.onDone();
    });

  /** A poll whose head count does not reach its quorum: voting cannot open (the server refuses too), so the button is not offered. */
  const withoutQuorum = () =>
    polls().some((poll) => {
      const sheet = sheets.value()?.[poll.id];
      const headCount = parseCount(draftOf(poll.id).headCount);
      if (!sheet || headCount === undefined) return false;
      const quorum = meetingQuorum(poll.rule, sheetFigures(sheet, draftOf(poll.id).strike).expected, headCount);
      return quorum !== undefined && !quorum.met && !quorum.advisory;
    });
  const lateCheckIn = () => props.meeting.lateCheckIn;
  return (
    <dialog ref={dialog} class="confirm-dialog opening-dialog" aria-labelledby={titleId} onClose={() => props.request && !act.busy() && props.onDone()}>
      <Show when={props.request}>
        <form
          method="dialog"
          class="stack"
          novalidate
          onSubmit={(event) => {
            event.preventDefault();
            void open();
          }}
        >
          <h2 id={titleId}>{ct('opening.title')}</h2>
          <p>{ct('confirm.polls', { titles: polls().map((p) => p.title).join('、') })}</p>
          <Show when={sheets.value()} fallback={<p class="hint">{ct('opening.loading')}</p>}>
            {(current) => (
              <For each={polls()}>
                {(poll) => (
                  <Show when={current()[poll.id]}>
                    {(sheet) => (
                      <PollOpening
                        api={props.api}
                        poll={poll}
                        sheet={sheet()}
                        draft={draftOf(poll.id)}
                        onChange={(patch) => change(poll.id, patch)}
                        rescheduled={rescheduled()[poll.id]}
                        onRescheduled={(fact) => {
                          setRescheduled({ ...rescheduled(), [poll.id]: fact });
                          act.setError(undefined); // the refusal it answers is no longer news
                          props.onChanged();
                        }}
                      />
                    )}
                  </Show>
                )}
              </For>
            )}
          </Show>
          <ErrorLine text={sheets.error()} />
          <ol class="opening-steps">
            <li>{ct(lateCheckIn() ? 'opening.what.closesLate' : 'opening.what.closes')}</li>
            <li>{ct('opening.what.issue')}</li>
            <li>{ct(lateCheckIn() ? 'opening.what.destroyLate' : 'opening.what.destroy')}</li>
            <li>{ct('opening.what.fixed')}</li>
          </ol>
          <ErrorLine text={act.error()} />
          <div class="dialog-buttons">
            <button type="button" class="button button-secondary" onClick={() => props.onDone()} disabled={act.busy()}>
              {ct('dialog.cancel')}
            </button>
            <button type="submit" class="button button-danger" disabled={act.busy() || !sheets.value() || withoutQuorum()}>
              {ct('phase.openVoting')}
            </button>
          </div>
        </form>
      </Show>
    </dialog>
  );
}

function PollOpening(props: {
  api: ConsoleApi;
  poll: MeetingPoll;
  sheet: SignInSheet;
  draft: OpeningDraft;
  onChange: (patch: Partial<OpeningDraft>) => void;
  rescheduled: RescheduledFact | undefined;
  onRescheduled: (fact: RescheduledFact) => void;
}) {
  const id = createUniqueId();
  // 会议改期: the count does not reach the quorum; recorded in the meeting's record, the poll waits in check-in.
  const reschedule = createAction();
  const rescheduled = () => props.rescheduled;
  const figures = () => sheetFigures(props.sheet, props.draft.strike);
  const pending = () => props.sheet.voters.filter((v) => v.state === 'pending');
  const problem = () => openingProblem(props.sheet, props.draft);
  const quorumLine = () => {
    const headCount = parseCount(props.draft.headCount);
    if (headCount === undefined) return undefined;
    const quorum = meetingQuorum(props.poll.rule, figures().expected, headCount);
    if (!quorum) return undefined;
    const key = quorum.advisory
      ? quorum.met
        ? 'opening.attendance.met'
        : 'opening.attendance.notMet'
      : quorum.half
        ? quorum.met
          ? 'opening.quorum.halfMet'
          : 'opening.quorum.halfNotMet'
        : quorum.met
          ? 'opening.quorum.met'
          : 'opening.quorum.notMet';
    return { text: ct(key, { present: headCount, expected: figures().expected, needed: quorum.needed }), met: quorum.met, stops: !quorum.met && !quorum.advisory };
  };
  const toggle = (voterId: string, struck: boolean) =>
    props.onChange({ strike: struck ? [...props.draft.strike, voterId] : props.draft.strike.filter((v) => v !== voterId) });
  return (
    <fieldset class="opening-poll stack-tight" data-poll={props.poll.id}>
      <legend>{props.poll.title}</legend>
      <p data-facts>{ct('opening.sheetFacts', { expected: figures().expected, pending: figures().pending, absent: figures().absent, written: figures().written })}</p>
      <label for={`${id}-head`}>{ct('opening.headCount')}</label>
      <p class="hint" id={`${id}-head-help`}>
        {ct(PARTY_KINDS.has(props.poll.kind) ? 'opening.headCountHelp.party' : 'opening.headCountHelp.other')}
      </p>
      <input
        id={`${id}-head`}
        class="input input-short"
        type="text"
        inputmode="numeric"
        autocomplete="off"
        aria-describedby={`${id}-head-help ${id}-check`}
        value={props.draft.headCount}
        onInput={(e) => props.onChange({ headCount: e.currentTarget.value })}
      />
      <fieldset class="strike-list stack-tight">
        <legend>{ct('opening.strike')}</legend>
        <Show when={pending().length > 0} fallback={<p class="hint">{ct('opening.strikeNone')}</p>}>
          <p class="hint">{ct('opening.strikeHelp')}</p>
          <For each={pending()}>
            {(voter) => (
              <label class="check-line">
                <input type="checkbox" checked={props.draft.strike.includes(voter.voterId)} onChange={(e) => toggle(voter.voterId, e.currentTarget.checked)} />
                {`${voter.name}（${voter.number}）`}
              </label>
            )}
          </For>
        </Show>
      </fieldset>
      <label for={`${id}-note`}>{ct('opening.note')}</label>
      <textarea id={`${id}-note`} class="textarea" rows="2" value={props.draft.note} onInput={(e) => props.onChange({ note: e.currentTarget.value })} />
      <div id={`${id}-check`} class="opening-check" aria-live="polite">
        <Show
          when={problem()}
          fallback={
            <>
              <p>{ct('opening.tally', { ...figures(), headCount: parseCount(props.draft.headCount) ?? 0 })}</p>
              <Show when={quorumLine()}>{(q) => <p class={q().met ? 'verdict-ok' : 'verdict-no'}>{q().text}</p>}</Show>
              <Show when={quorumLine()?.stops && !rescheduled()}>
                <button
                  type="button"
                  class="button button-secondary button-inline"
                  disabled={reschedule.busy()}
                  onClick={() =>
                    void reschedule.run(async () => {
                      props.onRescheduled(await props.api.reschedule(props.poll.id, parseCount(props.draft.headCount) ?? 0));
                    })
                  }
                >
                  {ct('opening.reschedule')}
                </button>
              </Show>
              <ErrorLine text={reschedule.error()} />
              <Show when={rescheduled()}>{(r) => <p class="notice" role="status" data-rescheduled>{ct('opening.rescheduled', { ...r() })}</p>}</Show>
            </>
          }
        >
          {(p) => (
            <p class={p().kind === 'missing' ? 'hint' : 'verdict-no'} data-problem={p().kind}>
              {problemText(p())}
            </p>
          )}
        </Show>
      </div>
    </fieldset>
  );
}
