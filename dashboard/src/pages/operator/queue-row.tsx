import type { AlertView, UserInfo } from '../../api.ts';
import { ACK_TARGET_MS, STATE_LABELS, dispatchTargetLabel, needsAcknowledgement, personName, responseClock, roomOf, summaryOf, typeLabel } from '../../alert-list.ts';
import { mayDo } from '../../../../server/src/care/alert-permissions.ts';
import { clockTime, duration, elapsed } from '../../format.ts';
import { SeverityBadge, Tag } from '../../ui/badge.tsx';
import { CommissioningBadge } from '../installer/commissioning-badge.tsx';
import { forWhom, residentOf } from './api.ts';

/** What a row's buttons ask the queue to do. */
export type RowAction = 'acknowledge' | 'dispatch' | 'resolve' | 'stand-down' | 'on-site';

/** One alert of the queue: what, who, how long waiting, its state, and the actions the user may take (buttons name the resident). */
export function QueueRow({
  alert: a,
  now,
  me,
  busy,
  selected,
  onAction,
  onOpen,
}: {
  alert: AlertView;
  now: number;
  me: UserInfo;
  busy: boolean;
  selected: boolean;
  onAction: (a: AlertView, action: RowAction, button: HTMLElement) => void;
  onOpen: (a: AlertView) => void;
}) {
  const room = roomOf(a);
  const unacked = needsAcknowledgement(a);
  const overdue = unacked && now - Date.parse(a.raisedAt) > ACK_TARGET_MS;
  const resident = residentOf(a);
  const who = resident ? resident.name : `Hub ${a.hubId}`;
  const clock = responseClock(a, now);
  const what = forWhom(a, typeLabel(a.type));
  const may = (action: Parameters<typeof mayDo>[1]) => mayDo(me, action, a);
  const escalated = (a.escalationLevel ?? 0) > 0 && !a.acknowledgedAt;
  const breached = Boolean(a.responseBreachedAt) && !a.onSiteAt;
  const act = (action: RowAction) => (e: Event) => onAction(a, action, e.currentTarget as HTMLElement);
  return (
    <tr
      class={`alert sev-${a.severity}${unacked ? ' unacked' : ''}${overdue ? ' overdue' : ''}${selected ? ' selected' : ''}`}
      data-alert-id={a.id}
      data-alert-type={a.type}
      aria-current={selected ? 'true' : undefined}
    >
      <td class="what">
        <div class="type-line">
          <SeverityBadge severity={a.severity} />
          <strong class="type">{typeLabel(a.type)}</strong>
          {escalated && <Tag kind="urgent">Escalated</Tag>}
          {breached && <Tag kind="urgent">Breached</Tag>}
          {a.late && (
            <span class="tag late" title="Based on events that reached the server late (the hub was offline or delayed)">
              Late
            </span>
          )}
          <CommissioningBadge alert={a} />
        </div>
        <div class="resident">
          {who}
          {!a.residentId && resident && <span class="muted small"> (lives at hub {a.hubId})</span>}
        </div>
        <div class="cause">{summaryOf(a)}</div>
        <div class="meta">
          {room && <span class="room">Room: {room}</span>}
          <span class="hub">Hub: {a.hubId}</span>
          <button type="button" class="link details" aria-label={`Details of ${what}`} data-open={a.id} onClick={() => onOpen(a)}>
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
          <div class={`ack none${overdue ? ' overdue' : ''}`}>Not acknowledged{overdue ? ` for ${elapsed(a.raisedAt, now)}` : ''}</div>
        )}
        {escalated && <div class="escalated">Escalated to {(a.escalationLevel ?? 0) >= 2 ? 'the supervisor' : 'every operator on shift'}</div>}
        {a.dispatchedAt && (
          <div class="dispatched">
            Dispatched to {dispatchTargetLabel(a.dispatchTarget, me)} at <time dateTime={a.dispatchedAt}>{clockTime(a.dispatchedAt, now)}</time>
          </div>
        )}
        {a.assignedTo && <div class="assigned">Assigned to {personName(a.assignedTo, me, a.people)}</div>}
        {a.enRouteAt && !a.onSiteAt && <div class="en-route">On the way since {clockTime(a.enRouteAt, now)}</div>}
        {clock && (
          <div class={`response-clock${clock.breached ? ' breached' : clock.warning ? ' warning' : ''}`} role="timer">
            {clock.breached ? `Two-hour standard breached ${duration(-clock.msLeft)} ago` : `Two-hour clock: ${duration(clock.msLeft)} left`}
          </div>
        )}
        {a.onSiteAt && (
          <div class="on-site">
            On site at <time dateTime={a.onSiteAt}>{clockTime(a.onSiteAt, now)}</time>
            {a.dispatchedAt ? `, ${duration(Date.parse(a.onSiteAt) - Date.parse(a.dispatchedAt))} after dispatch` : ''}
            {a.onSiteProxy ? ' (recorded on the responder’s behalf)' : ''}
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
        <div class="action-line wrap">
          {!a.acknowledgedAt && may('acknowledge') && (
            <button type="button" class="primary" data-key="a" disabled={busy} aria-label={`Acknowledge ${what}`} onClick={act('acknowledge')}>
              Acknowledge
            </button>
          )}
          {a.acknowledgedAt && a.state === 'acknowledged' && may('dispatch') && a.severity !== 'technical' && (
            <button type="button" data-key="d" disabled={busy} aria-label={`Dispatch for ${what}`} onClick={act('dispatch')}>
              Dispatch…
            </button>
          )}
          {a.state === 'dispatched' && (may('on-site') || may('on-site-for-responder')) && (
            <button type="button" disabled={busy} aria-label={`Responder on site: ${what}`} onClick={act('on-site')}>
              Responder on site
            </button>
          )}
          {a.acknowledgedAt && may('resolve') && (
            <button type="button" data-key="r" disabled={busy} aria-label={`Resolve ${what}`} onClick={act('resolve')}>
              Resolve…
            </button>
          )}
          {may('stand-down') && (
            <button type="button" class="quiet" data-key="s" disabled={busy} aria-label={`Stand down ${what}`} onClick={act('stand-down')}>
              Stand down…
            </button>
          )}
        </div>
      </td>
    </tr>
  );
}
