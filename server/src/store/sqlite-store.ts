import { sql } from 'kysely';
import type { SensorType } from '../../../protocol/index.ts';
import type { Db } from '../db/database.ts';
import type { EventTable } from '../db/schema.ts';
import type { StoredEvent } from '../events.ts';
import type { BucketCount, EventStore, RangeQuery } from './event-store.ts';

const ROWS_PER_INSERT = 400; // 9 columns each: under SQLite's bound-parameter limit

/** The columns of an events row that make a stored event. */
export type EventRow = Pick<EventTable, 'hub_id' | 'event_id' | 'ts' | 'received_at' | 'sensor' | 'type' | 'value' | 'battery' | 'late'>;

/** A row of the events table as a stored event. */
export function rowToEvent(r: EventRow): StoredEvent {
  return {
    hubId: r.hub_id,
    id: r.event_id,
    ts: r.ts,
    receivedAt: r.received_at,
    sensor: r.sensor,
    type: r.type as SensorType,
    value: JSON.parse(r.value) as unknown,
    battery: r.battery,
    late: r.late === 1,
  };
}

/**
 * The embedded event store: the `events` table ingest already writes (one
 * transaction per moment, before the hub's PUBACK), read through the
 * (hub_id, ts) index.
 */
export class SqliteStore implements EventStore {
  readonly kind = 'sqlite' as const;

  constructor(private readonly db: Db) {}

  async append(events: readonly StoredEvent[]): Promise<void> {
    if (!events.length) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
        await trx
          .insertInto('events')
          .values(
            events.slice(i, i + ROWS_PER_INSERT).map((e) => ({
              hub_id: e.hubId,
              event_id: e.id,
              ts: e.ts,
              received_at: e.receivedAt,
              sensor: e.sensor,
              type: e.type,
              value: JSON.stringify(e.value),
              battery: e.battery,
              late: e.late ? 1 : 0,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    });
  }

  private where(q: RangeQuery) {
    let s = this.db.selectFrom('events').where('hub_id', '=', q.hubId).where('ts', '>=', q.from).where('ts', '<', q.to);
    if (q.sensors) s = q.sensors.length ? s.where('sensor', 'in', [...q.sensors]) : s.where(sql<boolean>`0`);
    if (q.types) s = q.types.length ? s.where('type', 'in', [...q.types]) : s.where(sql<boolean>`0`);
    return s;
  }

  async range(q: RangeQuery): Promise<StoredEvent[]> {
    const rows = await this.where(q).selectAll().orderBy('ts').orderBy('event_id').execute();
    return rows.map(rowToEvent);
  }

  async count(q: RangeQuery): Promise<number> {
    const r = await this.where(q).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async countPerBucket(q: RangeQuery & { bucketMs: number }): Promise<BucketCount[]> {
    const b = Math.floor(q.bucketMs);
    if (!(b > 0)) throw new RangeError('bucketMs must be positive');
    const rows = await this.where(q)
      .select([sql<number>`(ts / ${sql.lit(b)}) * ${sql.lit(b)}`.as('start'), (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('start')
      .orderBy('start')
      .execute();
    return rows.map((r) => ({ start: Number(r.start), count: Number(r.count) }));
  }

  async lastPerSensor(q: RangeQuery): Promise<Map<string, number>> {
    const rows = await this.where(q)
      .select(['sensor', (eb) => eb.fn.max('ts').as('last')])
      .groupBy('sensor')
      .execute();
    return new Map(rows.map((r) => [r.sensor, Number(r.last)]));
  }

  async firstEventAt(hubId: string): Promise<number | null> {
    const r = await this.db.selectFrom('events').select((eb) => eb.fn.min('ts').as('first')).where('hub_id', '=', hubId).executeTakeFirst();
    return r?.first === null || r?.first === undefined ? null : Number(r.first);
  }

  async deleteBefore(before: number, hubId?: string): Promise<void> {
    let d = this.db.deleteFrom('events').where('ts', '<', before);
    if (hubId) d = d.where('hub_id', '=', hubId);
    await d.execute();
  }

  async close(): Promise<void> {}
}
