/**
 * A poll's sign-in sheet (签到表): who has checked in and who has not — the 未签到名单 the chair
 * reads aloud before the head count — check-ins struck at the opening, late check-ins waiting
 * for a scrutineer, and the members who gave a written opinion. Read again every few seconds
 * while check-in (or late check-in) is open. Who attended is part of the minutes; how anyone
 * voted is never here.
 */
import { For, Show } from 'solid-js';
import type { ConsoleApi, MeetingPoll, SheetState, SignInSheet } from './api.ts';
import { ct, type ConsoleKey } from './i18n.ts';
import { createLoad, createTicker } from './load.ts';
import { ErrorLine } from './error-line.tsx';

export const sheetStateLabel = (state: SheetState) => ct(`sheet.state.${state}` as ConsoleKey);

const count = (sheet: SignInSheet, ...states: SheetState[]) => sheet.voters.filter((v) => states.includes(v.state)).length;

export function SignInSheetPanel(props: { api: ConsoleApi; poll: MeetingPoll; lateCheckIn: boolean }) {
  // Read again on each phase change, and every few seconds while anyone can still check in.
  const sheet = createLoad(
    () => `${props.poll.id}|${props.poll.phase}`,
    () => props.api.checkins(props.poll.id),
  );
  createTicker(
    () => props.poll.phase === 'checkin' || (props.poll.phase === 'voting' && props.lateCheckIn),
    () => void sheet.reload(),
  );
  return (
    <div class="sign-in-sheet stack-tight">
      <h4>{ct('sheet.title')}</h4>
      <p class="hint">{ct('sheet.help')}</p>
      <ErrorLine text={sheet.error()} />
      <Show when={sheet.value()}>
        {(s) => {
          const absent = () => s().voters.filter((v) => v.state === 'none');
          const awaiting = () => s().voters.filter((v) => v.state === 'awaiting_approval');
          return (
            <>
              <ul class="plain figure-row">
                <Figure label={ct('sheet.expected')} value={s().voters.length} field="expected" />
                <Figure label={ct('sheet.checkedIn')} value={count(s(), 'pending', 'issued')} field="checked-in" />
                <Figure label={ct('sheet.absent')} value={absent().length} field="absent" />
                <Figure label={ct('sheet.written')} value={count(s(), 'written_opinion')} field="written" />
                <Show when={count(s(), 'struck') > 0}>
                  <Figure label={ct('sheet.struck')} value={count(s(), 'struck')} field="struck" />
                </Show>
                <Show when={awaiting().length > 0}>
                  <Figure label={ct('sheet.awaiting')} value={awaiting().length} field="awaiting" />
                </Show>
              </ul>
              <Show when={props.poll.phase === 'checkin'}>
                <div class="absent-list" data-list="absent">
                  <h5>{ct('sheet.absentTitle', { n: absent().length })}</h5>
                  <Show when={absent().length > 0} fallback={<p>{ct('sheet.absentNone')}</p>}>
                    <p class="hint">{ct('sheet.absentHelp')}</p>
                    <ol class="absent-names">
                      <For each={absent()}>{(v) => <li>{`${v.name}（${v.number}）`}</li>}</For>
                    </ol>
                  </Show>
                </div>
              </Show>
              <Show when={awaiting().length > 0}>
                <div class="absent-list" data-list="awaiting">
                  <h5>{ct('sheet.state.awaiting_approval')}</h5>
                  <p class="hint">
                    {ct('sheet.awaitingHelp')}
                    <a href={`/cosign?poll=${encodeURIComponent(props.poll.id)}`}>{ct('sheet.cosignLink')}</a>
                  </p>
                  <ol class="absent-names">
                    <For each={awaiting()}>{(v) => <li>{`${v.name}（${v.number}）`}</li>}</For>
                  </ol>
                </div>
              </Show>
              <details class="sheet-details">
                <summary>{ct('sheet.showAll', { n: s().voters.length })}</summary>
                <div class="table-wrap" tabindex="0" role="region" aria-label={ct('sheet.tableLabel')}>
                  <table class="table sheet-table">
                    <caption class="visually-hidden">{ct('sheet.tableLabel')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{ct('sheet.name')}</th>
                        <th scope="col">{ct('sheet.number')}</th>
                        <th scope="col">{ct('sheet.state')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={s().voters}>
                        {(v) => (
                          <tr data-voter={v.number} data-state={v.state}>
                            <th scope="row">{v.name}</th>
                            <td>{v.number}</td>
                            <td>
                              {sheetStateLabel(v.state)}
                              {v.late ? ct('sheet.late') : ''}
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </details>
            </>
          );
        }}
      </Show>
    </div>
  );
}

function Figure(props: { label: string; value: number; field: string }) {
  return (
    <li class="figure">
      <span class="figure-label">{props.label}</span>
      <strong class="figure-value" data-figure={props.field}>
        {ct('sheet.people', { n: props.value })}
      </strong>
    </li>
  );
}
