/**
 * One meeting as its branch secretary runs it: the live panel (expected, checked in, head
 * count, submitted, whether the meeting can be held — turnout only, never choices), the phase
 * buttons with their confirmations (opening voting: the head count dialog), check-in (the
 * room code, late check-in), the roster with exclusions and slip reprints, the roster import,
 * the polls with their sign-in sheets, and a form for a new one. The meeting is read again
 * every few seconds, so the panel follows check-in and submissions without a reload.
 */
import { createMemo, createSignal, For, Show } from 'solid-js';
import { createAction } from './action.ts';
import type { ConsoleApi, MeetingDetail, MeetingPoll, RosterVoter, SlipsResponse, TransitionTarget } from './api.ts';
import { ConfirmDialog, type ConfirmRequest } from './confirm-dialog.tsx';
import { ct, phaseLabel, type ConsoleKey } from './i18n.ts';
import { AuditPanel } from './audit-panel.tsx';
import { PollCard } from './poll-card.tsx';
import { PollForm } from './poll-form.tsx';
import { createLoad, createTicker } from './load.ts';
import { CheckInPanel, checkInOpen } from './checkin-panel.tsx';
import { OpeningDialog, type OpeningRequest } from './opening-dialog.tsx';
import { meetingQuorum } from './opening.ts';
import { RosterImport, statusLabel } from './roster-import.tsx';
import { SlipSheet } from './slip-sheet.tsx';
import { ErrorLine } from './error-line.tsx';

/** Meeting-wide steps: each moves every poll that is one phase behind. */
const STEPS: { to: TransitionTarget; from: MeetingPoll['phase']; button: ConsoleKey; title: ConsoleKey; lines: ConsoleKey[]; danger?: boolean }[] = [
  { to: 'checkin', from: 'draft', button: 'phase.openCheckin', title: 'confirm.checkin.title', lines: ['confirm.checkin.1', 'confirm.checkin.2'] },
  // Opening voting has its own dialog (opening-dialog.tsx): the head count of each poll.
  { to: 'voting', from: 'checkin', button: 'phase.openVoting', title: 'opening.title', lines: [] },
  { to: 'closed', from: 'voting', button: 'phase.close', title: 'confirm.close.title', lines: ['confirm.close.1', 'confirm.close.2', 'confirm.close.3'], danger: true },
  { to: 'published', from: 'closed', button: 'phase.publish', title: 'confirm.publish.title', lines: ['confirm.publish.1', 'confirm.publish.2'], danger: true },
];

/**
 * Whether the meeting can be held, from the poll's own rule (the attendance indicator for the
 * advisory kinds): before voting opens on the check-ins, after on the head count. Plain counts
 * have no quorum, and the three evaluations count participation per group, which turnout does
 * not break down: for those the panel shows none.
 */
const quorumOf = (poll: MeetingPoll) => meetingQuorum(poll.rule, poll.turnout.expected, poll.turnout.headCount ?? poll.turnout.checkedIn);

/** "—" where a figure does not apply yet (no head count before voting opens, nothing to submit before). */
const figure = (value: number | null | undefined) => (value === null || value === undefined ? '—' : String(value));

/**
 * Slips can be made once no poll is a draft (every key exists), and are of use while someone can
 * still check in: a code is worth nothing once check-in has closed (voting opened without late check-in).
 */
const codesUsable = (meeting: MeetingDetail) => meeting.polls.length > 0 && meeting.polls.every((p) => p.phase !== 'draft') && checkInOpen(meeting);

function LivePanel(props: { polls: MeetingPoll[] }) {
  return (
    <section class="panel live-panel" aria-labelledby="live-title">
      <h2 id="live-title">{ct('live.title')}</h2>
      <p class="hint">{ct('live.help')}</p>
      <Show when={props.polls.length > 0} fallback={<p>{ct('live.noPolls')}</p>}>
        <div class="table-wrap" tabindex="0" role="region" aria-label={ct('live.tableLabel')}>
          <table class="table live-table">
            <caption class="visually-hidden">{ct('live.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{ct('live.poll')}</th>
                <th scope="col">{ct('live.phase')}</th>
                <th scope="col">{ct('live.expected')}</th>
                <th scope="col">{ct('live.checkedIn')}</th>
                <th scope="col">{ct('live.headCount')}</th>
                <th scope="col">{ct('live.submitted')}</th>
                <th scope="col">{ct('live.notSubmitted')}</th>
                <th scope="col">{ct('live.quorum')}</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.polls}>
                {(poll) => (
                  <tr data-poll={poll.id}>
                    <th scope="row">{poll.title}</th>
                    <td data-field="phase">{phaseLabel(poll.phase)}</td>
                    <td class="num" data-field="expected">{poll.turnout.expected}</td>
                    <td class="num" data-field="checked-in">{poll.turnout.checkedIn}</td>
                    <td class="num" data-field="head-count">{figure(poll.turnout.headCount)}</td>
                    <td class="num" data-field="submitted">{poll.phase === 'draft' || poll.phase === 'checkin' ? '—' : poll.turnout.submitted}</td>
                    <td class="num" data-field="not-submitted">
                      {poll.phase === 'voting' ? Math.max(0, poll.turnout.checkedIn - poll.turnout.submitted) : '—'}
                    </td>
                    <Show when={quorumOf(poll)} fallback={<td data-field="quorum">{ct('live.noQuorum')}</td>}>
                      {(quorum) => (
                        <td data-field="quorum" class={quorum().met ? 'verdict-ok' : 'verdict-no'}>
                          {ct(quorum().met ? 'live.quorumMet' : 'live.quorumNotMet', { needed: quorum().needed })}
                        </td>
                      )}
                    </Show>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}

function ExcludeForm(props: { voter: RosterVoter; onSave: (reason: string, approvedBy: string) => Promise<unknown>; onCancel: () => void; busy: boolean }) {
  const [reason, setReason] = createSignal('');
  const [approvedBy, setApprovedBy] = createSignal('');
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSave(reason(), approvedBy());
      }}
    >
      <label for={`reason-${props.voter.id}`}>{ct('exclude.reason')}</label>
      <input id={`reason-${props.voter.id}`} class="input" type="text" value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />
      <label for={`approved-${props.voter.id}`}>{ct('exclude.approvedBy')}</label>
      <input id={`approved-${props.voter.id}`} class="input" type="text" value={approvedBy()} onInput={(e) => setApprovedBy(e.currentTarget.value)} />
      <button type="submit" class="button button-primary button-inline" disabled={props.busy}>
        {ct('exclude.save')}
      </button>
      <button type="button" class="button button-secondary button-inline" onClick={() => props.onCancel()}>
        {ct('dialog.cancel')}
      </button>
    </form>
  );
}

function Roster(props: {
  api: ConsoleApi;
  meeting: MeetingDetail;
  voters: RosterVoter[];
  onChanged: () => void;
  onReprint: (voter: RosterVoter) => void;
}) {
  const firstPoll = () => props.meeting.polls[0]?.id;
  const record = createLoad(firstPoll, (id) => props.api.record(id));
  const refetch = record.reload;
  const exclusionOf = (voterId: string) => record.value()?.exclusions.find((e) => e.voterId === voterId);
  const [excluding, setExcluding] = createSignal<string>();
  const act = createAction();
  const rosterOpen = () => props.meeting.polls.every((p) => p.phase === 'draft' || p.phase === 'checkin');
  // A new code is only of use while members can still check in.
  const slipsExist = () => codesUsable(props.meeting);
  return (
    <section class="panel" aria-labelledby="roster-title">
      <h2 id="roster-title">{ct('roster.title', { count: props.voters.length })}</h2>
      <Show when={props.voters.length > 0} fallback={<p>{ct('roster.empty')}</p>}>
        <Show when={!firstPoll()}>
          <p class="hint">{ct('exclude.needPoll')}</p>
        </Show>
        <div class="table-wrap" tabindex="0" role="region" aria-label={ct('roster.caption')}>
          <table class="table roster-table">
            <caption class="visually-hidden">{ct('roster.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{ct('roster.name')}</th>
                <th scope="col">{ct('roster.number')}</th>
                <th scope="col">{ct('roster.groups')}</th>
                <th scope="col">{ct('roster.status')}</th>
                <th scope="col">{ct('roster.slip')}</th>
                <th scope="col">{ct('roster.counted')}</th>
                <th scope="col">{ct('roster.actions')}</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.voters}>
                {(voter) => (
                  <>
                    <tr data-voter={voter.number}>
                      <th scope="row">{voter.name}</th>
                      <td>{voter.number}</td>
                      <td>{voter.groups.join(', ')}</td>
                      <td>{statusLabel(voter.status)}</td>
                      <td>{ct(voter.hasCode ? 'roster.slipYes' : 'roster.slipNo')}</td>
                      <td>
                        <Show when={exclusionOf(voter.id)} fallback={ct('roster.countedYes')}>
                          {(e) => ct('roster.excluded', { reason: e().reason, approvedBy: e().approvedBy })}
                        </Show>
                      </td>
                      <td>
                        <div class="row-actions">
                          <Show when={rosterOpen() && firstPoll()}>
                            <Show
                              when={exclusionOf(voter.id)}
                              fallback={
                                <button type="button" class="button button-secondary button-inline" onClick={() => setExcluding(voter.id)}>
                                  {ct('exclude.button')}
                                </button>
                              }
                            >
                              <button
                                type="button"
                                class="button button-secondary button-inline"
                                disabled={act.busy()}
                                onClick={() =>
                                  void act.run(async () => {
                                    await props.api.include(props.meeting.id, voter.id);
                                    await refetch();
                                    props.onChanged();
                                  })
                                }
                              >
                                {ct('exclude.undo')}
                              </button>
                            </Show>
                          </Show>
                          <Show when={slipsExist()}>
                            <button type="button" class="button button-secondary button-inline" onClick={() => props.onReprint(voter)}>
                              {ct('slips.reprint')}
                            </button>
                          </Show>
                        </div>
                      </td>
                    </tr>
                    <Show when={excluding() === voter.id}>
                      <tr>
                        <td colSpan={7}>
                          <ExcludeForm
                            voter={voter}
                            busy={act.busy()}
                            onCancel={() => setExcluding(undefined)}
                            onSave={(reason, approvedBy) =>
                              act.run(async () => {
                                await props.api.exclude(props.meeting.id, voter.id, reason, approvedBy);
                                setExcluding(undefined);
                                await refetch();
                                props.onChanged();
                              })
                            }
                          />
                        </td>
                      </tr>
                    </Show>
                  </>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
      <ErrorLine text={act.error() ?? record.error()} />
    </section>
  );
}

export function MeetingView(props: { api: ConsoleApi; meetingId: string; onBack: () => void; canChange?: boolean }) {
  const meeting = createLoad(() => props.meetingId, (id) => props.api.meeting(id));
  const voterList = createLoad(() => props.meetingId, (id) => props.api.voters(id));
  const refetchMeeting = meeting.reload;
  const refetchVoters = voterList.reload;
  const voters = () => voterList.value() ?? [];
  createTicker(
    () => true,
    () => void refetchMeeting(),
  );
  const [confirm, setConfirm] = createSignal<ConfirmRequest>();
  const [opening, setOpening] = createSignal<OpeningRequest>();
  const [slips, setSlips] = createSignal<SlipsResponse>();
  const dialogAction = createAction();
  const slipsAction = createAction();
  const refresh = () => {
    void refetchMeeting();
    void refetchVoters();
  };
  const current = () => meeting.value();
  const polls = () => current()?.polls ?? [];
  const knownGroups = createMemo(() => [...new Set(['members', ...polls().flatMap((p) => p.groups)])]);

  const ask = (request: ConfirmRequest) => {
    dialogAction.setError(undefined);
    setConfirm(request);
  };

  /** The confirmation of a step for every poll in its phase, or for `only` one poll. */
  const stepRequest = (step: (typeof STEPS)[number], only?: MeetingPoll): ConfirmRequest => {
    const moving = only ? [only] : polls().filter((p) => p.phase === step.from);
    const submitted = moving.reduce((n, p) => n + p.turnout.submitted, 0);
    return {
      title: ct(step.title),
      lines: [ct('confirm.polls', { titles: moving.map((p) => p.title).join('、') }), ...step.lines.map((k) => ct(k, { submitted }))],
      confirmLabel: ct(step.button),
      danger: step.danger,
      run: async () => {
        if (only) await props.api.transitionPoll(only.id, step.to);
        else await props.api.transitionMeeting(props.meetingId, step.to);
        refresh();
      },
    };
  };

  /** Opening voting asks for each poll's head count in its own dialog; the other steps confirm what they do. */
  const startStep = (step: (typeof STEPS)[number], only?: MeetingPoll) => {
    if (step.to !== 'voting') return ask(stepRequest(step, only));
    setOpening(only ? { pollIds: [only.id], whole: false } : { pollIds: polls().filter((p) => p.phase === 'checkin').map((p) => p.id), whole: true });
  };

  /**
   * With several polls, each can also move on its own (close the acceptance, keep the
   * recommendation open). Check-in stays meeting-wide: slips carry the keys of every poll.
   */
  const pollStep = (poll: MeetingPoll) => {
    const step = STEPS.find((s) => s.from === poll.phase && s.to !== 'checkin');
    if (!step || polls().length < 2) return undefined;
    return { label: ct('phase.onlyThis', { step: ct(step.button) }), danger: !!step.danger, onClick: () => startStep(step, poll) };
  };

  const printAll = () => {
    const run = () =>
      slipsAction.run(async () => {
        setSlips(await props.api.slips(props.meetingId));
        void refetchVoters();
      });
    if (voters().some((v) => v.hasCode))
      ask({ title: ct('confirm.slipsAll.title'), lines: [ct('confirm.slipsAll.1'), ct('confirm.slipsAll.2')], confirmLabel: ct('slips.printAll'), danger: true, run });
    else void run();
  };

  const reprint = (voter: RosterVoter) =>
    ask({
      title: ct('confirm.reprint.title', { name: voter.name }),
      lines: [ct('confirm.reprint.1', { name: voter.name }), ct('confirm.reprint.2')],
      confirmLabel: ct('slips.reprint'),
      run: async () => {
        setSlips(await props.api.slips(props.meetingId, [voter.id]));
        void refetchVoters();
      },
    });

  const canPrint = () => current() !== undefined && codesUsable(current()!);
  const canAddPoll = () => !voters().some((v) => v.hasCode) && polls().every((p) => p.phase === 'draft');

  return (
    <Show
      when={!slips()}
      fallback={<SlipSheet meetingTitle={current()?.title ?? ''} slips={slips()!} onBack={() => setSlips(undefined)} />}
    >
      <div class="stack">
        <p>
          <a
            href="/console"
            onClick={(e) => {
              e.preventDefault();
              props.onBack();
            }}
          >
            {ct('meeting.back')}
          </a>
        </p>
        <Show when={!current() && meeting.error()}>
          {/* The meeting could not be read at all (not found, another unit's): still a titled page. */}
          <h1 tabindex="-1" data-screen-title>
            {ct('meeting.unavailable')}
          </h1>
        </Show>
        <Show when={meeting.error() || voterList.error()}>
          <p class="alert" role="alert">
            {meeting.error() ?? voterList.error()}
          </p>
        </Show>
        <Show when={current()}>
          {(m) => (
            <>
              <h1 tabindex="-1" data-screen-title>
                {m().title}
              </h1>
              <LivePanel polls={m().polls} />
              <section class="panel" aria-labelledby="steps-title">
                <h2 id="steps-title">{ct('phase.title')}</h2>
                <p class="hint">{ct('phase.help')}</p>
                <Show when={m().polls.length === 0}>
                  <p>{ct('phase.needPoll')}</p>
                </Show>
                <Show when={m().polls.length > 0 && m().polls.every((p) => p.phase === 'published')}>
                  <p>{ct('phase.allPublished')}</p>
                </Show>
                <div class="link-row">
                  <For each={STEPS}>
                    {(step) => (
                      <Show when={m().polls.some((p) => p.phase === step.from)}>
                        <button
                          type="button"
                          class={`button button-inline ${step.danger ? 'button-danger' : 'button-primary'}`}
                          onClick={() => startStep(step)}
                        >
                          {ct(step.button)}
                        </button>
                      </Show>
                    )}
                  </For>
                  <Show when={m().polls.some((p) => p.phase !== 'draft')}>
                    <a class="button button-secondary button-inline" href={`/projector?meeting=${encodeURIComponent(m().id)}`} target="_blank" rel="noopener">
                      {ct('phase.projector')}
                    </a>
                  </Show>
                  <Show when={canPrint()}>
                    <button type="button" class="button button-secondary button-inline" disabled={slipsAction.busy()} onClick={printAll}>
                      {ct('slips.printAll')}
                    </button>
                  </Show>
                </div>
                <Show when={m().polls.some((p) => p.phase === 'draft') && m().polls.length > 0}>
                  <p class="hint">{ct('slips.afterCheckin')}</p>
                </Show>
                <ErrorLine text={slipsAction.error()} />
              </section>
              <CheckInPanel api={props.api} meeting={m()} canChange={props.canChange ?? true} ask={ask} onChanged={refresh} />
              <Roster api={props.api} meeting={m()} voters={voters()} onChanged={refresh} onReprint={reprint} />
              <Show when={m().polls.every((p) => p.phase === 'draft' || p.phase === 'checkin')}>
                <RosterImport
                  api={props.api}
                  meetingId={m().id}
                  existingNumbers={voters().map((v) => v.number)}
                  knownGroups={knownGroups()}
                  onSaved={() => refresh()}
                />
              </Show>
              <section class="stack" aria-labelledby="polls-title">
                <h2 id="polls-title">{ct('polls.title')}</h2>
                {/* Keyed by id: the meeting is read again every few seconds, and a card's forms must survive that. */}
                <For each={m().polls.map((p) => p.id)} fallback={<p>{ct('polls.none')}</p>}>
                  {(id) => (
                    <Show when={m().polls.find((p) => p.id === id)}>
                      {(poll) => (
                        <PollCard
                          api={props.api}
                          poll={poll()}
                          voters={voters()}
                          onChanged={refresh}
                          step={pollStep(poll())}
                          canChange={props.canChange ?? true}
                          lateCheckIn={m().lateCheckIn}
                          higherUnits={m().higherUnits ?? []}
                        />
                      )}
                    </Show>
                  )}
                </For>
                <Show when={canAddPoll()} fallback={<p class="hint">{ct('polls.fixed')}</p>}>
                  <PollForm api={props.api} meetingId={m().id} onCreated={refresh} />
                </Show>
              </section>
              {/* Read again whenever a poll changes phase: each step is an entry. */}
              <AuditPanel api={props.api} meetingId={m().id} refreshKey={m().polls.map((p) => p.phase).join()} />
            </>
          )}
        </Show>
        <ConfirmDialog request={confirm()} action={dialogAction} onDone={() => setConfirm(undefined)} />
        <Show when={current()}>
          {(m) => <OpeningDialog api={props.api} meeting={m()} request={opening()} onDone={() => setOpening(undefined)} onChanged={refresh} />}
        </Show>
      </div>
    </Show>
  );
}
