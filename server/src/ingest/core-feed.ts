import type { Logger } from 'pino';
import type { AnomalyCore } from '../anomaly/core.ts';
import type { Db } from '../db/database.ts';
import type { StoredEvent } from '../events.ts';
import type { SensorType } from '../../../protocol/index.ts';

const CHECKPOINT = 'anomaly-core';

/**
 * Feeds stored events to the anomaly core in the order they were stored, and
 * remembers how far it got. An event is stored (and acknowledged to its hub)
 * before the detectors see it, so a crash in between would drop its alert; on
 * start, `recover()` hands the core every event received since the last
 * checkpoint, so an acknowledged fall still raises its alert after a restart.
 */
export class CoreFeed {
  private pipeline: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly core: AnomalyCore,
    private readonly ensureHomes: (hubIds: string[]) => Promise<void>,
    /** Resolves once every alert signal so far is durable. */
    private readonly alertsDurable: () => Promise<void>,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  /** Queue a batch of newly stored events for the detectors. */
  handle(events: StoredEvent[]): Promise<void> {
    this.pipeline = this.pipeline
      .then(() => this.run(events))
      .catch((err: unknown) => this.log.error({ err }, 'anomaly feed failed'));
    return this.pipeline;
  }

  /** Wait for every queued batch. */
  drain(): Promise<void> {
    return this.pipeline;
  }

  /** Re-feed events received since the last checkpoint (after a crash); returns how many. */
  async recover(): Promise<number> {
    const cp = await this.db.selectFrom('checkpoints').select('value').where('name', '=', CHECKPOINT).executeTakeFirst();
    if (!cp) {
      // First start: nothing was ever fed, and history is not alerted on.
      await this.save(this.now());
      return 0;
    }
    // ">=": an event received in the checkpoint's own millisecond may not have been fed; at worst it
    // is fed twice, which the alert service takes as a repeat of the open alert, never a second alert.
    const rows = await this.db.selectFrom('events').selectAll().where('received_at', '>=', cp.value).orderBy('received_at').orderBy('ts').execute();
    if (!rows.length) return 0;
    const events: StoredEvent[] = rows.map((r) => ({
      hubId: r.hub_id,
      id: r.event_id,
      ts: r.ts,
      receivedAt: r.received_at,
      sensor: r.sensor,
      type: r.type as SensorType,
      value: JSON.parse(r.value) as unknown,
      battery: r.battery,
      late: r.late === 1,
    }));
    this.log.warn({ events: events.length, since: new Date(cp.value).toISOString() }, 'feeding events stored before an unclean stop to the detectors');
    await this.handle(events);
    return events.length;
  }

  private async run(events: StoredEvent[]): Promise<void> {
    await this.ensureHomes(events.map((e) => e.hubId));
    let last = 0;
    for (const e of events) {
      this.core.process(e);
      if (e.receivedAt > last) last = e.receivedAt;
    }
    await this.alertsDurable();
    if (last) await this.save(last);
  }

  private async save(value: number): Promise<void> {
    await this.db
      .insertInto('checkpoints')
      .values({ name: CHECKPOINT, value, updated_at: this.now() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: (eb) => eb.fn('max', [eb.ref('checkpoints.value'), eb.ref('excluded.value')]), updated_at: this.now() }))
      .execute();
  }
}
