import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';

/** Call `load` (a stable function) now and every `everyMs` while mounted: its last result, error, and a reload. */
export function usePolled<T>(load: () => Promise<T>, everyMs: number): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(() => {
    load()
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : 'Could not load.'));
  }, [load]);
  useEffect(() => {
    setData(null);
    run();
    const t = setInterval(run, everyMs);
    return () => clearInterval(t);
  }, [run, everyMs]);
  return { data, error, reload: run };
}
