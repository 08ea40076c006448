import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type AlertView, type UserInfo } from '../../api.ts';
import { STATE_LABELS, needsAcknowledgement, typeLabel } from '../../alert-list.ts';
import { mayDo } from '../../../../server/src/care/alert-permissions.ts';
import type { AlertState } from '../../../../server/src/care/model.ts';
import type { OpenAlerts } from '../../use-open-alerts.ts';
import { useNow } from '../../use-now.ts';
import { setMuted, useAlarm } from './alarm.ts';
import { work, type OperatorPresence } from './api.ts';
import { DispatchDialog, OnSiteDialog, ResolveDialog, StandDownDialog } from './dialogs.tsx';
import { QueueRow, type RowAction } from './queue-row.tsx';
import { rememberOpened, returning, takeOpened, useFocusHeading } from './focus.ts';
import './operator.css';

const OPEN: AlertState[] = ['raised', 'acknowledged', 'dispatched', 'on-site'];

/**
 * The operator's queue: most severe first, then waiting longest; escalated and
 * breached marked; filters, counts per state, who is on shift, the alarm's
 * mute, and keyboard shortcuts (j/k, a, d, r, s, Enter).
 */
export function QueuePage({ me, open }: { me: UserInfo; open: OpenAlerts }) {
  const now = useNow(1000);
  const alarm = useAlarm();
  const heading = useFocusHeading(returning);
  const [type, setType] = useState('');
  const [state, setState] = useState('');
  const [nb, setNb] = useState('');
  const [selected, setSelectedState] = useState(0);
  // The keyboard handler reads the selection from a ref: two quick key presses must not both start from a stale index.
  const selectedRef = useRef(0);
  const setSelected = (i: number) => {
    selectedRef.current = i;
    setSelectedState(i);
  };
  const [dialog, setDialog] = useState<{ kind: RowAction; alert: AlertView } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tableRef = useRef<HTMLTableElement>(null);
  const [nbNames, setNbNames] = useState<Record<string, string>>({});
  useEffect(() => {
    work.neighbourhoods().then((r) => setNbNames(Object.fromEntries(r.neighbourhoods.map((n) => [n.id, n.name]))), () => undefined);
  }, []);

  const shown = open.alerts.filter((a) => (!type || a.type === type) && (!state || a.state === state) && (!nb || a.neighbourhoodId === nb));
  const counts = Object.fromEntries(OPEN.map((s) => [s, open.alerts.filter((a) => a.state === s).length])) as Record<string, number>;
  const waiting = open.alerts.filter(needsAcknowledgement).length;
  const types = [...new Set(open.alerts.map((a) => a.type))].sort();
  const nbs = [...new Set(open.alerts.map((a) => a.neighbourhoodId).filter((x): x is string => Boolean(x)))];

  // Back from an alert's page: focus returns to that alert's "Details" button.
  useEffect(() => {
    const id = takeOpened();
    if (!id) return;
    const i = shown.findIndex((a) => a.id === id);
    if (i >= 0) setSelected(i);
    requestAnimationFrame(() => tableRef.current?.querySelector<HTMLElement>(`button[data-open="${CSS.escape(id)}"]`)?.focus());
  }, [open.loaded]);

  const openAlert = (a: AlertView) => {
    rememberOpened(a.id);
    window.location.hash = `#/alerts/${encodeURIComponent(a.id)}`;
  };

  const onAction = async (a: AlertView, action: RowAction) => {
    setError(null);
    if (action === 'acknowledge') {
      setBusy(a.id);
      try {
        open.apply((await work.acknowledge(a.id)).alert);
      } catch (err) {
        setError(err instanceof ApiError ? err.message : 'The acknowledgement failed. Try again.');
        void open.refetch();
      } finally {
        setBusy(null);
      }
      return;
    }
    if (action === 'on-site' && mayDo(me, 'on-site', a)) {
      setBusy(a.id);
      try {
        open.apply((await work.onSite(a.id)).alert);
      } finally {
        setBusy(null);
      }
      return;
    }
    setDialog({ kind: action, alert: a });
  };

  // Keyboard: the queue can be worked without a mouse.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialog || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement;
      if (['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName)) return;
      const rows = tableRef.current?.querySelectorAll<HTMLTableRowElement>('tbody tr.alert');
      if (!rows?.length) return;
      const inRow = Boolean(t.closest?.('tr.alert'));
      const focusRow = (i: number) => {
        const n = Math.max(0, Math.min(rows.length - 1, i));
        setSelected(n);
        rows[n]?.querySelector<HTMLElement>('button.details')?.focus();
      };
      if (e.key === 'j' || e.key === 'ArrowDown') {
        e.preventDefault();
        focusRow(inRow ? selectedRef.current + 1 : selectedRef.current);
      } else if (e.key === 'k' || e.key === 'ArrowUp') {
        e.preventDefault();
        focusRow(inRow ? selectedRef.current - 1 : selectedRef.current);
      } else if (['a', 'd', 'r', 's'].includes(e.key)) {
        const b = rows[selectedRef.current]?.querySelector<HTMLButtonElement>(`button[data-key="${e.key}"]`);
        if (b && !b.disabled) {
          e.preventDefault();
          b.click();
        }
      } else if (e.key === 'Enter' && t.tagName !== 'BUTTON' && t.tagName !== 'A') {
        const a = shown[selectedRef.current];
        if (a) openAlert(a);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const closeDialog = () => setDialog(null);
  return (
    <main class="queue">
      <div class="view-head">
        <h1 ref={heading} tabIndex={-1}>
          Alert queue
        </h1>
        <p class="counts" aria-live="polite" data-testid="queue-counts">
          {open.alerts.length} open
          {waiting > 0 && <strong class="waiting"> · {waiting} waiting for acknowledgement</strong>}
        </p>
      </div>
      <div class="queue-tools">
        <ul class="state-counts" aria-label="Open alerts by state">
          {OPEN.map((s) => (
            <li data-state={s}>
              {STATE_LABELS[s]}: <strong>{counts[s]}</strong>
            </li>
          ))}
        </ul>
        <AlarmControls mutedUntil={alarm.mutedUntil} permission={alarm.permission} askPermission={alarm.askPermission} />
      </div>
      {(me.role === 'operator' || me.role === 'admin') && <PresencePanel me={me} />}
      <form class="filters" aria-label="Filter the queue" onSubmit={(e) => e.preventDefault()}>
        <label>
          Type{' '}
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            <option value="">All types</option>
            {types.map((t) => (
              <option value={t}>{typeLabel(t)}</option>
            ))}
          </select>
        </label>
        <label>
          State{' '}
          <select value={state} onChange={(e) => setState(e.currentTarget.value)}>
            <option value="">All open</option>
            {OPEN.map((s) => (
              <option value={s}>{STATE_LABELS[s]}</option>
            ))}
          </select>
        </label>
        {nbs.length > 1 && (
          <label>
            Neighbourhood{' '}
            <select value={nb} onChange={(e) => setNb(e.currentTarget.value)}>
              <option value="">All</option>
              {nbs.map((n) => (
                <option value={n}>{nbNames[n] ?? n}</option>
              ))}
            </select>
          </label>
        )}
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
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
      {shown.length > 0 && (
        <table class="alerts" ref={tableRef}>
          <caption class="visually-hidden">Open alerts, most severe first, then waiting longest first</caption>
          <thead>
            <tr>
              <th scope="col">Alert</th>
              <th scope="col">Waiting</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((a, i) => (
              <QueueRow key={a.id} alert={a} now={now} me={me} busy={busy === a.id} selected={i === selected} onAction={(x, act) => void onAction(x, act)} onOpen={openAlert} />
            ))}
          </tbody>
        </table>
      )}
      <details class="shortcuts">
        <summary>Keyboard shortcuts</summary>
        <dl>
          <dt>j or ↓, k or ↑</dt>
          <dd>next, previous alert</dd>
          <dt>a</dt>
          <dd>acknowledge the selected alert</dd>
          <dt>d</dt>
          <dd>dispatch (after acknowledging)</dd>
          <dt>r</dt>
          <dd>resolve (after acknowledging)</dd>
          <dt>s</dt>
          <dd>stand down</dd>
          <dt>Enter</dt>
          <dd>open the selected alert (its resident record, call script and notes)</dd>
        </dl>
      </details>
      {dialog?.kind === 'dispatch' && <DispatchDialog alert={dialog.alert} onDone={open.apply} onClose={closeDialog} />}
      {dialog?.kind === 'resolve' && <ResolveDialog alert={dialog.alert} onDone={open.apply} onClose={closeDialog} />}
      {dialog?.kind === 'stand-down' && <StandDownDialog alert={dialog.alert} onDone={open.apply} onClose={closeDialog} />}
      {dialog?.kind === 'on-site' && <OnSiteDialog alert={dialog.alert} onDone={open.apply} onClose={closeDialog} />}
    </main>
  );
}

/** The alarm's mute (always runs out) and desktop notifications. */
function AlarmControls({ mutedUntil, permission, askPermission }: { mutedUntil: number; permission: string; askPermission: () => void }) {
  // The clock itself, not the page's once-a-second tick (which only redraws this): the tick may be late
  // on a busy machine, and a fresh 5-minute mute must never read 5:01.
  const left = Math.max(0, mutedUntil - Date.now());
  return (
    <div class="alarm-controls">
      {left > 0 ? (
        <p class="muted-state" role="status" data-testid="alarm-muted">
          <strong>Alarm sound muted</strong> for {Math.floor(left / 60_000)}:{String(Math.floor((left % 60_000) / 1000)).padStart(2, '0')} more.{' '}
          <button type="button" onClick={() => setMuted(false)}>
            Unmute
          </button>
        </p>
      ) : (
        <button type="button" onClick={() => setMuted(true)}>
          Mute alarm for 5 minutes
        </button>
      )}
      {permission === 'default' && (
        <button type="button" onClick={askPermission}>
          Turn on desktop notifications
        </button>
      )}
      {permission === 'denied' && <span class="muted small">Desktop notifications are blocked in this browser.</span>}
    </div>
  );
}

/** Who is signed in and on shift, and my own "on shift" toggle. */
function PresencePanel({ me }: { me: UserInfo }) {
  const [list, setList] = useState<OperatorPresence[] | null>(null);
  useEffect(() => {
    const load = () => void work.presence().then((r) => setList(r.operators), () => undefined);
    load();
    const t = setInterval(load, 30_000);
    return () => clearInterval(t);
  }, []);
  const mine = list?.find((o) => o.id === me.id);
  const on = list?.filter((o) => o.onShift) ?? [];
  const signedIn = list?.filter((o) => o.signedIn && !o.onShift) ?? [];
  return (
    <section class="presence" aria-label="Operators">
      <label class="shift-toggle">
        <input type="checkbox" checked={mine?.onShift ?? false} onChange={(e) => void work.setOnShift(e.currentTarget.checked).then((r) => setList(r.operators))} /> I am on shift
      </label>
      <span>
        On shift: {on.length ? on.map((o) => o.displayName).join(', ') : 'nobody'}
        {signedIn.length > 0 && <span class="muted"> · also signed in: {signedIn.map((o) => o.displayName).join(', ')}</span>}
      </span>
    </section>
  );
}

