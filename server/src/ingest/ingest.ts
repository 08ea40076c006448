import type { Logger } from 'pino';
import {
  HeartbeatSchema,
  HubReplySchema,
  HubStatusSchema,
  describeIssues,
  parseEventsPayload,
  parseHubJson,
  type HubReply,
  type RejectReason,
} from '../../../protocol/index.ts';
import type { EventBus } from '../bus.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { HearthEvents, StoredEvent } from '../events.ts';
import { EventWriter } from './event-writer.ts';
import type { MomentSink } from './moment-sink.ts';
import { PAYLOAD_KEEP, answerAll, clip, emptyWork, isAlarm, promised, type Answer, type PendingWork } from './moment-work.ts';
import { DEFAULT_REJECTION_LIMITS, RejectionLimiter, type RejectionLimits } from './rejection-limiter.ts';

export type { Answer } from './moment-work.ts';

/** Counters per hub, for the API and the installer's view. */
export interface HubCounters {
  accepted: number;
  duplicates: number;
  late: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Rejections over the hub's budget: counted under their reason, not stored. */
  throttled: number;
}

/** Alarm moments written in a row while routine ones wait, before one routine moment is let through. */
const URGENT_STREAK = 8;

/**
 * The longest the writer waits after an alarm moment for its alerts to be durable (`afterAlarm`), before
 * routine moments go on: a bound on what a flood of alarms can hold up, not a rule of the domain, so
 * real time, as setImmediate groups a moment.
 */
export const ALARM_HOLD_MAX_MS = 50;

/**
 * Moments handed to the writer and not yet written: one, so an alarm moment waits behind at most
 * the one under way (with two in the writer's queue it could wait behind both). The next
 * moment is handed over as soon as the one before is written, before that one is answered (PUBACKs,
 * the bus), so the writer commits while the main thread answers.
 */
export const WRITE_AHEAD = 1;

/**
 * A heartbeat waits up to this long for a moment to ride in (one that events or statuses start,
 * or one of heartbeats alone when the time is up). A hub's minute is not urgent, and 20,000 hubs
 * send 333 heartbeats a second: each in a moment of its own was most of what holding them cost.
 */
export const HEARTBEAT_GATHER_MS = 1_000;

/**
 * The ingest pipeline: parse, validate, de-duplicate on (hub, event id), store,
 * then hand the newly stored events to the anomaly core through the bus.
 *
 * Everything that arrives in one turn of the event loop is written in one
 * SQLite transaction; each submitter's promise resolves only after that commit,
 * which is what lets the broker hold a hub's PUBACK until its event is on disk.
 *
 * Alarms have a lane of their own: a message holding a fall, call, smoke or
 * water event is written in a small moment of its own, at once (a microtask,
 * not the next turn), ahead of routine moments still waiting, and so reaches
 * the detectors first. Per-sensor order is kept: a message goes to the alarm
 * lane only when no routine event of the same hub and sensor is still
 * unwritten, and routine moments taken later are written after it.
 */
export class Ingest {
  private work: PendingWork = emptyWork();
  private scheduled = false;
  /** Heartbeats are waiting for a moment (HEARTBEAT_GATHER_MS). */
  private heartbeatTimer: TimerHandle | undefined;
  /** The alarm lane's moment being gathered (written at the next microtask). */
  private urgent: PendingWork = emptyWork();
  private urgentScheduled = false;
  /** Moments taken and not yet written, by lane; the writer takes alarm moments first. */
  private readonly queued: { urgent: PendingWork[]; routine: PendingWork[] } = { urgent: [], routine: [] };
  /** Moments handed to the writer and not yet written (at most WRITE_AHEAD). */
  private inFlight = 0;
  /** Waiting for everything queued to be written (drain). */
  private idleWaiters: (() => void)[] = [];
  private urgentStreak = 0;
  private taken = 0;
  private readonly counters = new Map<string, HubCounters>();
  private readonly lateMs: number;
  /** One moment's transaction, with statements prepared once. */
  private readonly writer: EventWriter;
  /** Per-hub budgets for stored rejections, and the sampled log. */
  readonly limiter: RejectionLimiter;
  /** Called when a hub keeps sending what is rejected, over its budget (the broker disconnects it). */
  onMisbehaving: (hubId: string) => void = () => {};
  /**
   * Resolves once what the detectors make of the events just emitted is durable (app.ts: the feed,
   * then the alerts). After an alarm moment the writer waits for it (at most ALARM_HOLD_MAX_MS)
   * before the next routine moment: the fall's alert then takes the write lock at once, instead of
   * waiting for a routine commit handed over meanwhile.
   */
  afterAlarm: (() => Promise<void>) | undefined;

  constructor(
    private readonly bus: EventBus<HearthEvents>,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: { lateSeconds: number; rejectionLimits?: RejectionLimits; sink: MomentSink },
  ) {
    this.lateMs = options.lateSeconds * 1000;
    this.writer = new EventWriter(options.sink, this.lateMs, clock);
    this.limiter = new RejectionLimiter(clock, options.rejectionLimits ?? DEFAULT_REJECTION_LIMITS);
  }

  /** Take an events payload (one event or a batch); resolves once stored or set aside. */
  submitEvents(hubId: string, topic: string, payload: Buffer | string): Promise<void> {
    return new Promise<void>((resolve, reject) => this.takeEvents(hubId, topic, payload, (err) => (err ? reject(err) : resolve())));
  }

  /** As submitEvents, answering `answer` instead of a promise (the broker's hot path). */
  takeEvents(hubId: string, topic: string, payload: Buffer | string, answer: Answer): void {
    const receivedAt = this.clock.now();
    const verdicts = parseEventsPayload(payload);
    const work = this.urgentLane(hubId, verdicts) ? this.urgent : this.work;
    for (const verdict of verdicts) {
      if (verdict.ok) work.events.push({ hubId, event: verdict.event, receivedAt });
      else this.reject(hubId, topic, verdict.reason, verdict.detail, verdict.raw, work);
    }
    work.waiters.push(answer);
    if (work === this.urgent) this.kickUrgent();
    else this.kick();
  }

  /** Take a status message (or a last will). */
  submitStatus(hubId: string, topic: string, payload: Buffer | string): Promise<void> {
    const parsed = this.parseJson(hubId, topic, payload, HubStatusSchema);
    if (parsed) this.work.statuses.push({ hubId, status: parsed, at: this.clock.now() });
    return this.schedule();
  }

  /** Take a heartbeat. */
  submitHeartbeat(hubId: string, topic: string, payload: Buffer | string): Promise<void> {
    const parsed = this.parseJson(hubId, topic, payload, HeartbeatSchema);
    if (!parsed) return this.schedule(); // a refusal is answered at once
    this.work.heartbeats.push({ hubId, seq: parsed.seq, at: this.clock.now() });
    if (this.scheduled) return this.schedule(); // a moment is being gathered anyway
    // Resolved with the moment it rides in (drain() takes waiting heartbeats at once).
    const done = promised(this.work);
    this.heartbeatTimer ??= this.clock.setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.kick();
    }, HEARTBEAT_GATHER_MS);
    return done;
  }

  /** Take a reply to a command; it is not stored, only handed on. */
  submitReply(hubId: string, topic: string, payload: Buffer | string): Promise<void> {
    const parsed = this.parseJson<HubReply>(hubId, topic, payload, HubReplySchema);
    if (parsed) this.bus.emit('hub.reply', { hubId, reply: parsed });
    return this.schedule();
  }

  /** Set aside a message on a topic the protocol does not define. */
  submitUnknownTopic(hubId: string, topic: string, payload: Buffer | string): Promise<void> {
    return this.submitRejected(hubId, topic, 'HEARTH_ERR_INGEST_TOPIC', `no such channel: ${topic.slice(0, 200)}`, payload);
  }

  /** Set aside a message the broker judged already (a refused retain, a hook that failed); resolves once stored. */
  submitRejected(hubId: string, topic: string, reason: RejectReason, detail: string, payload: Buffer | string): Promise<void> {
    const text = typeof payload === 'string' ? payload.slice(0, PAYLOAD_KEEP + 1) : payload.subarray(0, PAYLOAD_KEEP * 4).toString('utf8');
    this.reject(hubId, topic, reason, detail, text);
    return this.schedule();
  }

  /** Counters of one hub, or of every hub. */
  stats(hubId?: string): Record<string, HubCounters> {
    if (hubId) return { [hubId]: this.counter(hubId) };
    return Object.fromEntries(this.counters);
  }

  /** Wait until everything submitted so far is written. */
  async drain(): Promise<void> {
    if (this.urgentScheduled || this.urgent.waiters.length) await this.schedule('urgent');
    if (this.scheduled || this.work.waiters.length) await this.schedule();
    if (this.inFlight || this.queued.urgent.length || this.queued.routine.length) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.writer.flushMarks();
  }

  /** Write a checkpoint through the ingest writer (after what it was given before), kept at the larger value. */
  checkpoint(name: string, value: number): Promise<void> {
    return this.writer.checkpoint(name, value);
  }

  /** Write everything submitted, then release the writer (its thread, if it has one). */
  async close(): Promise<void> {
    await this.drain();
    await this.writer.close();
  }

  /**
   * Whether a message goes to the alarm lane: it holds an alarm, and no routine
   * event of the same sensor is still unwritten (which it must not overtake).
   * Alarms are rare, so the routine work is scanned only when one comes.
   */
  private urgentLane(hubId: string, verdicts: ReturnType<typeof parseEventsPayload>): boolean {
    let sensors: Set<string> | undefined;
    for (const v of verdicts) {
      if (!v.ok) continue;
      if (isAlarm(v.event)) (sensors ??= new Set()).add(v.event.sensor);
    }
    if (!sensors) return false;
    for (const v of verdicts) if (v.ok) sensors.add(v.event.sensor);
    // The moments handed to the writer are not looked at: it writes them in order, so nothing overtakes them.
    const pending = [this.work, ...this.queued.routine];
    for (const w of pending) for (const e of w.events) if (e.hubId === hubId && sensors.has(e.event.sensor)) return false;
    return true;
  }

  private parseJson<T>(
    hubId: string,
    topic: string,
    payload: Buffer | string,
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } },
  ): T | null {
    const parsed = parseHubJson(payload);
    if (!parsed.ok) {
      this.reject(hubId, topic, parsed.reason, parsed.detail, parsed.text);
      return null;
    }
    const r = schema.safeParse(parsed.json);
    if (r.success) return r.data;
    this.reject(hubId, topic, 'HEARTH_ERR_INGEST_SCHEMA', describeIssues(r.error), parsed.text);
    return null;
  }

  /** Set one rejection aside: stored while the hub is within its budget, otherwise only counted. */
  private reject(hubId: string, topic: string, reason: RejectReason, detail: string, raw: unknown, work: PendingWork = this.work): void {
    const payload = clip(raw);
    const verdict = this.limiter.admit(hubId, payload.length);
    if (verdict.store) {
      work.rejections.push({ hubId, topic: topic.slice(0, 300), reason, detail, payload });
    } else {
      const c = this.counter(hubId);
      c.rejected[reason] = (c.rejected[reason] ?? 0) + 1;
      c.throttled++;
      this.sampledWarn(hubId, reason, detail);
    }
    if (verdict.disconnect) {
      this.log.warn({ hubId, throttled: this.counter(hubId).throttled }, 'hub keeps sending rejected messages over its budget; disconnecting it');
      try {
        this.onMisbehaving(hubId);
      } catch (err) {
        this.log.error({ err, hubId }, 'disconnecting a misbehaving hub failed');
      }
    }
  }

  private sampledWarn(hubId: string, reason: RejectReason, detail: string): void {
    const s = this.limiter.sample(hubId);
    if (s.log) this.log.warn({ hubId, reason, detail: detail.slice(0, 300), suppressed: s.suppressed, throttled: this.counter(hubId).throttled }, 'message rejected');
  }

  private counter(hubId: string): HubCounters {
    let c = this.counters.get(hubId);
    if (!c) this.counters.set(hubId, (c = { accepted: 0, duplicates: 0, late: 0, rejected: {}, throttled: 0 }));
    return c;
  }

  /** A promise answered with the lane's moment being gathered, which is taken in its turn. */
  private schedule(lane: 'routine' | 'urgent' = 'routine'): Promise<void> {
    const done = promised(lane === 'urgent' ? this.urgent : this.work);
    if (lane === 'urgent') this.kickUrgent();
    else this.kick();
    return done;
  }

  /** Take the routine lane's moment at the next turn of the event loop. */
  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not the injected clock: this groups one moment's writes, it is not a timer of the domain.
    setImmediate(() => {
      this.scheduled = false;
      this.take('routine');
    });
  }

  /** Take the alarm lane's moment at the next microtask: the alarm is written before the event loop reads the next socket. */
  private kickUrgent(): void {
    if (this.urgentScheduled) return;
    this.urgentScheduled = true;
    queueMicrotask(() => {
      this.urgentScheduled = false;
      this.take('urgent');
    });
  }

  /** The lane's moment is complete: queue it to be written, in the order taken, and start the writer. */
  private take(lane: 'routine' | 'urgent'): void {
    const work = lane === 'urgent' ? this.urgent : this.work;
    if (lane === 'urgent') this.urgent = emptyWork();
    else {
      this.work = emptyWork();
      // The heartbeats waiting ride in this moment.
      if (this.heartbeatTimer) this.clock.clearTimeout(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
    }
    work.taken = ++this.taken;
    this.queued[lane].push(work);
    this.pump();
  }

  /**
   * Hand queued moments to the writer, up to WRITE_AHEAD at a time, alarm moments first. After
   * URGENT_STREAK alarm moments in a row, a routine moment taken before the next alarm one is
   * let through, so a flood of alarms cannot starve routine work; one taken after it never
   * overtakes it (it may hold the same sensor's later events). The writer answers them in the
   * order handed (one transaction each), and each is answered here in that order.
   */
  private pump(): void {
    const q = this.queued;
    while (this.inFlight < WRITE_AHEAD && (q.urgent.length || q.routine.length)) {
      const u = q.urgent[0];
      const fair = u !== undefined && this.urgentStreak >= URGENT_STREAK && q.routine.length > 0 && q.routine[0]!.taken < u.taken;
      const urgentFirst = u !== undefined && !fair;
      const work = urgentFirst ? q.urgent.shift()! : q.routine.shift()!;
      this.urgentStreak = urgentFirst ? this.urgentStreak + 1 : 0;
      this.inFlight++;
      // flush hands the moment to the writer before its first await, so moments reach it in this order;
      // once it is written (or failed), the next is handed over before this one is answered.
      let freed = false;
      const free = (): void => {
        if (freed) return;
        freed = true;
        this.inFlight--;
        this.pump();
      };
      void this.flush(work, free, urgentFirst)
        .catch((err: unknown) => this.log.error({ err }, 'answering an ingest moment failed'))
        .finally(() => {
          free();
          if (this.inFlight === 0 && !q.urgent.length && !q.routine.length) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  /**
   * Write one moment; `written` is called once it is committed (or failed), before it is answered;
   * for an alarm moment that stored something, with no other alarm moment waiting, once its alerts
   * are durable too (afterAlarm).
   */
  private async flush(work: PendingWork, written: () => void, alarm: boolean): Promise<void> {
    let stored: StoredEvent[] = [];
    try {
      stored = await this.write(work);
    } catch (err) {
      written();
      this.log.error({ err }, 'ingest write failed; hubs will re-send');
      answerAll(work, err instanceof Error ? err : new Error(String(err)), this.log);
      return;
    }
    // Not while other alarm moments wait: under a flood of alarms the hold would only slow the lane.
    const hold = alarm && stored.length > 0 && this.queued.urgent.length === 0 ? this.afterAlarm : undefined;
    if (!hold) written();
    answerAll(work, null, this.log);
    for (const r of work.rejections) {
      const c = this.counter(r.hubId);
      c.rejected[r.reason] = (c.rejected[r.reason] ?? 0) + 1;
      this.sampledWarn(r.hubId, r.reason, r.detail);
    }
    for (const s of work.statuses) this.bus.emit('hub.status', { hubId: s.hubId, status: s.status, at: s.at });
    for (const h of work.heartbeats) this.bus.emit('hub.heartbeat', { hubId: h.hubId, seq: h.seq, at: h.at });
    if (stored.length) this.bus.emit('events.stored', stored);
    if (work.rejections.length) this.bus.emit('ingest.rejected', work.rejections.map((r) => ({ hubId: r.hubId, reason: r.reason, detail: r.detail })));
    if (hold) await this.holdFor(hold, written);
  }

  /** Keep the writer for `hold` (at most ALARM_HOLD_MAX_MS), then free it, whatever the outcome. */
  private async holdFor(hold: () => Promise<void>, written: () => void): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([hold(), new Promise<void>((resolve) => (timer = setTimeout(resolve, ALARM_HOLD_MAX_MS)))]);
    } catch (err) {
      this.log.error({ err }, 'waiting for an alarm moment\'s alerts failed');
    } finally {
      clearTimeout(timer);
      written();
    }
  }

  /** One transaction for one moment's work (event-writer.ts); returns the events that were new. */
  private async write(work: PendingWork): Promise<StoredEvent[]> {
    const { stored, duplicates } = await this.writer.write(work);
    for (const [hubId, n] of duplicates) this.counter(hubId).duplicates += n;
    for (const e of stored) {
      const c = this.counter(e.hubId);
      c.accepted++;
      if (e.late) c.late++;
    }
    return stored;
  }
}
