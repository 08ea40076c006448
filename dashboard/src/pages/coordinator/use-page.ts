import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { coordinatorApi, type ResidentPage } from './api.ts';

/** A resident's page data, with a reload; a refusal (another coordinator's resident) is a sentence. */
export function useResidentPage(id: string): { page: ResidentPage | null; error: string | null; reload: () => void } {
  const [page, setPage] = useState<ResidentPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    coordinatorApi
      .page(id)
      .then((p) => {
        setPage(p);
        setError(null);
      })
      .catch((err: unknown) => {
        setPage(null);
        setError(err instanceof ApiError && err.status === 404 ? 'There is no such resident on your caseload.' : err instanceof ApiError ? err.message : 'The page could not be loaded.');
      });
  }, [id]);
  useEffect(reload, [reload]);
  return { page, error, reload };
}
