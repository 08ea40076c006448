// The one place Hearth asks Intl about time zones. The anomaly core's ZoneClock,
// the trends calendar and the simulators build on these two functions.

const formatters = new Map<string, Intl.DateTimeFormat>();

// Intl.DateTimeFormat is costly to build: one per zone, kept. Throws RangeError for an unknown zone.
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Local wall-clock fields of an instant in an IANA time zone (throws RangeError for an unknown zone). */
export function localParts(tz: string, t: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour! % 24, minute: p.minute!, second: p.second! };
}

/** The zone's offset from UTC at an instant, in ms (e.g. +3600000 for BST). */
export function offsetAt(tz: string, t: number): number {
  const p = localParts(tz, t);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(t / 1000) * 1000;
}
