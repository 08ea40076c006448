import { useEffect, useState } from 'preact/hooks';
import { addDays, clock, coordinatorApi, when, type TrendsResponse } from './api.ts';
import { useResidentPage } from './use-page.ts';
import './coordinator.css';

type Figure = keyof TrendsResponse['days'][number]['figures'];
const ROWS: [Figure, string, (v: number) => string][] = [
  ['activity', 'Activity (events a day)', (v) => String(Math.round(v))],
  ['rising', 'Rising', clock],
  ['retiring', 'Going to bed', clock],
  ['nightBathroomVisits', 'Night-time bathroom visits', (v) => String(Math.round(v * 10) / 10)],
  ['outMinutes', 'Time out of the home (min)', (v) => String(Math.round(v))],
  ['chairMinutes', 'Time in the chair (min)', (v) => String(Math.round(v))],
  ['temperatureMean', 'Home temperature (°C)', (v) => String(Math.round(v * 10) / 10)],
];

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The one-page summary for the MDT meeting: print it, or save it as PDF from the browser's print dialog. */
export function SummaryPage({ id }: { id: string }) {
  const { page, error } = useResidentPage(id);
  const [trends, setTrends] = useState<TrendsResponse | null>(null);
  useEffect(() => {
    if (page) void coordinatorApi.trends(id, addDays(page.today, -27), page.today).then(setTrends).catch(() => setTrends(null));
  }, [page?.today, id]);
  if (error) return <main class="coord"><p class="error" role="alert">{error}</p></main>;
  if (!page) return <main class="coord"><p class="muted">Loading…</p></main>;
  const r = page.resident;
  const tz = r.timezone;
  const last7 = trends?.days.slice(-7) ?? [];
  const before = trends?.days.slice(0, -7) ?? [];
  const changed = page.plan.filter((s) => s.overridden);
  return (
    <main class="coord summary" data-testid="summary">
      <p class="no-print">
        <a href={`#/caseload/${encodeURIComponent(r.id)}`}>Back to {r.name}</a>{' '}
        <button type="button" onClick={() => window.print()}>
          Print or save as PDF
        </button>
      </p>
      <h1>{r.name}: summary for the MDT</h1>
      <p>
        {page.status.statusText}. Coordinator {r.coordinatorName ?? 'not named'}. Printed {when(new Date().toISOString(), tz)} ({tz}).
      </p>
      <h2>What changed</h2>
      {page.routineChanges.length === 0 ? <p>No routine change flagged.</p> : page.routineChanges.slice(0, 3).map((a) => <p key={a.id}>From {when(a.occurredAt, tz)}: {a.summary}</p>)}
      <h2>The last 7 days against the 3 weeks before (medians)</h2>
      <table class="summary-table">
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">Last 7 days</th>
            <th scope="col">3 weeks before</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map(([key, label, fmt]) => {
            const a = median(last7.map((d) => d.figures[key].value).filter((v): v is number => v !== null));
            const b = median(before.map((d) => d.figures[key].value).filter((v): v is number => v !== null));
            return (
              <tr key={key}>
                <th scope="row">{label}</th>
                <td>{a === null ? '—' : fmt(a)}</td>
                <td>{b === null ? '—' : fmt(b)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Alerts (last 10)</h2>
      <ul>
        {page.alerts.slice(0, 10).map((a) => (
          <li key={a.id}>
            {when(a.raisedAt, tz)}: {a.type}, {a.state}
            {a.outcome ? ` (${a.outcome})` : ''}
          </li>
        ))}
        {page.alerts.length === 0 ? <li>None.</li> : null}
      </ul>
      <h2>Plan</h2>
      <p>{changed.length === 0 ? 'Every setting is the care model’s default.' : changed.map((s) => `${s.label}: ${String(s.value)} (default ${String(s.default)})`).join('; ')}</p>
      <p>{page.away ? `Away${page.away.until ? ` until ${page.away.until}` : ''}: ${page.away.reason}.` : 'At home.'}</p>
      <h2>Contacts and consent</h2>
      <p>
        {page.contacts.map((c) => `${c.name} (${c.relation}${c.phone ? `, ${c.phone}` : ''})`).join('; ') || 'No contacts recorded.'} {page.consent.monitoring ? 'Consents to monitoring' : 'No consent to monitoring'}; contacts{' '}
        {page.consent.shareWithContacts ? 'are' : 'are not'} told of alerts (recorded {when(page.consent.recordedAt, tz)} by {page.consent.recordedByName ?? page.consent.recordedBy}).
      </p>
      <h2>Notes for the MDT</h2>
      <ul>
        {page.notes.slice(0, 8).map((n) => (
          <li key={n.id}>
            {when(n.at, tz)}, {n.authorName ?? n.authorId}: {n.text}
          </li>
        ))}
        {page.notes.length === 0 ? <li>None.</li> : null}
      </ul>
    </main>
  );
}
