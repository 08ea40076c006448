import { useCallback, useState } from 'preact/hooks';
import { adminApi, type AccessEntry } from './api.ts';
import { useLoad } from './use-load.ts';
import { AdminNav } from './admin-nav.tsx';
import './admin.css';

/** Actions of the access log in words (others are shown as they are). */
const ACTION_WORDS: Record<string, string> = {
  'residents.list': 'listed residents',
  'residents.read': "opened a resident's record",
  'residents.subject-access': 'exported everything held (subject access)',
  'audit.read': 'read the access log about them',
  'alerts.read': 'opened an alert',
  'alerts.list': 'listed alerts',
};

/** The access log (who saw whom): filter by resident, user and dates; export everything held about a resident. */
export function AccessLogPage() {
  const people = useCallback(async () => {
    const [r, u] = await Promise.all([adminApi.residents(), adminApi.users()]);
    return { residents: r.residents, users: u.users };
  }, []);
  const { data: who } = useLoad(people);
  const [filter, setFilter] = useState({ subject: '', userId: '', from: '', to: '' });
  const [applied, setApplied] = useState(filter);
  const load = useCallback(() => adminApi.accessLog(applied).then((r) => r.entries), [applied]);
  const { data, error } = useLoad(load);
  const name = (id: string) => who?.residents.find((r) => r.id === id)?.name ?? who?.users.find((u) => u.id === id)?.displayName ?? id;
  const set = (k: keyof typeof filter) => (e: Event) => setFilter({ ...filter, [k]: (e.target as HTMLInputElement).value });
  const resident = who?.residents.find((r) => r.id === applied.subject);
  return (
    <main class="admin">
      <AdminNav current="access-log" />
      <h1>Access log</h1>
      <p class="muted">Who read whose personal data, and when. Reading it is logged too.</p>
      <form class="inline card" onSubmit={(e) => { e.preventDefault(); setApplied(filter); }}>
        <div class="field">
          <label for="al-resident">Resident</label>
          <select id="al-resident" value={filter.subject} onChange={set('subject')}>
            <option value="">Anyone</option>
            {who?.residents.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="al-user">User</label>
          <select id="al-user" value={filter.userId} onChange={set('userId')}>
            <option value="">Any user</option>
            {who?.users.map((u) => <option key={u.id} value={u.id}>{u.displayName}</option>)}
          </select>
        </div>
        <div class="field"><label for="al-from">From</label><input id="al-from" type="date" value={filter.from} onInput={set('from')} /></div>
        <div class="field"><label for="al-to">To</label><input id="al-to" type="date" value={filter.to} onInput={set('to')} /></div>
        <button type="submit" class="primary">Show</button>
      </form>
      {resident && (
        <section class="card" aria-labelledby="sar">
          <h2 id="sar">Subject access request for {resident.name}</h2>
          <p>Everything Hearth holds about {resident.name}: their record, alerts and what was done, notifications, the events of their home, daily summaries and this log. The export is itself logged.</p>
          <div class="row-actions">
            <a class="button" href={adminApi.subjectAccessUrl(resident.id, 'json')} download>Download everything held about {resident.name} (JSON)</a>
            <a class="button" href={adminApi.subjectAccessUrl(resident.id, 'csv')} download>Download as CSV</a>
          </div>
        </section>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {data && (
        <table class="plain" data-testid="access-log">
          <caption>{data.length ? `${data.length} ${data.length === 1 ? 'entry' : 'entries'}, newest first` : 'No entries match.'}</caption>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">About</th></tr></thead>
          <tbody>
            {data.map((e: AccessEntry, i) => (
              <tr key={i}>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>{e.userName ?? e.userId}</td>
                <td>{ACTION_WORDS[e.action] ?? e.action}</td>
                <td>{e.subjects.slice(0, 5).map(name).join(', ')}{e.subjects.length > 5 ? ` and ${e.subjects.length - 5} more` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
