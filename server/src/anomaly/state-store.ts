import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { StoredEvent } from '../events.ts';
import { rowToEvent } from '../store/sqlite-store.ts';
import { SNAPSHOT_VERSION, type AnomalyCore } from './core.ts';
import { FEED_CHECKPOINT } from '../ingest/core-feed.ts';

/** How often the live server saves the homes whose detector state changed. */
export const SNAPSHOT_EVERY_MS = 15 * 60_000;

/** What a start found in the store. */
export interface RestoreReport {
  /** Homes whose saved state was taken back. */
  restored: number;
  /** Rows set aside: unreadable JSON, another version, or a hub no longer commissioned. */
  ignored: number;
  /** Events re-fed (signals dropped) to homes whose snapshot predated the feed's checkpoint. */
  caughtUp: number;
}

/** Options of the detector state store. */
export interface DetectorStateStoreOptions {
  db: Db;
  core: AnomalyCore;
  clock: Clock;
  log: Logger;
  /** Resolves once every alert signal emitted so far is durable. */
  alertsDurable: () => Promise<void>;
  everyMs?: number;
}

/**
 * Keeps each home's detector state (learned norms, pending conditions) in the
 * `detector_state` table, so a restart carries on where it was. Saves the homes
 * that changed every 15 minutes on the injected clock, and at stop; restores at
 * start, before the feed's recovery.
 *
 * The rule that keeps the snapshot and CoreFeed's checkpoint in agreement: a
 * snapshot records the highest event sequence number S its home had been fed,
 * and is written only after every signal emitted before it was taken is durable.
 * At start, with checkpoint C: events of the home up to S are in the snapshot,
 * so the core skips them when `recover()` re-feeds events after C; events in
 * (S, C] were handled before the stop but are not in the snapshot, so they are
 * re-fed here first with their signals dropped (their alerts are stored already).
 */
export class DetectorStateStore {
  private timer: TimerHandle | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DetectorStateStoreOptions) {}

  /** Take back every saved home's state, then catch up what the snapshots missed. Call after the homes are loaded. */
  async restoreAll(): Promise<RestoreReport> {
    const { db, core, log } = this.options;
    const rows = await db.selectFrom('detector_state').selectAll().execute();
    const report: RestoreReport = { restored: 0, ignored: 0, caughtUp: 0 };
    const behind: { hubId: string; seq: number }[] = [];
    for (const row of rows) {
      let state: unknown;
      try {
        state = JSON.parse(row.state);
      } catch {
        // The content is health data: the hub and the fault, never the text.
        log.warn({ hubId: row.hub_id, savedAt: new Date(row.saved_at).toISOString() }, 'detector snapshot unreadable (bad JSON); the home starts from its plan');
        report.ignored++;
        continue;
      }
      if (row.version !== SNAPSHOT_VERSION) {
        log.warn({ hubId: row.hub_id, version: row.version, expected: SNAPSHOT_VERSION }, 'detector snapshot of another version ignored; the home starts from its plan');
        report.ignored++;
        continue;
      }
      if (!core.restoreHome(row.hub_id, state, row.saved_at)) {
        report.ignored++;
        continue;
      }
      report.restored++;
      behind.push({ hubId: row.hub_id, seq: row.seq });
    }
    const cp = await db.selectFrom('checkpoints').select('value').where('name', '=', FEED_CHECKPOINT).executeTakeFirst();
    if (cp) {
      for (const { hubId, seq } of behind) {
        if (seq >= cp.value) continue;
        const events: StoredEvent[] = (
          await db.selectFrom('events').selectAll().where('hub_id', '=', hubId).where('seq', '>', seq).where('seq', '<=', cp.value).orderBy('seq').execute()
        ).map((r) => ({ ...rowToEvent(r), seq: r.seq }));
        if (!events.length) continue;
        core.catchUp(events);
        report.caughtUp += events.length;
      }
    }
    if (rows.length) log.info(report, 'detector state restored');
    return report;
  }

  /** Save changed homes every `everyMs` on the injected clock. */
  start(): void {
    const every = this.options.everyMs ?? SNAPSHOT_EVERY_MS;
    const loop = (): void => {
      this.save().catch((err: unknown) => this.options.log.error({ err }, 'saving detector state failed; will retry'));
      this.timer = this.options.clock.setTimeout(loop, every);
    };
    this.timer = this.options.clock.setTimeout(loop, every);
  }

  /** Stop the periodic saves and save once more (call after the feed and alerts have drained). */
  async stop(): Promise<void> {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    // Forced: every row is confirmed as of the stop, so the next start knows how long it was down.
    await this.save(true);
  }

  /** Wait for saves under way (tests). */
  async drain(): Promise<void> {
    await this.chain;
  }

  /** Save every home whose state changed since its last save, in one transaction; returns how many. */
  save(force = false): Promise<number> {
    const run = this.chain.then(
      () => this.saveNow(force),
      () => this.saveNow(force),
    );
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async saveNow(force: boolean): Promise<number> {
    const { core, db, clock } = this.options;
    const ids = core.takeChanged();
    // Nothing changed anywhere: no write (a live server with many homes always has something).
    if (!ids.length && !force) return 0;
    // Taken at one moment (the core is synchronous), so each is a consistent picture of its home.
    const rows = ids.flatMap((hubId) => {
      const snap = core.snapshotHome(hubId);
      return snap ? [{ hub_id: hubId, version: snap.version, seq: snap.seq, state: JSON.stringify(snap), saved_at: clock.now() }] : [];
    });
    try {
      // A snapshot may say an alert was raised: it is written only once that alert is stored.
      await this.options.alertsDurable();
      await db.transaction().execute(async (trx) => {
        for (const row of rows) {
          await trx
            .insertInto('detector_state')
            .values(row)
            .onConflict((oc) => oc.column('hub_id').doUpdateSet({ version: row.version, seq: row.seq, state: row.state, saved_at: row.saved_at }))
            .execute();
        }
        // A home that did not change is still as saved: its row is confirmed as of now, so at the
        // next start `saved_at` tells the detectors how long the server was down (at most).
        await trx.updateTable('detector_state').set({ saved_at: clock.now() }).execute();
      });
    } catch (err) {
      core.markChanged(ids);
      throw err;
    }
    return rows.length;
  }
}
