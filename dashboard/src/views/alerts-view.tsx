import { useState } from 'preact/hooks';
import type { Role } from '../../../server/src/care/model.ts';
import { ApiError, api, type AlertView, type Outcome, type UserInfo } from '../api.ts';
import {
  ACK_TARGET_MS,
  OUTCOME_LABELS,
  SEVERITY_LABELS,
  STATE_LABELS,
  dispatchTargetLabel,
  needsAcknowledgement,
  personName,
  responseClock,
  roomOf,
  summaryOf,
  typeLabel,
} from '../alert-list.ts';
import { clockTime, duration, elapsed } from '../format.ts';
import type { OpenAlerts } from '../use-open-alerts.ts';
import { useNow } from '../use-now.ts';
import { CommissioningBadge } from '../pages/installer/commissioning-badge.tsx';
import { AlertDetail } from './alert-detail.tsx';

/** The live list of open alerts, most severe and newest first. */
export function AlertsView({ me, open }: { me: UserInfo; open: OpenAlerts }) {
  const now = useNow(1000);
  const [detailId, setDetailId] = useState<string | null>(null);
  const waiting = open.alerts.filter(needsAcknowledgement).length;
  const detail = detailId ? open.alerts.find((a) => a.id === detailId) : undefined;

  return (
    <main>
      <div class="view-head">
        <h1>Open alerts</h1>
        <p class="counts" aria-live="polite">
          {open.alerts.length} open
          {waiting > 0 && <strong class="waiting"> · {waiting} waiting for acknowledgement</strong>}
        </p>
      </div>
      {open.loadError && (
        <p class="error" role="alert">
          {open.loadError}{' '}
          <button type="button" onClick={() => void open.refetch()}>
            Try again
          </button>
        </p>
      )}
      {!open.loaded && !open.loadError && <p class="muted">Loading alerts…</p>}
      {open.loaded && open.alerts.length === 0 && <p class="empty">No open alerts.</p>}
      {open.alerts.length > 0 && (
        <table class="alerts">
          <caption class="visually-hidden">Open alerts, most severe first, then newest first</caption>
          <thead>
            <tr>
              <th scope="col">Alert</th>
              <th scope="col">Occurred</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {open.alerts.map((a) => (
              <AlertRow key={a.id} alert={a} now={now} me={me} onChanged={open.apply} onRefetch={open.refetch} onDetail={() => setDetailId(a.id)} />
            ))}
          </tbody>
        </table>
      )}
      {detailId && (
        <AlertDetail
          alertId={detailId}
          current={detail}
          me={me}
          now={now}
          onClose={() => setDetailId(null)}
        />
      )}
    </main>
  );
}

/** Roles the server lets dispatch a response, and mark a responder on site. */
const DISPATCHERS: readonly Role[] = ['operator', 'admin'];
const ON_SITE_MARKERS: readonly Role[] = ['responder', 'operator', 'admin'];

function AlertRow({
  alert: a,
  now,
  me,
  onChanged,
  onRefetch,
  onDetail,
}: {
  alert: AlertView;
  now: number;
  me: UserInfo;
  onChanged: (a: AlertView) => void;
  onRefetch: () => Promise<void>;
  onDetail: () => void;
}) {
  const [outcome, setOutcome] = useState<Outcome | ''>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const room = roomOf(a);
  const unacked = needsAcknowledgement(a);
  const overdue = unacked && now - Date.parse(a.raisedAt) > ACK_TARGET_MS;
  const who = a.residentName ?? `Hub ${a.hubId} (no resident)`;
  const clock = responseClock(a, now);
  // Acknowledge first, then dispatch: the operator has spoken to the resident (or tried) before sending anyone.
  const canDispatch = DISPATCHERS.includes(me.role) && a.state === 'acknowledged' && a.severity !== 'technical';
  const canMarkOnSite = ON_SITE_MARKERS.includes(me.role) && a.state === 'dispatched';

  const act = async (fn: () => Promise<{ alert: AlertView }>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged((await fn()).alert);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The action failed. Try again.');
      // A conflict means someone else got there first: show the list as it is now.
      if (err instanceof ApiError && (err.status === 409 || err.status === 404)) void onRefetch();
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr
      class={`alert sev-${a.severity}${unacked ? ' unacked' : ''}${overdue ? ' overdue' : ''}`}
      data-alert-id={a.id}
      data-alert-type={a.type}
    >
      <td class="what">
        <div class="type-line">
          <span class={`badge sev-${a.severity}`}>{SEVERITY_LABELS[a.severity]}</span>
          <strong class="type">{typeLabel(a.type)}</strong>
          {a.late && (
            <span class="tag late" title="Based on events that reached the server late (the hub was offline or delayed)">
              Late
            </span>
          )}
          <CommissioningBadge alert={a} />
        </div>
        <div class="resident">{who}</div>
        <div class="cause">{summaryOf(a)}</div>
        <div class="meta">
          {room && <span class="room">Room: {room}</span>}
          <span class="hub">Hub: {a.hubId}</span>
          <button type="button" class="link" onClick={onDetail}>
            Details
          </button>
        </div>
      </td>
      <td class="when">
        <div class="since" role="timer" aria-label={`${elapsed(a.occurredAt, now)} since it occurred`}>
          {elapsed(a.occurredAt, now)}
        </div>
        <div class="muted">
          at <time dateTime={a.occurredAt}>{clockTime(a.occurredAt, now)}</time>
        </div>
      </td>
      <td class="status">
        <div class={`state state-${a.state}`}>{STATE_LABELS[a.state]}</div>
        {a.acknowledgedAt ? (
          <div class="ack">
            Acknowledged by {personName(a.acknowledgedBy, me, a.people)} at <time dateTime={a.acknowledgedAt}>{clockTime(a.acknowledgedAt, now)}</time>
          </div>
        ) : (
          <div class={`ack none${overdue ? ' overdue' : ''}`}>
            Not acknowledged{overdue ? ` for ${elapsed(a.raisedAt, now)}` : ''}
          </div>
        )}
        {(a.escalationLevel ?? 0) > 0 && !a.acknowledgedAt && (
          <div class="escalated">Escalated to {(a.escalationLevel ?? 0) >= 2 ? 'the supervisor' : 'every operator on shift'}</div>
        )}
        {a.dispatchedAt && (
          <div class="dispatched">
            Dispatched to {dispatchTargetLabel(a.dispatchTarget, me)} at <time dateTime={a.dispatchedAt}>{clockTime(a.dispatchedAt, now)}</time>
          </div>
        )}
        {clock && (
          <div class={`response-clock${clock.breached ? ' breached' : clock.warning ? ' warning' : ''}`} role="timer">
            {clock.breached ? `Two-hour standard breached ${duration(-clock.msLeft)} ago` : `Two-hour clock: ${duration(clock.msLeft)} left`}
          </div>
        )}
        {a.onSiteAt && (
          <div class="on-site">
            On site at <time dateTime={a.onSiteAt}>{clockTime(a.onSiteAt, now)}</time>
            {a.dispatchedAt ? `, ${duration(Date.parse(a.onSiteAt) - Date.parse(a.dispatchedAt))} after dispatch` : ''}
          </div>
        )}
        {a.repeatCount > 0 && <div class="repeat">Repeated {a.repeatCount}×</div>}
        {a.clearedAt && (
          <div class="cleared">
            Cleared by {personName(a.clearedBy, me, a.people)} at <time dateTime={a.clearedAt}>{clockTime(a.clearedAt, now)}</time>
          </div>
        )}
      </td>
      <td class="actions">
        <div class="action-line">
          {!a.acknowledgedAt && (
            <button type="button" class="primary" disabled={busy} onClick={() => void act(() => api.acknowledge(a.id))}>
              Acknowledge
            </button>
          )}
          {canMarkOnSite && (
            <button type="button" class="primary" disabled={busy} onClick={() => void act(() => api.onSite(a.id))}>
              Responder on site
            </button>
          )}
          {canDispatch && (
            <div class="action-line" role="group" aria-label="Dispatch a response">
              <button type="button" disabled={busy} onClick={() => void act(() => api.dispatch(a.id, 'team'))}>
                Dispatch team
              </button>
              <button type="button" disabled={busy} onClick={() => void act(() => api.dispatch(a.id, 'out-of-hours'))}>
                Out of hours
              </button>
            </div>
          )}
        </div>
        <form
          class="resolve"
          onSubmit={(e) => {
            e.preventDefault();
            if (outcome) void act(() => api.resolve(a.id, outcome));
          }}
        >
          <label for={`outcome-${a.id}`}>Outcome</label>
          <select id={`outcome-${a.id}`} value={outcome} onChange={(e) => setOutcome(e.currentTarget.value as Outcome | '')} required>
            <option value="">Choose…</option>
            {(Object.keys(OUTCOME_LABELS) as Outcome[]).map((o) => (
              <option value={o}>{OUTCOME_LABELS[o]}</option>
            ))}
          </select>
          <button type="submit" disabled={busy || !outcome}>
            Resolve
          </button>
        </form>
        {error && (
          <p class="error small" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}
