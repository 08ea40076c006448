import { useEffect, useState } from 'preact/hooks';
import { ApiError, type UserInfo } from '../../api.ts';
import { OUTCOME_LABELS, TYPE_LABELS, typeLabel } from '../../alert-list.ts';
import { clockTime } from '../../format.ts';
import { SeverityBadge } from '../../ui/badge.tsx';
import { residentOf, work, type HistoryPage as Page } from './api.ts';
import { useFocusHeading } from './focus.ts';
import './operator.css';

const PAGE_SIZE = 20;

/** The closed alerts the user may see, as a table with links; shared by the history and a resident's page. */
export function ClosedAlerts({ page, now }: { page: Page; now: number }) {
  if (page.total === 0) return <p class="empty">No closed alerts match.</p>;
  return (
    <table class="history-table">
      <caption class="visually-hidden">Closed alerts, most recently closed first</caption>
      <thead>
        <tr>
          <th scope="col">Closed</th>
          <th scope="col">Alert</th>
          <th scope="col">Resident</th>
          <th scope="col">Outcome</th>
        </tr>
      </thead>
      <tbody>
        {page.alerts.map((a) => {
          const r = residentOf(a);
          return (
            <tr data-alert-id={a.id}>
              <td>{a.closedAt ? clockTime(a.closedAt, now) : '–'}</td>
              <td>
                <SeverityBadge severity={a.severity} /> <a href={`#/alerts/${encodeURIComponent(a.id)}`}>{typeLabel(a.type)}</a>
              </td>
              <td>{r ? <a href={`#/people/${encodeURIComponent(r.id)}`}>{r.name}</a> : `hub ${a.hubId}`}</td>
              <td>{a.outcome ? ((OUTCOME_LABELS as Record<string, string>)[a.outcome] ?? a.outcome.replace(/-/g, ' ')) : '–'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Paging for a result list: "Page 2 of 5", previous and next. */
export function Pager({ page, onPage }: { page: Page; onPage: (n: number) => void }) {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={page.page <= 1} onClick={() => onPage(page.page - 1)}>
        Previous page
      </button>
      <span aria-live="polite">
        Page {page.page} of {pages} ({page.total} alerts)
      </span>
      <button type="button" disabled={page.page >= pages} onClick={() => onPage(page.page + 1)}>
        Next page
      </button>
    </nav>
  );
}

/** Closed alerts: search by resident, type, outcome and date range, with paging. */
export function HistoryPage(_props: { me: UserInfo }) {
  const heading = useFocusHeading();
  const [form, setForm] = useState({ resident: '', type: '', outcome: '', from: '', to: '' });
  const [query, setQuery] = useState(form);
  const [pageNo, setPageNo] = useState(1);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const q = new URLSearchParams({ page: String(pageNo), pageSize: String(PAGE_SIZE) });
    for (const [k, v] of Object.entries(query)) if (v) q.set(k, k === 'to' ? new Date(Date.parse(v) + 86_400_000).toISOString().slice(0, 10) : v);
    work.history(q).then(setPage, (err: unknown) => setError(err instanceof ApiError ? err.message : 'The history could not be loaded.'));
  }, [query, pageNo]);
  const field = (k: keyof typeof form) => ({ value: form[k], onInput: (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value }) });
  return (
    <main class="history-page">
      <h1 ref={heading} tabIndex={-1}>
        Alert history
      </h1>
      <form
        class="filters"
        aria-label="Search closed alerts"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          setPageNo(1);
          setQuery(form);
        }}
      >
        <label>
          Resident <input type="search" {...field('resident')} />
        </label>
        <label>
          Type{' '}
          <select value={form.type} onChange={(e) => setForm({ ...form, type: e.currentTarget.value })}>
            <option value="">All types</option>
            {Object.keys(TYPE_LABELS).map((t) => (
              <option value={t}>{typeLabel(t)}</option>
            ))}
          </select>
        </label>
        <label>
          Outcome{' '}
          <select value={form.outcome} onChange={(e) => setForm({ ...form, outcome: e.currentTarget.value })}>
            <option value="">Any outcome</option>
            {Object.entries(OUTCOME_LABELS).map(([k, v]) => (
              <option value={k}>{v}</option>
            ))}
            <option value="cancelled">Stood down</option>
            <option value="cancelled-by-resident">Cancelled by the resident</option>
          </select>
        </label>
        <label>
          From <input type="date" {...field('from')} />
        </label>
        <label>
          To <input type="date" {...field('to')} />
        </label>
        <button type="submit" class="primary">
          Search
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page ? (
        <>
          <ClosedAlerts page={page} now={Date.now()} />
          <Pager page={page} onPage={setPageNo} />
        </>
      ) : (
        !error && <p class="muted">Loading…</p>
      )}
    </main>
  );
}
