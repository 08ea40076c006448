import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { OUTCOME_LABELS, STATE_LABELS, typeLabel } from '../../alert-list.ts';
import { clockTime, elapsed } from '../../format.ts';
import { SeverityBadge } from '../../ui/badge.tsx';
import { residentOf, work, type Handover } from './api.ts';
import { useFocusHeading } from './focus.ts';
import './operator.css';

/** The shift handover: what happened in the last hours, and what is still open. */
export function HandoverPage() {
  const heading = useFocusHeading();
  const [hours, setHours] = useState(8);
  const [h, setH] = useState<Handover | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    work.handover(hours).then(setH, (err: unknown) => setError(err instanceof ApiError ? err.message : 'The handover could not be loaded.'));
  }, [hours]);
  const now = Date.now();
  return (
    <main class="handover-page">
      <h1 ref={heading} tabIndex={-1}>
        Shift handover
      </h1>
      <label>
        Covering the last{' '}
        <select value={String(hours)} onChange={(e) => setHours(Number(e.currentTarget.value))}>
          {[4, 8, 12, 24].map((n) => (
            <option value={String(n)}>{n} hours</option>
          ))}
        </select>
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {h && (
        <>
          <ul class="state-counts" aria-label="Summary">
            <li>
              Raised: <strong>{h.raised}</strong>
            </li>
            <li>
              Escalated: <strong>{h.escalated}</strong>
            </li>
            <li>
              Two-hour breaches: <strong>{h.breached}</strong>
            </li>
            <li>
              Closed: <strong>{h.closed.length}</strong>
              {Object.keys(h.byOutcome).length > 0 &&
                ` (${Object.entries(h.byOutcome)
                  .map(([k, n]) => `${(OUTCOME_LABELS as Record<string, string>)[k] ?? k.replace(/-/g, ' ')}: ${n}`)
                  .join(', ')})`}
            </li>
          </ul>
          <h2>Still open ({h.open.length})</h2>
          {h.open.length === 0 ? (
            <p>Nothing open.</p>
          ) : (
            <ul class="handover-list">
              {h.open.map((a) => (
                <li>
                  <SeverityBadge severity={a.severity} /> <a href={`#/alerts/${encodeURIComponent(a.id)}`}>{typeLabel(a.type)}</a>, {residentOf(a)?.name ?? `hub ${a.hubId}`}: {STATE_LABELS[a.state]}, raised{' '}
                  {elapsed(a.raisedAt, now)} ago
                </li>
              ))}
            </ul>
          )}
          <h2>Notes written</h2>
          {h.notes.length === 0 ? (
            <p>No notes.</p>
          ) : (
            <ul class="handover-list">
              {h.notes.map((n) => (
                <li>
                  {clockTime(n.at, now)}: {n.text} (<a href={`#/alerts/${encodeURIComponent(n.alertId)}`}>alert</a>)
                </li>
              ))}
            </ul>
          )}
          <h2>Closed</h2>
          <ul class="handover-list">
            {h.closed.map((a) => (
              <li>
                {a.closedAt ? clockTime(a.closedAt, now) : ''} <a href={`#/alerts/${encodeURIComponent(a.id)}`}>{typeLabel(a.type)}</a>, {residentOf(a)?.name ?? `hub ${a.hubId}`}:{' '}
                {a.outcome ? ((OUTCOME_LABELS as Record<string, string>)[a.outcome] ?? a.outcome.replace(/-/g, ' ')) : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
