import { useEffect, useState } from 'preact/hooks';
import { ApiError, type AlertView, type UserInfo } from '../../api.ts';
import { STATE_LABELS, summaryOf, typeLabel } from '../../alert-list.ts';
import { clockTime, elapsed } from '../../format.ts';
import type { OpenAlerts } from '../../use-open-alerts.ts';
import { useNow } from '../../use-now.ts';
import { SeverityBadge } from '../../ui/badge.tsx';
import { residentOf, work, type ResidentRecordView } from '../operator/api.ts';
import { useFocusHeading } from '../operator/focus.ts';
import { ResidentCard } from '../operator/resident-card.tsx';
import './responder.css';

/**
 * The responder's phone: the jobs dispatched to them or their team (the
 * server sends nothing else), each with the address and a map link, key safe
 * and access notes, tap-to-call, and "On my way" and "On site" buttons.
 */
export function JobsPage({ me, open }: { me: UserInfo; open: OpenAlerts }) {
  const heading = useFocusHeading();
  const now = useNow(1000);
  const jobs = open.alerts.filter((a) => a.dispatchedAt !== null && a.dispatchedAt !== undefined);
  return (
    <main class="jobs">
      <h1 ref={heading} tabIndex={-1}>
        My jobs
      </h1>
      {!open.loaded && <p class="muted">Loading…</p>}
      {open.loaded && jobs.length === 0 && <p class="empty">No jobs for you or your team.</p>}
      {jobs.map((a) => (
        <Job key={a.id} alert={a} me={me} now={now} onChanged={open.apply} />
      ))}
    </main>
  );
}

function Job({ alert: a, me, now, onChanged }: { alert: AlertView; me: UserInfo; now: number; onChanged: (a: AlertView) => void }) {
  const [record, setRecord] = useState<ResidentRecordView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const resident = residentOf(a);
  useEffect(() => {
    if (resident) work.record(resident.id).then((r) => setRecord(r.record), () => undefined);
  }, [resident?.id]);
  const act = async (fn: () => Promise<{ alert: AlertView }>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged((await fn()).alert);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'That did not work. Try again.');
    } finally {
      setBusy(false);
    }
  };
  const who = resident?.name ?? `hub ${a.hubId}`;
  const mine = a.enRouteBy === me.id;
  return (
    <article class={`job sev-${a.severity}`} data-alert-id={a.id} aria-labelledby={`job-${a.id}`}>
      <div class="job-head">
        <SeverityBadge severity={a.severity} />
        <h2 id={`job-${a.id}`}>
          {typeLabel(a.type)}: {who}
        </h2>
      </div>
      <p class="job-state">
        {STATE_LABELS[a.state]} · dispatched {a.dispatchedAt ? `${elapsed(a.dispatchedAt, now)} ago at ${clockTime(a.dispatchedAt, now)}` : ''}
        {a.enRouteAt ? ` · on the way since ${clockTime(a.enRouteAt, now)}${mine ? ' (you)' : ''}` : ''}
      </p>
      <p>{summaryOf(a)}</p>
      <div class="job-actions">
        {a.state === 'dispatched' && !a.enRouteAt && (
          <button type="button" class="primary big" disabled={busy} aria-label={`On my way to ${who}`} onClick={() => void act(() => work.enRoute(a.id))}>
            On my way
          </button>
        )}
        {a.state === 'dispatched' && (
          <button type="button" class="primary big" disabled={busy} aria-label={`On site with ${who}`} onClick={() => void act(() => work.onSite(a.id))}>
            On site
          </button>
        )}
        {a.state === 'on-site' && <p class="ok-line">You are on site{a.onSiteAt ? ` since ${clockTime(a.onSiteAt, now)}` : ''}.</p>}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {record ? <ResidentCard view={record} headingLevel={3} /> : resident && <p class="muted">Loading the resident record…</p>}
    </article>
  );
}
