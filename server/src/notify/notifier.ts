import type { Logger } from 'pino';
import { newId } from '../auth/crypto.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { ChannelTable, NotificationTable } from '../db/schema.ts';
import { channelConfigOf, describeTarget } from './channels.ts';
import { PUBLIC_ONLY, type OutboundPolicy } from './outbound.ts';
import { send, type NotificationMessage, type SendResult } from './senders.ts';

/** Retry policy: attempts in all, and the first backoff (doubled each time), on the injected clock. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
}

/** The default: 6 attempts, 10 s, 20 s, 40 s, 80 s and 160 s apart. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 10_000 };

/** One delivery attempt as the API shows it. */
export interface AttemptView {
  notificationId: string;
  channel: string;
  target: string;
  change: string;
  attempt: number;
  at: string;
  status: 'delivered' | 'failed' | 'retrying';
  response: string | null;
  error: string | null;
}

/** A notification and where it stands. */
export interface NotificationView {
  id: string;
  channel: string;
  channelId: string;
  target: string;
  change: string;
  state: string;
  attempts: number;
  nextAt: string | null;
  createdAt: string;
}

/** Send function, replaceable only to count calls in benchmarks; tests use real servers. */
export type Sender = (channel: ChannelTable, message: NotificationMessage, attempt: number, now: number) => Promise<SendResult>;

/** The real sender under an outbound policy (public addresses only unless allowed). */
export function senderFor(policy: OutboundPolicy = PUBLIC_ONLY): Sender {
  return (channel, message, attempt, now) => send(channelConfigOf(channel), message, attempt, now, policy);
}

const defaultSender: Sender = senderFor();

/**
 * Outbound notifications. Jobs are queued in the transaction of the alert
 * transition that causes them, so none is lost in a crash; each is delivered on
 * its own (a slow or failing channel never holds up another, nor the
 * WebSocket, which does not pass through here), every attempt is recorded, and
 * failures are retried with exponential backoff on the injected clock. Pending
 * jobs survive a restart; the idempotency key lets the far end drop a repeat.
 */
export class Notifier {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, TimerHandle>();
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly sender: Sender = defaultSender,
  ) {}

  /** Queue one notification per channel, inside the caller's transaction; returns the ids. */
  async enqueue(trx: Db, input: { alertId: string; change: string; channels: ChannelTable[]; message: Omit<NotificationMessage, 'id'> }): Promise<string[]> {
    const now = this.clock.now();
    const ids: string[] = [];
    for (const ch of input.channels) {
      const id = newId();
      const row: NotificationTable = {
        id,
        alert_id: input.alertId,
        channel_id: ch.id,
        kind: ch.kind,
        target: describeTarget(channelConfigOf(ch)),
        change: input.change,
        payload: JSON.stringify({ id, ...input.message }),
        state: 'pending',
        attempts: 0,
        next_at: now,
        created_at: now,
        updated_at: now,
      };
      await trx.insertInto('notifications').values(row).execute();
      ids.push(id);
    }
    return ids;
  }

  /** Resume pending jobs after a start: due ones now, later ones on their timers. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.kick();
  }

  /** Start every due job not already in flight, and arm timers for later ones. */
  async kick(): Promise<void> {
    if (this.stopped) return;
    const now = this.clock.now();
    const pending = await this.db.selectFrom('notifications').selectAll().where('state', '=', 'pending').orderBy('next_at').execute();
    for (const job of pending) {
      if (this.inFlight.has(job.id)) continue;
      if ((job.next_at ?? now) <= now) this.deliver(job);
      else this.arm(job.id, job.next_at!);
    }
  }

  /** Wait for every delivery in flight (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Stop retry timers and wait for deliveries in flight; pending jobs resume at the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    await this.drain();
  }

  /** Notifications of an alert, oldest first. */
  async list(alertId: string): Promise<NotificationView[]> {
    const rows = await this.db.selectFrom('notifications').selectAll().where('alert_id', '=', alertId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      channel: r.kind,
      channelId: r.channel_id,
      target: r.target,
      change: r.change,
      state: r.state,
      attempts: r.attempts,
      nextAt: r.next_at === null || r.state !== 'pending' ? null : new Date(r.next_at).toISOString(),
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** Every delivery attempt for an alert, in order. */
  async attempts(alertId: string): Promise<AttemptView[]> {
    const rows = await this.db
      .selectFrom('notification_attempts')
      .innerJoin('notifications', 'notifications.id', 'notification_attempts.notification_id')
      .select([
        'notification_attempts.notification_id as notificationId',
        'notification_attempts.channel as channel',
        'notification_attempts.target as target',
        'notifications.change as change',
        'notification_attempts.attempt as attempt',
        'notification_attempts.at as at',
        'notification_attempts.status as status',
        'notification_attempts.response as response',
        'notification_attempts.error as error',
      ])
      .where('notification_attempts.alert_id', '=', alertId)
      .orderBy('notification_attempts.id')
      .execute();
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString(), status: r.status as AttemptView['status'] }));
  }

  /** Send one message now through this notifier's sender (and its outbound policy), not queued: a channel test. */
  async sendNow(channel: ChannelTable, message: NotificationMessage): Promise<SendResult> {
    try {
      return await this.sender(channel, message, 1, this.clock.now());
    } catch (err) {
      return { ok: false, response: null, error: String((err as Error)?.message ?? err).slice(0, 500), retry: false };
    }
  }

  private arm(jobId: string, at: number): void {
    if (this.timers.has(jobId)) return;
    const t = this.clock.setTimeout(() => {
      this.timers.delete(jobId);
      this.kick().catch((err: unknown) => this.log.error({ err }, 'notification retry failed'));
    }, Math.max(0, at - this.clock.now()));
    this.timers.set(jobId, t);
  }

  private deliver(job: NotificationTable): void {
    const p = this.attempt(job)
      .catch((err: unknown) => this.log.error({ err, notificationId: job.id }, 'notification attempt failed'))
      .finally(() => this.inFlight.delete(job.id));
    this.inFlight.set(job.id, p);
  }

  private async attempt(job: NotificationTable): Promise<void> {
    // Another kick may have seen the same row: go on only if it is still this attempt's turn.
    const fresh = await this.db.selectFrom('notifications').select(['state', 'attempts']).where('id', '=', job.id).executeTakeFirst();
    if (!fresh || fresh.state !== 'pending' || fresh.attempts !== job.attempts) return;
    const attempt = job.attempts + 1;
    const channel = await this.db.selectFrom('channels').selectAll().where('id', '=', job.channel_id).executeTakeFirst();
    const message = JSON.parse(job.payload) as NotificationMessage;
    let result: SendResult;
    if (!channel || channel.enabled !== 1) {
      result = { ok: false, response: null, error: channel ? 'channel disabled' : 'channel removed', retry: false };
    } else {
      try {
        result = await this.sender(channel, message, attempt, this.clock.now());
      } catch (err) {
        result = { ok: false, response: null, error: String((err as Error)?.message ?? err).slice(0, 500), retry: true };
      }
    }
    const now = this.clock.now();
    const again = !result.ok && result.retry && attempt < this.retry.maxAttempts;
    const nextAt = again ? now + this.retry.baseDelayMs * 2 ** (attempt - 1) : null;
    const status = result.ok ? 'delivered' : again ? 'retrying' : 'failed';
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('notification_attempts')
        .values({ notification_id: job.id, alert_id: job.alert_id, channel: job.kind, target: job.target, attempt, at: now, status, response: result.response, error: result.error })
        .execute();
      await trx
        .updateTable('notifications')
        .set({ attempts: attempt, state: result.ok ? 'delivered' : again ? 'pending' : 'failed', next_at: nextAt, updated_at: now })
        .where('id', '=', job.id)
        .execute();
    });
    if (result.ok) this.log.info({ notificationId: job.id, alertId: job.alert_id, channel: job.kind, attempt }, 'notification delivered');
    else this.log.warn({ notificationId: job.id, alertId: job.alert_id, channel: job.kind, attempt, error: result.error, retry: again }, 'notification attempt failed');
    if (nextAt !== null && !this.stopped) this.arm(job.id, nextAt);
  }
}
