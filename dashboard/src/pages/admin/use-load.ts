import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';

/** Load once (and on `reload`): the result, an error sentence, and a reload. `load` must be stable. */
export function useLoad<T>(load: () => Promise<T>): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    load()
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => setError(errorText(err)));
  }, [load]);
  useEffect(reload, [reload]);
  return { data, error, reload };
}

/** An error as a sentence for people: the server's message, or a generic one. */
export function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : 'Something went wrong; try again.';
}

/** The result of an action: a message and whether it worked, shown in a live region. */
export interface Outcome {
  ok: boolean;
  text: string;
}

/** Run an action and turn its result or error into an Outcome. */
export async function attempt(run: () => Promise<unknown>, done: string): Promise<Outcome> {
  try {
    await run();
    return { ok: true, text: done };
  } catch (err) {
    return { ok: false, text: errorText(err) };
  }
}
