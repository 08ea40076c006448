import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type AlertHistoryEntry, type AlertView, type UserInfo } from '../api.ts';
import { SEVERITY_LABELS, STATE_LABELS, personName, roomOf, summaryOf, typeLabel } from '../alert-list.ts';
import { clockTime, elapsed } from '../format.ts';
import type { EventRef } from '../../../server/src/anomaly/detector.ts';

/** An event behind an alert, as the server's detectors describe it. */
type EventRefView = EventRef;

/**
 * One alert in a modal dialog: its cause with the events behind it, and its
 * audit trail. Reloaded whenever the live copy of the alert changes.
 */
export function AlertDetail({
  alertId,
  current,
  me,
  now,
  onClose,
}: {
  alertId: string;
  current: AlertView | undefined;
  me: UserInfo;
  now: number;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [data, setData] = useState<{ alert: AlertView; history: AlertHistoryEntry[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const version = current?.updatedAt;

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  useEffect(() => {
    let gone = false;
    api
      .alert(alertId)
      .then((r) => !gone && setData(r))
      .catch((err: unknown) => !gone && setError(err instanceof ApiError ? err.message : 'The alert could not be loaded.'));
    return () => {
      gone = true;
    };
  }, [alertId, version]);

  const a = data?.alert ?? current;
  const events = ((a?.cause as { events?: EventRefView[] } | undefined)?.events ?? []).slice(0, 20);

  return (
    <dialog ref={dialog} class="detail" aria-labelledby="detail-title" onClose={onClose} onCancel={onClose}>
      <div class="detail-head">
        <h2 id="detail-title">{a ? `${typeLabel(a.type)}: ${a.residentName ?? `hub ${a.hubId}`}` : 'Alert'}</h2>
        <button type="button" onClick={() => dialog.current?.close()} autoFocus>
          Close
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {a && (
        <>
          <dl class="facts">
            <dt>Severity</dt>
            <dd>
              <span class={`badge sev-${a.severity}`}>{SEVERITY_LABELS[a.severity]}</span>
            </dd>
            <dt>State</dt>
            <dd>
              {STATE_LABELS[a.state]}
              {a.outcome ? ` (${a.outcome})` : ''}
            </dd>
            <dt>Cause</dt>
            <dd>{summaryOf(a)}</dd>
            <dt>Rule</dt>
            <dd>{String((a.cause as { rule?: unknown }).rule ?? 'unknown')}</dd>
            <dt>Room</dt>
            <dd>{roomOf(a) ?? 'not recorded'}</dd>
            <dt>Occurred</dt>
            <dd>
              {clockTime(a.occurredAt, now)} ({elapsed(a.occurredAt, now)} ago){a.late ? ', reported late' : ''}
            </dd>
            <dt>Raised</dt>
            <dd>{clockTime(a.raisedAt, now)}</dd>
            <dt>Acknowledged</dt>
            <dd>{a.acknowledgedAt ? `${clockTime(a.acknowledgedAt, now)} by ${personName(a.acknowledgedBy, me, a.people)}` : 'not yet'}</dd>
            <dt>Repeats</dt>
            <dd>{a.repeatCount > 0 ? `${a.repeatCount}×` : 'none'}</dd>
            <dt>Hub</dt>
            <dd>{a.hubId}</dd>
          </dl>
          {events.length > 0 && (
            <>
              <h3>Events behind it</h3>
              <table class="plain">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Sensor</th>
                    <th scope="col">Room</th>
                    <th scope="col">Type</th>
                    <th scope="col">Value</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr key={e.id}>
                      <td>{clockTime(e.ts, now)}</td>
                      <td>{e.sensor}</td>
                      <td>{e.room ?? '–'}</td>
                      <td>{e.type}</td>
                      <td>{JSON.stringify(e.value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </>
      )}
      <h3>History</h3>
      {!data && !error && <p class="muted">Loading…</p>}
      {data && (
        <ol class="history">
          {data.history.map((h, i) => (
            <li key={i}>
              <time dateTime={h.at}>{clockTime(h.at, now)}</time> <strong>{h.action}</strong>
              {h.actor ? ` by ${personName(h.actor, me, data.alert.people)}` : ''}
              {historyNote(h.detail)}
            </li>
          ))}
        </ol>
      )}
    </dialog>
  );
}

function historyNote(detail: unknown): string {
  if (!detail || typeof detail !== 'object') return '';
  const d = detail as { summary?: unknown; outcome?: unknown; note?: unknown };
  const parts = [d.outcome, d.summary, d.note].filter((x): x is string => typeof x === 'string' && x.length > 0);
  return parts.length ? `: ${parts.join(' · ')}` : '';
}
