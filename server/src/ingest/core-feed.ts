import type { Logger } from 'pino';
import type { AnomalyCore } from '../anomaly/core.ts';
import type { Db } from '../db/database.ts';
import type { StoredEvent } from '../events.ts';
import { rowToEvent } from '../store/sqlite-store.ts';

/** The checkpoint row of the feed: the highest arrival sequence number the detectors have been fed. */
export const FEED_CHECKPOINT = 'anomaly-core';
const CHECKPOINT = FEED_CHECKPOINT;

/**
 * Feeds stored events to the anomaly core in the order they were stored, and
 * remembers how far it got. An event is stored (and acknowledged to its hub)
 * before the detectors see it, so a crash in between would drop its alert; on
 * start, `recover()` hands the core every event stored after the last
 * checkpoint (an arrival sequence number), so an acknowledged fall still
 * raises its alert after a restart, and nothing already fed is fed again.
 */
export class CoreFeed {
  private pipeline: Promise<void> = Promise.resolve();
  /** Checkpoints waiting for their batches' alerts to be durable. */
  private durable: Promise<void> = Promise.resolve();
  /** The checkpoint wanted, the one on disk, and the save under way (at most one at a time). */
  private checkpoint = { wanted: 0, saved: 0, saving: undefined as Promise<void> | undefined };

  constructor(
    private readonly db: Db,
    private readonly core: AnomalyCore,
    private readonly ensureHomes: (hubIds: string[]) => Promise<void>,
    /** Resolves once every alert signal so far is durable. */
    private readonly alertsDurable: () => Promise<void>,
    /** Write the checkpoint (kept at the larger value): through the ingest writer, after the events it covers. */
    private readonly writeCheckpoint: (name: string, value: number) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Queue a batch of newly stored events for the detectors. */
  handle(events: StoredEvent[]): Promise<void> {
    this.pipeline = this.pipeline
      .then(() => this.run(events))
      .catch((err: unknown) => this.log.error({ err }, 'anomaly feed failed'));
    return this.pipeline;
  }

  /** Wait for every batch queued so far to reach the detectors (not for its checkpoint, which goes through the ingest writer). */
  async fed(): Promise<void> {
    await this.pipeline;
  }

  /** Wait for every queued batch, and for its checkpoint to be on disk. */
  async drain(): Promise<void> {
    await this.pipeline;
    await this.durable;
    await this.checkpoint.saving;
  }

  /** Re-feed events stored after the last checkpoint (after a crash); returns how many. */
  async recover(): Promise<number> {
    const cp = await this.db.selectFrom('checkpoints').select('value').where('name', '=', CHECKPOINT).executeTakeFirst();
    if (!cp) {
      // First start on this store: history from before it is not alerted on.
      const max = await this.db.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
      await this.save(Number(max?.m ?? 0));
      return 0;
    }
    const rows = await this.db.selectFrom('events').selectAll().where('seq', '>', cp.value).orderBy('seq').execute();
    if (!rows.length) return 0;
    const events: StoredEvent[] = rows.map((r) => ({ ...rowToEvent(r), seq: r.seq }));
    this.log.warn({ events: events.length, afterSeq: cp.value }, 'feeding events stored before an unclean stop to the detectors');
    await this.handle(events);
    return events.length;
  }

  private async run(events: StoredEvent[]): Promise<void> {
    await this.ensureHomes(events.map((e) => e.hubId));
    let last = 0;
    for (const e of events) {
      this.core.process(e);
      if (e.seq !== undefined && e.seq > last) last = e.seq;
    }
    // The next batch does not wait for these alerts (a fall behind them reaches the detectors at once);
    // only the checkpoint does, so it never passes an event whose alert is not yet on disk.
    this.durable = Promise.all([this.durable, this.alertsDurable()]).then(() => {
      if (last) this.saveLater(last);
    });
  }

  /**
   * The checkpoint is written behind the feed, coalesced: while one save is on its
   * way to disk, later batches only raise the value the next save writes. A crash
   * before it lands re-feeds a few batches at the next start, which is harmless
   * (raising an alert is idempotent for re-fed events); an fsync per batch was not.
   */
  private saveLater(value: number): void {
    const cp = this.checkpoint;
    cp.wanted = Math.max(cp.wanted, value);
    if (cp.saving) return;
    cp.saving = (async () => {
      try {
        while (cp.saved < cp.wanted) {
          const v = cp.wanted;
          await this.save(v);
          cp.saved = v;
        }
      } catch (err) {
        this.log.error({ err }, 'anomaly feed checkpoint not saved; the next start re-feeds from the last one');
      } finally {
        cp.saving = undefined;
      }
    })();
  }

  private save(value: number): Promise<void> {
    return this.writeCheckpoint(CHECKPOINT, value);
  }
}
