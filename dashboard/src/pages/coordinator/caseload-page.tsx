import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { Sparkline } from '../../ui/sparkline.tsx';
import { coordinatorApi, type CaseloadEntry } from './api.ts';
import './coordinator.css';

/** A caseload status in words, coloured by coordinator.css (`status-<status>`); the words carry the meaning. */
export function StatusTag({ entry }: { entry: Pick<CaseloadEntry, 'status' | 'statusText'> }) {
  return <span class={`case-status status-${entry.status}`}>{entry.statusText}</span>;
}

const TZ = 'Europe/London';

function ago(iso: string | null): string {
  if (!iso) return 'no movement seen in the last 3 days';
  const mins = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60_000));
  const t = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' }).format(new Date(iso));
  if (mins < 60) return `${mins} min ago (${t})`;
  if (mins < 48 * 60) return `${Math.round(mins / 60)} h ago (${t})`;
  return t;
}

function sparkText(e: CaseloadEntry): string {
  const v = e.sparkline.activity.filter((x): x is number => x !== null);
  if (!v.length) return 'Activity over 14 days: no data';
  return `Activity over 14 days: lowest ${Math.min(...v)}, highest ${Math.max(...v)}, latest ${v.at(-1)} events a day`;
}

/** The coordinator's caseload: residents most concerning first, searchable, each with status in words. */
export function CaseloadPage() {
  const [q, setQ] = useState('');
  const [data, setData] = useState<{ scope: string; residents: CaseloadEntry[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback((query: string) => {
    coordinatorApi
      .caseload(query || undefined)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'The caseload could not be loaded.'));
  }, []);
  useEffect(() => {
    const t = setTimeout(() => load(q), q ? 250 : 0);
    return () => clearTimeout(t);
  }, [q, load]);

  const flagged = data?.residents.filter((r) => r.status !== 'fine').length ?? 0;
  return (
    <main class="coord">
      <h1>Caseload</h1>
      <p class="muted">
        {data ? `${data.residents.length} residents${data.scope === 'neighbourhood' ? ' in your neighbourhood' : data.scope === 'organisation' ? ' in the organisation' : ''}; ${flagged} need a look. Most concerning first.` : 'Loading…'}
      </p>
      <form role="search" class="coord-search" onSubmit={(e) => e.preventDefault()}>
        <label for="caseload-q">Find a resident</label>
        <input id="caseload-q" type="search" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} autocomplete="off" />
      </form>
      {error ? <p class="error" role="alert">{error}</p> : null}
      {data && data.residents.length === 0 ? <p class="empty">{q ? `No resident matches “${q}”.` : 'No residents on your caseload yet.'}</p> : null}
      <ul class="caseload" aria-label="Residents">
        {data?.residents.map((r) => (
          <li key={r.id} class={`case case-${r.status}`} data-resident-id={r.id}>
            <div class="case-head">
              <h2 class="case-name">
                <a href={`#/caseload/${encodeURIComponent(r.id)}`}>{r.name}</a>
              </h2>
              <StatusTag entry={r} />
            </div>
            {r.routineChange ? (
              <p class="case-cause" data-testid="routine-change">
                <strong>Routine change:</strong> {r.routineChange.cause}
              </p>
            ) : null}
            {r.openAlerts.some((a) => a.type !== 'routine-change') ? (
              <p class="case-alerts">
                Open alerts:{' '}
                {r.openAlerts
                  .filter((a) => a.type !== 'routine-change')
                  .map((a) => a.type)
                  .join(', ')}
              </p>
            ) : null}
            <div class="case-foot">
              <span>Last activity: {ago(r.lastActivityAt)}</span>
              <span class="case-spark">
                <Sparkline values={r.sparkline.activity} label={sparkText(r)} />
              </span>
            </div>
          </li>
        ))}
      </ul>
    </main>
  );
}
