import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { DeadlineKind } from './table.ts';

/** A pending deadline. */
export interface PendingDeadline {
  id: number;
  alertId: string;
  kind: DeadlineKind;
  dueAt: number;
}

/**
 * Persisted deadlines driven by the injected clock. Rows are written in the
 * transaction of the transition that starts or stops a clock; this class arms
 * one timer per due time and, when one fires, hands every deadline then due
 * to `fire` (the alert service, which marks each fired in the same
 * transaction that records its effect, so none fires twice). On start,
 * deadlines that passed while the server was down fire at once.
 */
export class Deadlines {
  private readonly timers = new Map<number, TimerHandle>();
  /** Due times added by transactions since the last commit, armed by armAdded(). */
  private added: number[] = [];
  private running: Promise<void> = Promise.resolve();
  private stopped = true;
  private fire: (upTo: number) => Promise<void> = async () => undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Set what fires due deadlines (the alert service). */
  onFire(fn: (upTo: number) => Promise<void>): void {
    this.fire = fn;
  }

  /** Inside a transaction: start a deadline (a second start of the same kind for the same alert is ignored). */
  async add(trx: Db, alertId: string, kind: DeadlineKind, dueAt: number): Promise<void> {
    await trx
      .insertInto('deadlines')
      .values({ alert_id: alertId, kind, due_at: dueAt, created_at: this.clock.now(), fired_at: null, cancelled_at: null })
      .onConflict((oc) => oc.columns(['alert_id', 'kind']).doNothing())
      .execute();
    this.added.push(dueAt);
  }

  /** Inside a transaction: stop an alert's pending deadlines of the given kinds (all when none given). */
  async cancel(trx: Db, alertId: string, kinds?: readonly DeadlineKind[]): Promise<void> {
    let q = trx.updateTable('deadlines').set({ cancelled_at: this.clock.now() }).where('alert_id', '=', alertId).where('fired_at', 'is', null).where('cancelled_at', 'is', null);
    if (kinds) q = q.where('kind', 'in', [...kinds]);
    await q.execute();
  }

  /** Inside a transaction: claim a due deadline; false when it already fired or was cancelled. */
  async claim(trx: Db, id: number, at: number): Promise<boolean> {
    const r = await trx.updateTable('deadlines').set({ fired_at: at }).where('id', '=', id).where('fired_at', 'is', null).where('cancelled_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Pending deadlines due at or before `upTo`, earliest first. */
  async due(db: Db, upTo: number): Promise<PendingDeadline[]> {
    const rows = await db
      .selectFrom('deadlines')
      .select(['id', 'alert_id', 'kind', 'due_at'])
      .where('fired_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .where('due_at', '<=', upTo)
      .orderBy('due_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, alertId: r.alert_id, kind: r.kind as DeadlineKind, dueAt: r.due_at }));
  }

  /** Fire what is overdue (passed while down), then arm timers for the rest. */
  async start(): Promise<void> {
    this.stopped = false;
    this.run(this.clock.now());
    await this.running;
    await this.armPending();
  }

  /**
   * Right after a commit: arm timers for the deadlines it added. Synchronous, so
   * the timers exist before the caller answers (a test may move virtual time at once).
   */
  armAdded(): void {
    const due = this.added;
    this.added = [];
    if (this.stopped) return;
    for (const at of due) this.arm(at);
  }

  /** Arm timers for every pending deadline (at start). */
  async armPending(): Promise<void> {
    if (this.stopped) return;
    const rows = await this.db.selectFrom('deadlines').select('due_at').distinct().where('fired_at', 'is', null).where('cancelled_at', 'is', null).execute();
    for (const r of rows) this.arm(r.due_at);
  }

  /** Wait until every firing started so far is done. */
  async drain(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.running) {
      last = this.running;
      await last;
    }
  }

  /** Clear the timers (pending deadlines stay in the database for the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    await this.drain();
  }

  private arm(dueAt: number): void {
    if (this.timers.has(dueAt)) return;
    const t = this.clock.setTimeout(
      () => {
        this.timers.delete(dueAt);
        // The time the timer fired, taken now: in virtual time the clock may have moved on before the work runs.
        this.run(Math.max(dueAt, this.clock.now()));
      },
      Math.max(0, dueAt - this.clock.now()),
    );
    this.timers.set(dueAt, t);
  }

  private run(upTo: number): void {
    this.running = this.running
      .then(() => this.fire(upTo))
      .catch((err: unknown) => this.log.error({ err }, 'deadline firing failed'));
  }
}
