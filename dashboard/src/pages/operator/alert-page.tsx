import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type AlertHistoryEntry, type AlertView, type UserInfo } from '../../api.ts';
import { STATE_LABELS, dispatchTargetLabel, personName, summaryOf, typeLabel } from '../../alert-list.ts';
import { clockTime, elapsed } from '../../format.ts';
import type { OpenAlerts } from '../../use-open-alerts.ts';
import { useNow } from '../../use-now.ts';
import { SeverityBadge, Tag } from '../../ui/badge.tsx';
import { forWhom, residentOf, work, type ResidentRecordView, type RoutingOutcome } from './api.ts';
import { DispatchDialog, OnSiteDialog, ResolveDialog, StandDownDialog } from './dialogs.tsx';
import { useFocusHeading } from './focus.ts';
import { ResidentCard } from './resident-card.tsx';
import { RoutingSummary } from './routing-summary.tsx';
import './operator.css';

type Loaded = { alert: AlertView; history: AlertHistoryEntry[]; actions: string[] };

/** Words for the timeline's entries. */
const ACTION_WORDS: Record<string, string> = {
  raised: 'Raised',
  repeated: 'Repeated',
  acknowledged: 'Acknowledged',
  escalated: 'Escalated',
  dispatched: 'Dispatched',
  assigned: 'Assigned',
  'en-route': 'On the way',
  'on-site': 'On site',
  resolved: 'Resolved',
  cancelled: 'Stood down',
  cleared: 'Cleared',
  routed: 'Routed',
  note: 'Note',
  'response-warning': 'Two-hour warning',
  'response-breach': 'Two-hour standard breached',
};

function entryText(h: AlertHistoryEntry): string {
  const d = (h.detail ?? {}) as Record<string, unknown>;
  const parts = [d.text, d.summary, d.outcome, d.reason, d.note, d.name ? `to ${String(d.name)}` : null, d.proxy ? 'recorded on the responder’s behalf' : null].filter(
    (x): x is string => typeof x === 'string' && x.length > 0,
  );
  return parts.join(' · ');
}

/**
 * One alert, worked: the resident's record with tap-to-call, the call script
 * for its type, the actions the user may take (acknowledge, dispatch, assign,
 * stand down, resolve), who was told (truthfully), and the timeline of notes
 * and log entries with a note form.
 */
export function AlertPage({ me, open, alertId }: { me: UserInfo; open: OpenAlerts; alertId: string }) {
  const now = useNow(1000);
  const heading = useFocusHeading();
  const [data, setData] = useState<Loaded | null>(null);
  const [record, setRecord] = useState<ResidentRecordView | null>(null);
  const [script, setScript] = useState<{ title: string; steps: string[] } | null>(null);
  const [routing, setRouting] = useState<RoutingOutcome[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [dialog, setDialog] = useState<'dispatch' | 'resolve' | 'stand-down' | 'on-site' | null>(null);
  const live = open.alerts.find((a) => a.id === alertId);

  const load = useCallback(async () => {
    try {
      const d = await work.alert(alertId);
      setData({ alert: d.alert, history: d.history, actions: d.actions ?? [] });
      const r = residentOf(d.alert);
      if (r) work.record(r.id).then((x) => setRecord(x.record), () => setRecord(null));
      work.script(alertId).then((s) => setScript(s.script), () => undefined);
      work.routing(alertId).then((x) => setRouting(x.routing), () => undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The alert could not be loaded.');
    }
  }, [alertId]);
  useEffect(() => void load(), [load, live?.updatedAt]);

  const a = live && data && live.updatedAt > data.alert.updatedAt ? live : data?.alert;
  const may = (x: string) => data?.actions.includes(x) ?? false;
  const done = (x: AlertView) => {
    open.apply(x);
    void load();
  };
  const act = async (fn: () => Promise<{ alert: AlertView }>) => {
    setError(null);
    try {
      done((await fn()).alert);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The action failed. Try again.');
    }
  };

  if (error && !a) {
    return (
      <main>
        <h1 ref={heading} tabIndex={-1}>
          Alert
        </h1>
        <p class="error" role="alert">
          {error}
        </p>
        <a href="#/alerts">Back to the queue</a>
      </main>
    );
  }
  if (!a) return <main class="muted loading">Loading…</main>;
  const what = forWhom(a, typeLabel(a.type));
  const isOpen = a.state !== 'resolved' && a.state !== 'cancelled';
  return (
    <main class="alert-page" data-alert-id={a.id}>
      <p>
        <a href="#/alerts">Back to the queue</a>
      </p>
      <div class="type-line">
        <SeverityBadge severity={a.severity} />
        <h1 ref={heading} tabIndex={-1}>
          {typeLabel(a.type)}: {residentOf(a)?.name ?? `hub ${a.hubId}`}
        </h1>
        {(a.escalationLevel ?? 0) > 0 && !a.acknowledgedAt && <Tag kind="urgent">Escalated</Tag>}
        {a.responseBreachedAt && <Tag kind="urgent">Breached</Tag>}
      </div>
      <p class="cause">
        {summaryOf(a)} · {STATE_LABELS[a.state]} · raised {elapsed(a.raisedAt, now)} ago at {clockTime(a.raisedAt, now)}
        {a.acknowledgedAt ? ` · acknowledged by ${personName(a.acknowledgedBy, me, a.people)}` : ' · not acknowledged'}
        {a.dispatchedAt ? ` · dispatched to ${dispatchTargetLabel(a.dispatchTarget, me)}` : ''}
        {a.assignedTo ? ` · assigned to ${personName(a.assignedTo, me, a.people)}` : ''}
      </p>
      {!a.residentId && a.livesHere && (
        <p>
          This is about hub {a.hubId}, in the home of {a.livesHere.name}: while it is faulty, their home may not be monitored.
        </p>
      )}
      {isOpen && (
        <div class="action-line wrap alert-actions">
          {!a.acknowledgedAt && may('acknowledge') && (
            <button type="button" class="primary" aria-label={`Acknowledge ${what}`} onClick={() => void act(() => work.acknowledge(a.id))}>
              Acknowledge
            </button>
          )}
          {a.state === 'acknowledged' && may('dispatch') && a.severity !== 'technical' && (
            <button type="button" class="primary" aria-label={`Dispatch for ${what}`} onClick={() => setDialog('dispatch')}>
              Dispatch…
            </button>
          )}
          {a.state === 'dispatched' && may('on-site-for-responder') && (
            <button type="button" onClick={() => setDialog('on-site')}>
              Record on site for the responder…
            </button>
          )}
          {a.acknowledgedAt && may('resolve') && (
            <button type="button" aria-label={`Resolve ${what}`} onClick={() => setDialog('resolve')}>
              Resolve…
            </button>
          )}
          {may('stand-down') && (
            <button type="button" class="quiet" aria-label={`Stand down ${what}`} onClick={() => setDialog('stand-down')}>
              Stand down…
            </button>
          )}
          {may('assign') && a.state === 'dispatched' && <AssignResponder alert={a} onDone={done} />}
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="alert-columns">
        <div>
          {record ? <ResidentCard view={record} /> : residentOf(a) ? <p class="muted">Loading the resident record…</p> : <p>No resident at this hub.</p>}
        </div>
        <div>
          {script && (
            <section aria-labelledby="script-h" class="call-script">
              <h2 id="script-h">Call script: {script.title}</h2>
              <ol>
                {script.steps.map((s) => (
                  <li>{s}</li>
                ))}
              </ol>
            </section>
          )}
          <section aria-labelledby="told-h">
            <h2 id="told-h">Who was told</h2>
            {routing.length === 0 ? <p class="muted">Nothing routed yet.</p> : routing.map((r) => <RoutingSummary outcome={r} />)}
          </section>
        </div>
      </div>
      <section aria-labelledby="timeline-h" class="timeline">
        <h2 id="timeline-h">Notes and log</h2>
        <form
          class="note-form"
          onSubmit={(e) => {
            e.preventDefault();
            const text = note.trim();
            if (!text) return;
            void act(async () => {
              const r = await work.note(a.id, text);
              setNote('');
              return r;
            });
          }}
        >
          <label for="note-text">Add a note</label>
          <textarea id="note-text" rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <button type="submit" disabled={!note.trim() || !may('note')}>
            Add note
          </button>
        </form>
        <ol class="history">
          {(data?.history ?? []).map((h) => (
            <li class={`entry entry-${h.action}`}>
              <time dateTime={h.at}>{clockTime(h.at, now)}</time> <strong>{ACTION_WORDS[h.action] ?? h.action}</strong>
              {h.actor ? ` by ${personName(h.actor, me, a.people)}` : ''}
              {entryText(h) ? `: ${entryText(h)}` : ''}
            </li>
          ))}
        </ol>
      </section>
      {dialog === 'dispatch' && <DispatchDialog alert={a} onDone={done} onClose={() => setDialog(null)} />}
      {dialog === 'resolve' && <ResolveDialog alert={a} onDone={done} onClose={() => setDialog(null)} />}
      {dialog === 'stand-down' && <StandDownDialog alert={a} onDone={done} onClose={() => setDialog(null)} />}
      {dialog === 'on-site' && <OnSiteDialog alert={a} onDone={done} onClose={() => setDialog(null)} />}
    </main>
  );
}

/** Pick the one responder who takes the job. */
function AssignResponder({ alert, onDone }: { alert: AlertView; onDone: (a: AlertView) => void }) {
  const [responders, setResponders] = useState<{ id: string; displayName: string; sameTeam: boolean }[]>([]);
  const [pick, setPick] = useState(alert.assignedTo ?? '');
  useEffect(() => void work.dispatchOptions(alert.id).then((o) => setResponders(o.responders), () => undefined), [alert.id]);
  if (!responders.length) return null;
  return (
    <form
      class="action-line"
      onSubmit={(e) => {
        e.preventDefault();
        if (pick) void work.assign(alert.id, pick).then((r) => onDone(r.alert));
      }}
    >
      <label for="assign-responder">Assign responder</label>
      <select id="assign-responder" value={pick} onChange={(e) => setPick(e.currentTarget.value)}>
        <option value="">Choose…</option>
        {responders.map((r) => (
          <option value={r.id}>
            {r.displayName}
            {r.sameTeam ? ' (this team)' : ''}
          </option>
        ))}
      </select>
      <button type="submit" disabled={!pick}>
        Assign
      </button>
    </form>
  );
}
