import type { StoredEvent } from '../events.ts';
import { byTimeThenId, type BucketCount, type EventStore, type RangeQuery } from './event-store.ts';

function matches(e: StoredEvent, q: RangeQuery): boolean {
  return (
    e.hubId === q.hubId &&
    e.ts >= q.from &&
    e.ts < q.to &&
    (!q.sensors || q.sensors.includes(e.sensor)) &&
    (!q.types || q.types.includes(e.type))
  );
}

/** An in-memory event store: the reference the contract suite also runs against, and a test double for trends. */
export class MemoryStore implements EventStore {
  readonly kind = 'memory' as const;
  private readonly events = new Map<string, StoredEvent>();

  async append(events: readonly StoredEvent[]): Promise<void> {
    for (const e of events) {
      const key = `${e.hubId}\u0000${e.id}`;
      if (!this.events.has(key)) this.events.set(key, { ...e });
    }
  }

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    return [...this.events.values()].filter((e) => matches(e, q)).sort(byTimeThenId);
  }

  async count(q: RangeQuery): Promise<number> {
    return (await this.range(q)).length;
  }

  async countPerBucket(q: RangeQuery & { bucketMs: number }): Promise<BucketCount[]> {
    const counts = new Map<number, number>();
    for (const e of await this.range(q)) {
      const start = Math.floor(e.ts / q.bucketMs) * q.bucketMs;
      counts.set(start, (counts.get(start) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start, count }));
  }

  async lastPerSensor(q: RangeQuery): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const e of await this.range(q)) out.set(e.sensor, Math.max(out.get(e.sensor) ?? -Infinity, e.ts));
    return out;
  }

  async firstEventAt(hubId: string): Promise<number | null> {
    let first: number | null = null;
    for (const e of this.events.values()) if (e.hubId === hubId && (first === null || e.ts < first)) first = e.ts;
    return first;
  }

  async deleteBefore(before: number, hubId?: string): Promise<void> {
    for (const [k, e] of this.events) if (e.ts < before && (!hubId || e.hubId === hubId)) this.events.delete(k);
  }

  async close(): Promise<void> {}
}
