import { useCallback, useEffect, useState } from 'preact/hooks';
import { adminApi, type OrgSettings } from './api.ts';
import { OutcomeLine } from './outcome-line.tsx';
import { attempt, useLoad, type Outcome } from './use-load.ts';
import { AdminNav } from './admin-nav.tsx';
import './admin.css';

const FIELDS: { key: keyof OrgSettings; label: string; hint: string; type?: 'text' | 'tel' }[] = [
  { key: 'name', label: 'Organisation name', hint: 'Shown to staff and on reports.' },
  { key: 'defaultTimezone', label: 'Default time zone', hint: 'IANA name, e.g. Europe/London; new neighbourhoods and residents take it.' },
  { key: 'defaultUrgentStart', label: 'Default urgent team start', hint: '24-hour HH:MM; new neighbourhoods take it.' },
  { key: 'defaultUrgentEnd', label: 'Default urgent team end', hint: '24-hour HH:MM.' },
  { key: 'contactPhone', label: "Service's phone number", hint: 'For staff and reports.', type: 'tel' },
];

/** Organisation settings: its name and the defaults new records take. */
export function SettingsPage() {
  const load = useCallback(() => adminApi.organisation().then((r) => r.organisation), []);
  const { data, error, reload } = useLoad(load);
  const [form, setForm] = useState<OrgSettings | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  useEffect(() => { if (data) setForm(data); }, [data]);
  if (error) return <main class="admin">
      <AdminNav current="settings" /><p class="error" role="alert">{error}</p></main>;
  if (!form) return <main class="admin">
      <AdminNav current="settings" /><p class="muted">Loading…</p></main>;
  return (
    <main class="admin">
      <AdminNav current="settings" />
      <h1>Organisation settings</h1>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          const { name, defaultTimezone, defaultUrgentStart, defaultUrgentEnd, contactPhone } = form;
          void attempt(() => adminApi.updateOrganisation({ name, defaultTimezone, defaultUrgentStart, defaultUrgentEnd, contactPhone }), 'Settings saved.').then((o) => { setOutcome(o); if (o.ok) reload(); });
        }}
      >
        {FIELDS.map((f) => (
          <div class="field" key={f.key}>
            <label for={`org-${f.key}`}>{f.label}</label>
            <input id={`org-${f.key}`} type={(f.type ?? 'text') as 'text'} aria-describedby={`org-${f.key}-hint`} value={form[f.key]} onInput={(e) => setForm({ ...form, [f.key]: (e.target as HTMLInputElement).value })} />
            <span id={`org-${f.key}-hint`} class="hint">{f.hint}</span>
          </div>
        ))}
        <p><button type="submit" class="primary">Save settings</button></p>
        <OutcomeLine outcome={outcome} />
      </form>
    </main>
  );
}
