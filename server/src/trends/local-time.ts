// Local calendar arithmetic in a resident's IANA time zone, with Intl only.
// Days are 'YYYY-MM-DD' strings; instants are epoch ms.

export { localParts, offsetAt } from '../time-zone.ts';
import { localParts, offsetAt } from '../time-zone.ts';

/** Parse 'YYYY-MM-DD'. */
export function parseDay(day: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`not a date: ${day}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** The day n days after (or before) a day. */
export function addDays(day: string, n: number): string {
  const d = parseDay(day);
  return new Date(Date.UTC(d.year, d.month - 1, d.day + n)).toISOString().slice(0, 10);
}

/** Whole days from a to b (b - a). */
export function daysBetween(a: string, b: string): number {
  const x = parseDay(a);
  const y = parseDay(b);
  return Math.round((Date.UTC(y.year, y.month - 1, y.day) - Date.UTC(x.year, x.month - 1, x.day)) / 86_400_000);
}

/** Every day from `from` to `to`, both included. */
export function daysFromTo(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The local date of an instant. */
export function localDay(tz: string, t: number): string {
  const p = localParts(tz, t);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * The instant a local wall-clock time occurs on a day (minutes after local
 * midnight; 1440 and beyond run into the following days). Across DST: a time
 * that happens twice is its first occurrence; a time that does not exist (the
 * spring gap) is taken as the instant the clocks jumped past it.
 */
export function localTime(tz: string, day: string, minutes: number): number {
  const key = `${tz}|${day}|${minutes}`;
  const hit = localTimeCache.get(key);
  if (hit !== undefined) return hit;
  const t = computeLocalTime(tz, day, minutes);
  // Summaries ask for the same few instants of each day many times; Intl is slow, so remember them (bounded).
  if (localTimeCache.size >= 100_000) localTimeCache.clear();
  localTimeCache.set(key, t);
  return t;
}

const localTimeCache = new Map<string, number>();

function computeLocalTime(tz: string, day: string, minutes: number): number {
  const d = parseDay(day);
  const wall = Date.UTC(d.year, d.month - 1, d.day) + minutes * 60_000;
  const before = offsetAt(tz, wall - 86_400_000);
  const after = offsetAt(tz, wall + 86_400_000);
  const candidates = [wall - before, wall - after].filter((t) => offsetAt(tz, t) === wall - t).sort((a, b) => a - b);
  return candidates[0] ?? wall - before;
}

/** Minutes after local midnight of an instant's own local day. */
export function localMinutes(tz: string, t: number): number {
  const p = localParts(tz, t);
  return p.hour * 60 + p.minute + p.second / 60;
}

/** Parse 'HH:MM' into minutes after midnight. */
export function hhmmToMinutes(s: string): number {
  const [h, m] = s.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
