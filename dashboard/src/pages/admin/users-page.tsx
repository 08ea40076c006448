import { useCallback, useState } from 'preact/hooks';
import { ROLES } from '../../../../server/src/care/model.ts';
import { SortableTable, type SortableColumn } from '../../ui/sortable-table.tsx';
import { adminApi, type AdminUser, type NeighbourhoodInfo, type Role } from './api.ts';
import { OutcomeLine } from './outcome-line.tsx';
import { attempt, useLoad, type Outcome } from './use-load.ts';
import { AdminNav } from './admin-nav.tsx';
import './admin.css';

const ROLE_WORDS: Record<Role, string> = {
  operator: 'Operator (alarm receiving centre)',
  responder: 'Responder (urgent response team)',
  coordinator: 'Care coordinator',
  installer: 'Installer',
  admin: 'Service manager (admin)',
};

/** Users: add, change role, disable (their sessions end at once) or enable, reset a password. */
export function UsersPage({ meId }: { meId: string }) {
  const load = useCallback(async () => {
    const [u, n] = await Promise.all([adminApi.users(), adminApi.neighbourhoods()]);
    return { users: u.users, neighbourhoods: n.neighbourhoods };
  }, []);
  const { data, error, reload } = useLoad(load);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [resetFor, setResetFor] = useState<string | null>(null);
  const act = async (run: () => Promise<unknown>, done: string) => {
    const o = await attempt(run, done);
    setOutcome(o);
    if (o.ok) reload();
  };
  const nbName = (id: string | null) => data?.neighbourhoods.find((n) => n.id === id)?.name ?? '—';

  const columns: SortableColumn<AdminUser>[] = [
    { key: 'name', label: 'Name', sortValue: (u) => u.displayName, render: (u) => <><strong>{u.displayName}</strong><div class="muted small">{u.username}</div></> },
    {
      key: 'role',
      label: 'Role',
      sortValue: (u) => u.role,
      render: (u) => (
        <select aria-label={`Role of ${u.displayName}`} value={u.role} onChange={(e) => void act(() => adminApi.updateUser(u.id, { role: (e.target as HTMLSelectElement).value as Role }), `${u.displayName} is now ${ROLE_WORDS[(e.target as HTMLSelectElement).value as Role]}.`)}>
          {ROLES.map((r) => <option key={r} value={r}>{ROLE_WORDS[r]}</option>)}
        </select>
      ),
    },
    { key: 'nb', label: 'Neighbourhood', sortValue: (u) => nbName(u.neighbourhoodId), render: (u) => nbName(u.neighbourhoodId) },
    { key: 'state', label: 'Status', sortValue: (u) => (u.disabled ? 1 : 0), render: (u) => (u.disabled ? <span class="tag disabled">Disabled</span> : <span class="tag active">Active</span>) },
    {
      key: 'actions',
      label: 'Actions',
      render: (u) => (
        <div class="row-actions">
          {u.id !== meId && (
            <button type="button" onClick={() => void act(() => adminApi.setUserDisabled(u.id, !u.disabled), u.disabled ? `${u.displayName} can sign in again.` : `${u.displayName} is disabled; their sessions have ended.`)}>
              {u.disabled ? `Enable ${u.displayName}` : `Disable ${u.displayName}`}
            </button>
          )}
          <button type="button" aria-expanded={resetFor === u.id} onClick={() => setResetFor(resetFor === u.id ? null : u.id)}>
            Reset password
          </button>
          {resetFor === u.id && <ResetPassword user={u} onDone={(o) => { setOutcome(o); if (o.ok) setResetFor(null); }} />}
        </div>
      ),
    },
  ];

  return (
    <main class="admin">
      <AdminNav current="users" />
      <h1>Users</h1>
      <OutcomeLine outcome={outcome} testId="users-outcome" />
      {error && <p class="error" role="alert">{error}</p>}
      <section class="card" aria-labelledby="add-user">
        <h2 id="add-user">Add a user</h2>
        {data && <AddUser neighbourhoods={data.neighbourhoods} onDone={(o) => { setOutcome(o); if (o.ok) reload(); }} />}
      </section>
      {data && <SortableTable rows={data.users} columns={columns} rowKey={(u) => u.id} initialSort={{ key: 'name' }} caption={`${data.users.length} users of your organisation`} rowAttrs={(u) => ({ 'data-username': u.username })} />}
    </main>
  );
}

function AddUser({ neighbourhoods, onDone }: { neighbourhoods: NeighbourhoodInfo[]; onDone: (o: Outcome) => void }) {
  const [f, setF] = useState({ username: '', displayName: '', role: 'operator' as Role, neighbourhoodId: '', password: '' });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const submit = async (e: Event) => {
    e.preventDefault();
    const o = await attempt(
      () => adminApi.addUser({ username: f.username, password: f.password, role: f.role, ...(f.displayName ? { displayName: f.displayName } : {}), ...(f.neighbourhoodId ? { neighbourhoodId: f.neighbourhoodId } : {}) }),
      `${f.displayName || f.username} added as ${ROLE_WORDS[f.role]}. Give them their password in person or by phone.`,
    );
    onDone(o);
    if (o.ok) setF({ username: '', displayName: '', role: 'operator', neighbourhoodId: '', password: '' });
  };
  return (
    <form class="inline" onSubmit={(e) => void submit(e)}>
      <div class="field"><label for="nu-username">Username</label><input id="nu-username" required minLength={3} autoComplete="off" value={f.username} onInput={set('username')} /></div>
      <div class="field"><label for="nu-name">Display name</label><input id="nu-name" value={f.displayName} onInput={set('displayName')} /></div>
      <div class="field">
        <label for="nu-role">Role</label>
        <select id="nu-role" value={f.role} onChange={set('role')}>{ROLES.map((r) => <option key={r} value={r}>{ROLE_WORDS[r]}</option>)}</select>
      </div>
      <div class="field">
        <label for="nu-nb">Neighbourhood</label>
        <select id="nu-nb" value={f.neighbourhoodId} onChange={set('neighbourhoodId')}>
          <option value="">None</option>
          {neighbourhoods.map((n) => <option key={n.id} value={n.id}>{n.name}</option>)}
        </select>
      </div>
      <div class="field"><label for="nu-password">First password</label><input id="nu-password" type="password" required minLength={8} autoComplete="new-password" value={f.password} onInput={set('password')} /></div>
      <button type="submit" class="primary">Add user</button>
    </form>
  );
}

function ResetPassword({ user, onDone }: { user: AdminUser; onDone: (o: Outcome) => void }) {
  const [pw, setPw] = useState('');
  const fieldId = `pw-${user.id}`;
  return (
    <form class="inline" onSubmit={(e) => { e.preventDefault(); void attempt(() => adminApi.resetPassword(user.id, pw), `New password set for ${user.displayName}; their sessions have ended.`).then(onDone); }}>
      <div class="field"><label for={fieldId}>New password for {user.displayName}</label><input id={fieldId} type="password" required minLength={8} autoComplete="new-password" value={pw} onInput={(e) => setPw((e.target as HTMLInputElement).value)} /></div>
      <button type="submit">Save new password</button>
    </form>
  );
}
