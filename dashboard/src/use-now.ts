import { useEffect, useState } from 'preact/hooks';

/** The current time, re-rendering every `everyMs` (the console's "time since" clocks tick each second). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}
