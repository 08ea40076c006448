import { localParts, offsetAt } from '../time-zone.ts';
const DAY = 86_400_000;
const MINUTE = 60_000;

/** One UTC day of a zone: the offset at its start, and at most one change within it. */
interface DaySegment {
  /** Offset (ms, local minus UTC) before `switchAt`. */
  a: number;
  /** Epoch ms of the change, or Infinity when the offset holds all day. */
  switchAt: number;
  /** Offset from `switchAt` on. */
  b: number;
}

/**
 * Local time in one IANA zone, fast: Intl is asked only twice per UTC day seen
 * (plus a binary search on the rare day the offset changes), and the answers are
 * shared by every home in the zone. Assumes at most one offset change per UTC day,
 * true of every zone in the tz database today.
 */
export class ZoneClock {
  private readonly days = new Map<number, DaySegment>();
  // The last segment answered: homes in replay move through time together, so this is nearly always a hit.
  private from = 0;
  private to = -1;
  private offset = 0;

  constructor(readonly zone: string) {
    localParts(zone, 0); // an unknown zone fails here, at once, not on the first event
  }

  /** The zone's offset (local minus UTC, ms) at epoch ms t. */
  offsetAt(t: number): number {
    if (t >= this.from && t < this.to) return this.offset;
    const d = Math.floor(t / DAY);
    let seg = this.days.get(d);
    if (!seg) {
      seg = this.segmentOf(d);
      this.days.set(d, seg);
    }
    if (t < seg.switchAt) {
      this.from = d * DAY;
      this.to = seg.switchAt === Infinity ? (d + 1) * DAY : seg.switchAt;
      this.offset = seg.a;
    } else {
      this.from = seg.switchAt;
      this.to = (d + 1) * DAY;
      this.offset = seg.b;
    }
    return this.offset;
  }

  /** Local day number (days since 1970-01-01 in local time) of epoch ms t. */
  localDay(t: number): number {
    return Math.floor((t + this.offsetAt(t)) / DAY);
  }

  /** Minutes since local midnight (0 to 1439) of epoch ms t. */
  localMinute(t: number): number {
    const local = t + this.offsetAt(t);
    return Math.floor((local - Math.floor(local / DAY) * DAY) / MINUTE);
  }

  /**
   * Epoch ms of local day `day` at `minute` minutes after midnight. A time that does
   * not exist (the spring-forward gap) maps to the moment the clocks jumped over it;
   * a time that occurs twice (autumn) maps to its first occurrence.
   */
  utcOf(day: number, minute: number): number {
    const local = day * DAY + minute * MINUTE;
    const o1 = this.offsetAt(local - 14 * 3_600_000);
    const o2 = this.offsetAt(local + 14 * 3_600_000);
    const c1 = local - o1;
    const c2 = local - o2;
    const ok1 = c1 + this.offsetAt(c1) === local;
    const ok2 = c2 + this.offsetAt(c2) === local;
    if (ok1 && ok2) return Math.min(c1, c2);
    if (ok1) return c1;
    if (ok2) return c2;
    // In the gap: the instant of the change, which lies between the two readings.
    const lo = Math.min(c1, c2);
    const hi = Math.max(c1, c2);
    for (const d of [Math.floor(lo / DAY), Math.floor(hi / DAY)]) {
      const seg = this.days.get(d);
      if (seg && seg.switchAt >= lo && seg.switchAt <= hi) return seg.switchAt;
    }
    return hi;
  }

  /** "HH:MM" local time of epoch ms t. */
  hhmm(t: number): string {
    const m = this.localMinute(t);
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  }

  private segmentOf(d: number): DaySegment {
    const start = d * DAY;
    const a = this.intlOffset(start);
    const b = this.intlOffset(start + DAY);
    if (a === b) return { a, switchAt: Infinity, b };
    // Binary search the first minute carrying the new offset.
    let lo = 0;
    let hi = 1440;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.intlOffset(start + mid * MINUTE) === a) lo = mid;
      else hi = mid;
    }
    return { a, switchAt: start + hi * MINUTE, b };
  }

  private intlOffset(t: number): number {
    return offsetAt(this.zone, t);
  }
}

const zones = new Map<string, ZoneClock>();

/** The shared ZoneClock of a zone. */
export function zoneClock(zone: string): ZoneClock {
  let z = zones.get(zone);
  if (!z) zones.set(zone, (z = new ZoneClock(zone)));
  return z;
}

/** Minutes since midnight of an "HH:MM" string. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** A duration as "2 h 40 min" / "25 min". */
export function fmtDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / MINUTE));
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
