import type { StoredEvent } from '../events.ts';

/** Which events of one hub a read covers: [from, to) in epoch ms, optionally only some sensors or types. */
export interface RangeQuery {
  hubId: string;
  from: number;
  to: number;
  sensors?: readonly string[];
  types?: readonly string[];
}

/** A count of events in one time bucket (start in epoch ms, buckets aligned to the epoch). */
export interface BucketCount {
  start: number;
  count: number;
}

/**
 * Where the activity history lives: SQLite (the embedded default) or InfluxDB
 * (spoken to through its v1 HTTP API). Both pass one contract suite
 * (test/server/store/contract.ts), so the trends and jobs above never know which.
 */
export interface EventStore {
  /** Backend name, for logs and health. */
  readonly kind: 'sqlite' | 'influx' | 'memory';
  /** Add events; re-adding an event already stored (same hub, same id) changes nothing. */
  append(events: readonly StoredEvent[]): Promise<void>;
  /** Events of one hub in the range, oldest first (ties by id). */
  range(q: RangeQuery): Promise<StoredEvent[]>;
  /** How many events of one hub are in the range. */
  count(q: RangeQuery): Promise<number>;
  /** Event counts per bucket of bucketMs, empty buckets left out, oldest first. */
  countPerBucket(q: RangeQuery & { bucketMs: number }): Promise<BucketCount[]>;
  /** The time of each sensor's latest event in the range. */
  lastPerSensor(q: RangeQuery): Promise<Map<string, number>>;
  /** The time of a hub's earliest event, or null when it has none. */
  firstEventAt(hubId: string): Promise<number | null>;
  /** Delete events older than `before` (of one hub, or of every hub). */
  deleteBefore(before: number, hubId?: string): Promise<void>;
  /** Release connections. */
  close(): Promise<void>;
}

/** Sort events oldest first, ties by id: the order every backend returns. */
export function byTimeThenId(a: StoredEvent, b: StoredEvent): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
