/**
 * Create a poll from a kind. The kind's rule is shown with its defaults (from the same schema
 * the server validates with): thresholds and quorum can be changed with selects, a cap or
 * floor with a number; the rest (grades, criteria, weights) is shown as it will be used.
 * Candidates are typed one per line; the server writes the uniform ballot paper from them.
 */
import { createMemo, createSignal, For, Show } from 'solid-js';
import { locale } from '../i18n/index.ts';
import { PRESET_KINDS, ruleSchema, type PollKind, type PresetKind } from '../../../shared/tally/rules.ts';
import { CANDIDATES_ON_ROSTER_KINDS } from '../../../shared/protocol/api.ts';
import { BINDING_KINDS, bindingViolations } from '../../../shared/tally/binding.ts';
import { createAction, ExplainedError } from './action.ts';
import type { ConsoleApi } from './api.ts';
import { ct, kindLabel, type ConsoleKey } from './i18n.ts';
import { ErrorLine } from './error-line.tsx';


const FRACTION_KEYS: Record<string, ConsoleKey> = {
  '1/2': 'rule.half',
  '3/5': 'rule.threeFifths',
  '2/3': 'rule.twoThirds',
  '3/4': 'rule.threeQuarters',
  '4/5': 'rule.fourFifths',
};
const ROUNDING_KEYS: Record<string, ConsoleKey> = { down: 'rule.roundDown', nearest: 'rule.roundNearest' };
const COMPARISON_KEYS: Record<string, ConsoleKey> = { more_than: 'rule.moreThan', at_least: 'rule.atLeast' };
const BASE_KEYS: Record<string, ConsoleKey> = { expected: 'rule.expected', present: 'rule.present', ballots: 'rule.ballots' };
const SETTING_KEYS: Record<string, ConsoleKey> = {
  quorum: 'rule.quorum',
  pass: 'rule.pass',
  attendance: 'rule.attendance',
  topGrade: 'rule.topGrade',
  capPercent: 'rule.capPercent',
  capCount: 'rule.capCount',
  capRounding: 'rule.capRounding',
  anonymityFloor: 'rule.anonymityFloor',
  grades: 'rule.grades',
  criteria: 'rule.criteria',
  weights: 'rule.weights',
  bands: 'rule.bands',
  scale: 'rule.scale',
  participation: 'rule.participation',
  topGradeCap: 'rule.topGradeCap',
  extendedBefore: 'rule.extendedBefore',
};

type Threshold = { fraction: string; comparison: string; base?: string };
const isThreshold = (value: unknown): value is Threshold =>
  typeof value === 'object' && value !== null && 'fraction' in value && 'comparison' in value && !('group' in value);

/** Keys and values of the rule's objects (weights, participation, scale) in the organizer's words. */
const WORDS: Record<string, ConsoleKey> = {
  representatives: 'word.representatives',
  members: 'word.members',
  self: 'word.self',
  min: 'word.min',
  max: 'word.max',
  group: 'word.group',
  fraction: 'rule.fraction',
  comparison: 'rule.comparison',
  '1/2': 'rule.half',
  '3/5': 'rule.threeFifths',
  '2/3': 'rule.twoThirds',
  '3/4': 'rule.threeQuarters',
  '4/5': 'rule.fourFifths',
  more_than: 'rule.moreThan',
  at_least: 'rule.atLeast',
  numerator: 'word.numerator',
  denominator: 'word.denominator',
};
const word = (id: string) => (WORDS[id] ? ct(WORDS[id]) : id);

/** A read-only setting as one line: labels of grades and criteria, weights, bands. */
function describeSetting(value: unknown): string {
  if (Array.isArray(value))
    return value.length === 0
      ? ct('rule.none')
      : value.map((v) => (typeof v === 'object' && v && 'label' in v ? `${v.label}${'min' in v ? ` ≥ ${v.min}` : ''}` : String(v))).join('、');
  if (value === null) return ct('rule.none');
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${word(k)}: ${typeof v === 'object' ? JSON.stringify(v) : word(String(v))}`).join('，');
  return String(value);
}

function SelectField(props: { id: string; label: string; value: string; options: Record<string, ConsoleKey>; onChange: (value: string) => void }) {
  return (
    <span class="inline-field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <For each={Object.entries(props.options)}>{([value, key]) => <option value={value}>{ct(key)}</option>}</For>
      </select>
    </span>
  );
}

export function PollForm(props: { api: ConsoleApi; meetingId: string; onCreated: () => void }) {
  const [kind, setKind] = createSignal<PresetKind>('member_acceptance');
  const [title, setTitle] = createSignal('');
  const [candidates, setCandidates] = createSignal('');
  const [maxChoices, setMaxChoices] = createSignal('');
  const [groups, setGroups] = createSignal('members');
  const [publicityDays, setPublicityDays] = createSignal('5');
  const [settings, setSettings] = createSignal<Record<string, unknown>>({});
  const [warnings, setWarnings] = createSignal<{ zh: string; en: string }[]>([]);
  const create = createAction();

  const defaults = createMemo(() => {
    const { kind: _kind, ...rest } = ruleSchema.parse({ kind: kind() }) as Record<string, unknown>;
    return rest;
  });
  const needsNumbers = () => CANDIDATES_ON_ROSTER_KINDS.includes(kind());
  const binding = () => BINDING_KINDS.includes(kind());
  /** The Working Rules' thresholds loosened by the settings chosen (the server refuses them too). */
  const violations = createMemo(() => {
    const parsed = ruleSchema.safeParse({ ...settings(), kind: kind() });
    return parsed.success ? bindingViolations(parsed.data) : [];
  });
  const current = (key: string) => settings()[key] ?? defaults()[key];
  const setSetting = (key: string, value: unknown) => setSettings({ ...settings(), [key]: value });

  const parseCandidates = () =>
    candidates()
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line, i) => {
        const [name, number] = line.split(/\s*[,，\t]\s*/);
        return { id: `c${i + 1}`, name: name!, ...(number ? { number } : {}) };
      });

  const submit = () =>
    create.run(async () => {
      const list = parseCandidates();
      if (list.length === 0) throw new Error(ct('poll.needCandidates'));
      if (violations().length) throw new ExplainedError(violations().map((v) => v[locale()]).join(' '));
      // The candidates vote in these kinds: their roster number keeps them from rating themselves.
      const unnumbered = list.filter((c) => !c.number).map((c) => c.name);
      if (needsNumbers() && unnumbered.length) throw new ExplainedError(ct('poll.needNumbers', { names: unnumbered.join('、') }));
      const body = {
        title: title().trim() || kindLabel(kind()),
        kind: kind(),
        candidates: list,
        settings: settings(),
        groups: groups().split(/[\s,，;；、]+/).filter((g) => g !== ''),
        ...(kind() === 'league_recommendation' && maxChoices() ? { maxChoices: Number(maxChoices()) } : {}),
        publicityWorkingDays: Number(publicityDays()),
      };
      const created = await props.api.createPoll(props.meetingId, body);
      setWarnings(created.warnings);
      setCandidates('');
      setTitle('');
      setSettings({});
      setPublicityDays('5');
      props.onCreated();
    });

  return (
    <form
      class="panel stack"
      aria-labelledby="poll-form-title"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h3 id="poll-form-title">{ct('poll.create')}</h3>
      <label class="field-label" for="poll-kind">
        {ct('poll.kind')}
      </label>
      <select
        id="poll-kind"
        class="select"
        value={kind()}
        onChange={(e) => {
          setKind(e.currentTarget.value as PresetKind);
          setSettings({});
        }}
      >
        <For each={PRESET_KINDS}>{(k) => <option value={k}>{kindLabel(k)}</option>}</For>
      </select>
      <label class="field-label" for="poll-title">
        {ct('poll.title')}
      </label>
      <input id="poll-title" class="input" type="text" value={title()} placeholder={kindLabel(kind())} onInput={(e) => setTitle(e.currentTarget.value)} />
      <label class="field-label" for="poll-candidates">
        {ct(needsNumbers() ? 'poll.candidatesWithNumber' : 'poll.candidates')}
      </label>
      <textarea id="poll-candidates" class="textarea" rows="4" value={candidates()} onInput={(e) => setCandidates(e.currentTarget.value)} />
      <Show when={kind() === 'league_recommendation'}>
        <label class="field-label" for="poll-max">
          {ct('poll.maxChoices')}
        </label>
        <input id="poll-max" class="input input-short" type="number" min="1" value={maxChoices()} onInput={(e) => setMaxChoices(e.currentTarget.value)} />
      </Show>
      <Show when={kind() !== 'three_evaluations'}>
        <label class="field-label" for="poll-groups">
          {ct('poll.groups')}
        </label>
        <input id="poll-groups" class="input" type="text" value={groups()} onInput={(e) => setGroups(e.currentTarget.value)} />
      </Show>
      <label class="field-label" for="poll-publicity">
        {ct('poll.publicity')}
      </label>
      <input
        id="poll-publicity"
        class="input input-short"
        type="number"
        min="1"
        max="30"
        value={publicityDays()}
        onInput={(e) => setPublicityDays(e.currentTarget.value)}
      />
      <fieldset class="rule-settings">
        <legend>{ct('poll.rule')}</legend>
        <dl class="settings-list">
          <For each={Object.keys(defaults())}>
            {(key) => {
              const value = () => current(key);
              return (
                <div class="setting-row">
                  <dt>{SETTING_KEYS[key] ? ct(SETTING_KEYS[key]) : key}</dt>
                  <dd>
                    <Show
                      when={isThreshold(value())}
                      fallback={
                        <Show
                          when={typeof value() === 'number'}
                          fallback={
                            <Show when={key === 'capRounding'} fallback={<span>{describeSetting(value())}</span>}>
                              <SelectField id="rule-capRounding" label={ct('rule.capRounding')} value={String(value())} options={ROUNDING_KEYS} onChange={(v) => setSetting(key, v)} />
                            </Show>
                          }
                        >
                          <input
                            class="input input-short"
                            type="number"
                            aria-label={SETTING_KEYS[key] ? ct(SETTING_KEYS[key]) : key}
                            value={String(value())}
                            onInput={(e) => setSetting(key, Number(e.currentTarget.value))}
                          />
                        </Show>
                      }
                    >
                      <Show when={(value() as Threshold).base !== undefined && !binding()}>
                        <SelectField
                          id={`rule-${key}-base`}
                          label={ct('rule.base')}
                          value={(value() as Threshold).base!}
                          options={BASE_KEYS}
                          onChange={(v) => setSetting(key, { ...(value() as Threshold), base: v })}
                        />
                      </Show>
                      <SelectField
                        id={`rule-${key}-comparison`}
                        label={ct('rule.comparison')}
                        value={(value() as Threshold).comparison}
                        options={COMPARISON_KEYS}
                        onChange={(v) => setSetting(key, { ...(value() as Threshold), comparison: v })}
                      />
                      <SelectField
                        id={`rule-${key}-fraction`}
                        label={ct('rule.fraction')}
                        value={(value() as Threshold).fraction}
                        options={FRACTION_KEYS}
                        onChange={(v) => setSetting(key, { ...(value() as Threshold), fraction: v })}
                      />
                    </Show>
                  </dd>
                </div>
              );
            }}
          </For>
        </dl>
        <p class="hint">{ct(`ruleHelp.${kind()}` as ConsoleKey)}</p>
        <Show when={binding()}>
          <p class="hint">{ct('rule.bindingHint')}</p>
        </Show>
        <For each={violations()}>{(v) => <p class="notice-bar" role="alert">{v[locale()]}</p>}</For>
      </fieldset>
      <ErrorLine text={create.error()} />
      <For each={warnings()}>{(w) => <p class="notice-bar">{w[locale()]}</p>}</For>
      <button type="submit" class="button button-primary button-inline" disabled={create.busy()}>
        {ct('poll.createButton')}
      </button>
    </form>
  );
}
