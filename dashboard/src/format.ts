// Times as a monitoring centre reads them: clock times in the operator's
// locale and elapsed time to the second.

const timeFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** A clock time (HH:MM:SS), with the date when it is not today. */
export function clockTime(iso: string, now: number): string {
  const d = new Date(iso);
  const today = new Date(now);
  return d.toDateString() === today.toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

/** Elapsed time from `iso` to `now`, e.g. "45 s", "3 min 07 s", "2 h 05 min", "3 d 4 h". */
export function elapsed(iso: string, now: number): string {
  return duration(now - Date.parse(iso));
}

/** A span of time to the second (negative spans count as zero). */
export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600) % 24;
  const d = Math.floor(total / 86400);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

/** "12 s ago", or "never" for no time. */
export function ago(iso: string | null, now: number): string {
  return iso === null ? 'never' : `${elapsed(iso, now)} ago`;
}
