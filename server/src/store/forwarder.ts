import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { EventStore } from './event-store.ts';
import { InfluxError } from './influx-store.ts';
import { rowToEvent, type EventRow } from './sqlite-store.ts';

/** Tuning of the forwarder. */
export interface ForwarderOptions {
  /** Events per write. Default 5000. */
  batchSize?: number;
  /** First retry delay after a failure; doubles up to retryMaxMs. Default 1 s. */
  retryMinMs?: number;
  /** Longest retry delay. Default 60 s. */
  retryMaxMs?: number;
}

/** How forwarding is going, for health and tests. */
export interface ForwarderStatus {
  forwarded: number;
  failures: number;
  /** Events InfluxDB refused as malformed; they stay in SQLite. */
  refused: number;
  lastError: string | null;
  retryingInMs: number | null;
}

const OUTBOX_KEY = 'outbox.enabled';

/**
 * Forwards stored events from SQLite to another event store (InfluxDB).
 *
 * SQLite's events table stays the durable record that hubs are acknowledged
 * against; a trigger adds each new event to store_outbox in the same
 * transaction, so nothing acknowledged can be lost between the two stores.
 * One batch is in flight at a time and only one batch is held in memory:
 * when InfluxDB is slow or down, the backlog waits on disk (back-pressure,
 * not unbounded memory) and is written, oldest first, when it returns.
 */
export class StoreForwarder {
  private readonly batchSize: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private backoff: number;
  private timer: TimerHandle | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly stats: ForwarderStatus = { forwarded: 0, failures: 0, refused: 0, lastError: null, retryingInMs: null };

  constructor(
    private readonly db: Db,
    private readonly target: EventStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: ForwarderOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 5000;
    this.retryMinMs = options.retryMinMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 60_000;
    this.backoff = this.retryMinMs;
  }

  /**
   * Install the outbox trigger; the first time, queue every event already
   * stored (switching an existing install to InfluxDB backfills it).
   */
  static async enable(db: Db): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await sql`
        CREATE TRIGGER IF NOT EXISTS store_outbox_fill AFTER INSERT ON events
        BEGIN INSERT INTO store_outbox (hub_id, event_id) VALUES (new.hub_id, new.event_id); END`.execute(trx);
      const state = await trx.selectFrom('store_state').select('value').where('key', '=', OUTBOX_KEY).executeTakeFirst();
      if (!state) {
        await sql`INSERT INTO store_outbox (hub_id, event_id) SELECT hub_id, event_id FROM events ORDER BY ts`.execute(trx);
        await trx.insertInto('store_state').values({ key: OUTBOX_KEY, value: '1' }).execute();
      }
    });
  }

  /** Remove the trigger and the queue (the store is SQLite again). */
  static async disable(db: Db): Promise<void> {
    await db.transaction().execute(async (trx) => {
      await sql`DROP TRIGGER IF EXISTS store_outbox_fill`.execute(trx);
      await trx.deleteFrom('store_outbox').execute();
      await trx.deleteFrom('store_state').where('key', '=', OUTBOX_KEY).execute();
    });
  }

  /** Events waiting to be forwarded. */
  async pending(): Promise<number> {
    const r = await this.db.selectFrom('store_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** The sensor time of the oldest event still waiting, or null: days after it cannot be summarised from the target yet. */
  async oldestPending(): Promise<number | null> {
    const r = await this.db
      .selectFrom('store_outbox as o')
      .innerJoin('events as e', (j) => j.onRef('e.hub_id', '=', 'o.hub_id').onRef('e.event_id', '=', 'o.event_id'))
      .select((eb) => eb.fn.min('e.ts').as('ts'))
      .executeTakeFirst();
    return r?.ts === null || r?.ts === undefined ? null : Number(r.ts);
  }

  /** Counters and the last error. */
  status(): ForwarderStatus {
    return { ...this.stats };
  }

  /** Start forwarding (and forward the backlog left from before a restart). */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Stop; waits for the batch in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.pumping;
  }

  /** New events were stored: forward them now, unless waiting to retry. */
  kick(): void {
    if (this.stopped || this.timer) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Wait until the current pump (if any) is over. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    try {
      while (!this.stopped && (await this.forwardBatch()) > 0) {
        // keep going while there is a backlog
      }
      this.backoff = this.retryMinMs;
      this.stats.retryingInMs = null;
    } catch (err) {
      this.stats.failures++;
      this.stats.lastError = (err as Error).message;
      const wait = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.retryMaxMs);
      this.stats.retryingInMs = wait;
      this.log.warn({ err: (err as Error).message, retryInMs: wait }, 'event store unavailable; events wait in the local queue');
      if (!this.stopped) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = null;
          this.kick();
        }, wait);
      }
    }
  }

  /** Forward the oldest batch of the queue; how many queue entries it cleared. Throws when the target fails. */
  async forwardBatch(): Promise<number> {
    const rows = await this.db
      .selectFrom('store_outbox as o')
      .leftJoin('events as e', (j) => j.onRef('e.hub_id', '=', 'o.hub_id').onRef('e.event_id', '=', 'o.event_id'))
      .select(['o.seq', 'e.hub_id', 'e.event_id', 'e.ts', 'e.received_at', 'e.sensor', 'e.type', 'e.value', 'e.battery', 'e.late'])
      .orderBy('o.seq')
      .limit(this.batchSize)
      .execute();
    if (!rows.length) return 0;
    // An entry whose event is gone (deleted by retention) has nothing to forward.
    const events = rows.filter((r) => r.hub_id !== null).map((r) => rowToEvent(r as EventRow));
    try {
      await this.target.append(events);
      this.stats.forwarded += events.length;
    } catch (err) {
      if (!(err instanceof InfluxError && err.permanent)) throw err;
      // A malformed batch: send one by one so only the refused events are left out (they stay in SQLite).
      for (const e of events) {
        try {
          await this.target.append([e]);
          this.stats.forwarded++;
        } catch (one) {
          if (!(one instanceof InfluxError && one.permanent)) throw one;
          this.stats.refused++;
          this.log.error({ hubId: e.hubId, eventId: e.id, err: one.message }, 'event refused by the event store; kept in SQLite only');
        }
      }
    }
    await this.db.deleteFrom('store_outbox').where('seq', '<=', rows.at(-1)!.seq).execute();
    return rows.length;
  }
}
