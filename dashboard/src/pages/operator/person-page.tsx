import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { work, type HistoryPage, type ResidentRecordView } from './api.ts';
import { useFocusHeading } from './focus.ts';
import { ClosedAlerts, Pager } from './history-page.tsx';
import { ResidentCard } from './resident-card.tsx';
import './operator.css';

/** The operator's view of a resident: their record (tap to call) and their alert history. */
export function PersonPage({ residentId }: { residentId: string }) {
  const heading = useFocusHeading();
  const [record, setRecord] = useState<ResidentRecordView | null>(null);
  const [page, setPage] = useState<HistoryPage | null>(null);
  const [pageNo, setPageNo] = useState(1);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    work.record(residentId).then((r) => setRecord(r.record), (err: unknown) => setError(err instanceof ApiError ? err.message : 'The record could not be loaded.'));
  }, [residentId]);
  useEffect(() => {
    work.history(new URLSearchParams({ residentId, page: String(pageNo), pageSize: '10' })).then(setPage, () => undefined);
  }, [residentId, pageNo]);
  return (
    <main class="person-page">
      <p>
        <a href="#/alerts">Back to the queue</a>
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {record ? record.name : 'Resident'}
      </h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {record && <ResidentCard view={record} headingLevel={2} />}
      <h2>Alert history</h2>
      {page && (
        <>
          <ClosedAlerts page={page} now={Date.now()} />
          {page.total > page.pageSize && <Pager page={page} onPage={setPageNo} />}
        </>
      )}
    </main>
  );
}
