/** Local time in an IANA time zone, done with Intl (daylight saving included). */
import { localParts, offsetAt } from '../../server/src/time-zone.ts';

const offsets = new Map<string, Map<number, number>>();
const QUARTER = 15 * 60_000;

/** Throws a clear error for a time zone Intl does not know. */
export function assertTimeZone(tz: string): void {
  try {
    localParts(tz, 0);
  } catch {
    throw new Error(`unknown IANA time zone "${tz}"`);
  }
}

/** Minutes to add to UTC to get local time in tz at the instant utcMs. */
export function offsetMinutes(tz: string, utcMs: number): number {
  // Offsets change only on quarter hours (UTC), so a quarter-hour bucket is a safe cache key.
  const bucket = Math.floor(utcMs / QUARTER);
  let zone = offsets.get(tz);
  if (!zone) offsets.set(tz, (zone = new Map()));
  const cached = zone.get(bucket);
  if (cached !== undefined) return cached;
  const off = Math.round(offsetAt(tz, bucket * QUARTER) / 60_000);
  if (zone.size > 500_000) zone.clear();
  zone.set(bucket, off);
  return off;
}

/** A calendar date. */
export interface YMD {
  y: number;
  m: number;
  d: number;
}

/** Parse YYYY-MM-DD. */
export function parseDate(s: string): YMD {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`date must be YYYY-MM-DD, got "${s}"`);
  return { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
}

/** The date `days` after `date`. */
export function addDays(date: YMD, days: number): YMD {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** YYYY-MM-DD. */
export function formatDate(date: YMD): string {
  return `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
}

/** Day of week, 0 = Sunday. */
export function weekday(date: YMD): number {
  return new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
}

/**
 * The UTC instant of a local wall time: `minutes` after local midnight of
 * `date` in tz (minutes may run past 1440 into the next day). A time in a
 * spring-forward gap comes out an hour later, as a clock would show it.
 */
export function localToUtc(tz: string, date: YMD, minutes: number): number {
  const wall = Date.UTC(date.y, date.m - 1, date.d) + Math.round(minutes * 60_000);
  const off = offsetMinutes(tz, wall);
  const t = wall - off * 60_000;
  const off2 = offsetMinutes(tz, t);
  return off2 === off ? t : wall - off2 * 60_000;
}

/** Local date and minutes since local midnight of an instant. */
export function utcToLocal(tz: string, utcMs: number): { date: YMD; minutes: number } {
  const local = utcMs + offsetMinutes(tz, utcMs) * 60_000;
  const t = new Date(local);
  return {
    date: { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() },
    minutes: t.getUTCHours() * 60 + t.getUTCMinutes() + t.getUTCSeconds() / 60,
  };
}

/** HH:MM to minutes. */
export function hhmmToMinutes(s: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m) throw new Error(`time must be HH:MM, got "${s}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Minutes (any value) to HH:MM within one day. */
export function minutesToHhmm(min: number): string {
  const v = ((Math.round(min) % 1440) + 1440) % 1440;
  return `${String(Math.floor(v / 60)).padStart(2, '0')}:${String(v % 60).padStart(2, '0')}`;
}
