/**
 * The administrator's part of the console (the organization department): the unit tree
 * (university → college → branch) and the accounts of organizers and scrutineers in it.
 */
import { createMemo, createSignal, For, Show } from 'solid-js';
import { createAction } from './action.ts';
import type { Account, ConsoleApi, Unit } from './api.ts';
import { ct } from './i18n.ts';
import { createLoad } from './load.ts';
import { ErrorLine } from './error-line.tsx';
import { CalendarPanel } from './calendar-panel.tsx';

/** Units in tree order, each with its depth, for an indented list and a select. */
function inTreeOrder(units: Unit[]): { unit: Unit; depth: number }[] {
  const children = (parentId: string | null) => units.filter((u) => u.parentId === parentId);
  const out: { unit: Unit; depth: number }[] = [];
  const walk = (parentId: string | null, depth: number) => {
    for (const unit of children(parentId)) {
      out.push({ unit, depth });
      walk(unit.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

const indent = (depth: number) => '\u3000'.repeat(depth);

export function AdminView(props: { api: ConsoleApi }) {
  const units = createLoad(() => true, () => props.api.units());
  const accounts = createLoad(() => true, () => props.api.accounts());
  const tree = createMemo(() => inTreeOrder(units.value() ?? []));
  const unitName = (id: string | null) => (id ? (units.value() ?? []).find((u) => u.id === id)?.name ?? id : '—');

  const [unitTitle, setUnitTitle] = createSignal('');
  const [parentId, setParentId] = createSignal('');
  const createUnit = createAction();

  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [role, setRole] = createSignal<Account['role']>('organizer');
  const [accountUnit, setAccountUnit] = createSignal('');
  const [created, setCreated] = createSignal<string>();
  const createAccount = createAction();

  return (
    <section class="stack" aria-labelledby="admin-title">
      <h2 id="admin-title">{ct('admin.title')}</h2>
      <p class="hint">{ct('admin.hint')}</p>
      <div class="panel stack-tight">
        <h3>{ct('admin.units')}</h3>
        <ErrorLine text={units.error()} />
        <Show when={tree().length > 0} fallback={<p>{ct('admin.noUnits')}</p>}>
          <ul class="plain unit-tree">
            <For each={tree()}>{(row) => <li>{indent(row.depth) + row.unit.name}</li>}</For>
          </ul>
        </Show>
        <form
          class="stack-tight"
          onSubmit={(e) => {
            e.preventDefault();
            void createUnit.run(async () => {
              await props.api.createUnit(unitTitle().trim(), parentId() || undefined);
              setUnitTitle('');
              await units.reload();
            });
          }}
        >
          <h4>{ct('admin.newUnit')}</h4>
          <label class="field-label" for="unit-name">
            {ct('admin.unitName')}
          </label>
          <input id="unit-name" class="input" type="text" required maxlength={200} value={unitTitle()} onInput={(e) => setUnitTitle(e.currentTarget.value)} />
          <label class="field-label" for="unit-parent">
            {ct('admin.parent')}
          </label>
          <select id="unit-parent" class="input" value={parentId()} onChange={(e) => setParentId(e.currentTarget.value)}>
            <option value="">{ct('admin.noParent')}</option>
            <For each={tree()}>{(row) => <option value={row.unit.id}>{indent(row.depth) + row.unit.name}</option>}</For>
          </select>
          <ErrorLine text={createUnit.error()} />
          <button type="submit" class="button button-primary button-inline" disabled={createUnit.busy()}>
            {ct('admin.createUnit')}
          </button>
        </form>
      </div>

      <div class="panel stack-tight">
        <h3>{ct('admin.accounts')}</h3>
        <ErrorLine text={accounts.error()} />
        <div class="table-wrap" tabindex="0" role="region" aria-label={ct('admin.accounts')}>
          <table class="table account-table">
            <thead>
              <tr>
                <th scope="col">{ct('admin.username')}</th>
                <th scope="col">{ct('admin.role')}</th>
                <th scope="col">{ct('admin.unit')}</th>
              </tr>
            </thead>
            <tbody>
              <For each={accounts.value() ?? []}>
                {(a) => (
                  <tr>
                    <td>{a.username}</td>
                    <td>{ct(`role.${a.role}`)}</td>
                    <td>{unitName(a.unitId)}</td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
        <form
          class="stack-tight"
          onSubmit={(e) => {
            e.preventDefault();
            setCreated(undefined);
            void createAccount.run(async () => {
              const account = await props.api.createAccount({
                username: username().trim(),
                password: password(),
                role: role(),
                ...(role() !== 'admin' && accountUnit() ? { unitId: accountUnit() } : {}),
              });
              setUsername('');
              setPassword('');
              // The list first, then the confirmation: the new account is on the screen when it says so.
              await accounts.reload();
              setCreated(account.username);
            });
          }}
        >
          <h4>{ct('admin.newAccount')}</h4>
          <label class="field-label" for="account-username">
            {ct('admin.username')}
          </label>
          <input id="account-username" class="input" type="text" required autocomplete="off" value={username()} onInput={(e) => setUsername(e.currentTarget.value)} />
          <label class="field-label" for="account-password">
            {ct('admin.password')}
          </label>
          <input id="account-password" class="input" type="password" required minlength={10} autocomplete="new-password" value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
          <label class="field-label" for="account-role">
            {ct('admin.role')}
          </label>
          <select id="account-role" class="input" value={role()} onChange={(e) => setRole(e.currentTarget.value as Account['role'])}>
            <For each={['organizer', 'scrutineer', 'admin'] as const}>{(r) => <option value={r}>{ct(`role.${r}`)}</option>}</For>
          </select>
          <Show when={role() !== 'admin'}>
            <label class="field-label" for="account-unit">
              {ct('admin.unit')}
            </label>
            <select id="account-unit" class="input" required value={accountUnit()} onChange={(e) => setAccountUnit(e.currentTarget.value)}>
              <option value="" disabled>
                —
              </option>
              <For each={tree()}>{(row) => <option value={row.unit.id}>{indent(row.depth) + row.unit.name}</option>}</For>
            </select>
          </Show>
          <ErrorLine text={createAccount.error()} />
          <Show when={created()}>
            {(name) => (
              <p class="notice" role="status">
                {ct('admin.created', { name: name() })}
              </p>
            )}
          </Show>
          <button type="submit" class="button button-primary button-inline" disabled={createAccount.busy()}>
            {ct('admin.createAccount')}
          </button>
        </form>
      </div>
      <CalendarPanel api={props.api} />
    </section>
  );
}
