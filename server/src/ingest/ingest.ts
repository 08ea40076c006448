import { sql } from 'kysely';
import type { Logger } from 'pino';
import {
  HeartbeatSchema,
  HubReplySchema,
  HubStatusSchema,
  describeIssues,
  parseEventsPayload,
  type HubEvent,
  type HubReply,
  type HubStatus,
  type RejectReason,
} from '../../../protocol/index.ts';
import type { EventBus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { HearthEvents, StoredEvent } from '../events.ts';

const PAYLOAD_KEEP = 4096;
const ROWS_PER_INSERT = 400; // 9 columns each: well under SQLite's 32,766 bound parameters

/** A message set aside, before it is written. */
interface PendingRejection {
  hubId: string;
  topic: string;
  reason: RejectReason;
  detail: string;
  payload: string;
}

interface PendingWork {
  events: { hubId: string; event: HubEvent; receivedAt: number }[];
  rejections: PendingRejection[];
  statuses: { hubId: string; status: HubStatus; at: number }[];
  heartbeats: { hubId: string; seq: number; at: number }[];
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

/** Counters per hub, for the API and the installer's view. */
export interface HubCounters {
  accepted: number;
  duplicates: number;
  late: number;
  rejected: Partial<Record<RejectReason, number>>;
}

function emptyWork(): PendingWork {
  return { events: [], rejections: [], statuses: [], heartbeats: [], waiters: [] };
}

function clip(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > PAYLOAD_KEEP ? `${text.slice(0, PAYLOAD_KEEP)}…(${text.length} chars)` : text;
}

/**
 * The ingest pipeline: parse, validate, de-duplicate on (hub, event id), store,
 * then hand the newly stored events to the anomaly core through the bus.
 *
 * Everything that arrives in one turn of the event loop is written in one
 * SQLite transaction; each submitter's promise resolves only after that commit,
 * which is what lets the broker hold a hub's PUBACK until its event is on disk.
 */
export class Ingest {
  private work: PendingWork = emptyWork();
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly counters = new Map<string, HubCounters>();
  private readonly lateMs: number;
  /** The next arrival sequence number; read from the store before the first write. */
  private nextSeq: number | undefined;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus<HearthEvents>,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: { lateSeconds: number },
  ) {
    this.lateMs = options.lateSeconds * 1000;
  }

  /** Take an events payload (one event or a batch); resolves once stored or set aside. */
  submitEvents(hubId: string, topic: string, payload: Buffer | string): Promise<void> {
    const receivedAt = this.clock.now();
    for (const verdict of parseEventsPayload(payload)) {
      if (verdict.ok) this.work.events.push({ hubId, event: verdict.event, receivedAt });
      else this.work.rejections.push({ hubId, topic, reason: verdict.reason, detail: verdict.detail, payload: clip(verdict.raw) });
    }
    return this.schedule();
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
    if (parsed) this.work.heartbeats.push({ hubId, seq: parsed.seq, at: this.clock.now() });
    return this.schedule();
  }

  /** Take a reply to a command; it is not stored, only handed on. */
  submitReply(hubId: string, topic: string, payload: Buffer | string): Promise<void> {
    const parsed = this.parseJson<HubReply>(hubId, topic, payload, HubReplySchema);
    if (parsed) this.bus.emit('hub.reply', { hubId, reply: parsed });
    return this.schedule();
  }

  /** Set aside a message on a topic the protocol does not define. */
  submitUnknownTopic(hubId: string, topic: string, payload: Buffer | string): Promise<void> {
    this.work.rejections.push({ hubId, topic, reason: 'HEARTH_ERR_INGEST_TOPIC', detail: `no such channel: ${topic}`, payload: clip(payload.toString()) });
    return this.schedule();
  }

  /** Counters of one hub, or of every hub. */
  stats(hubId?: string): Record<string, HubCounters> {
    if (hubId) return { [hubId]: this.counter(hubId) };
    return Object.fromEntries(this.counters);
  }

  /** Wait until everything submitted so far is written. */
  async drain(): Promise<void> {
    if (this.scheduled || this.work.waiters.length) await this.schedule();
    await this.chain;
  }

  private parseJson<T>(
    hubId: string,
    topic: string,
    payload: Buffer | string,
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } },
  ): T | null {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch (err) {
      this.work.rejections.push({ hubId, topic, reason: 'HEARTH_ERR_INGEST_JSON', detail: `not valid JSON: ${(err as Error).message}`, payload: clip(payload.toString()) });
      return null;
    }
    const r = schema.safeParse(json);
    if (r.success) return r.data;
    this.work.rejections.push({ hubId, topic, reason: 'HEARTH_ERR_INGEST_SCHEMA', detail: describeIssues(r.error), payload: clip(json) });
    return null;
  }

  private counter(hubId: string): HubCounters {
    let c = this.counters.get(hubId);
    if (!c) this.counters.set(hubId, (c = { accepted: 0, duplicates: 0, late: 0, rejected: {} }));
    return c;
  }

  private schedule(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.work.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate, not the injected clock: this groups one moment's writes, it is not a timer of the domain.
      setImmediate(() => {
        this.scheduled = false;
        const work = this.work;
        this.work = emptyWork();
        this.chain = this.chain.then(() => this.flush(work));
      });
    }
    return done;
  }

  private async flush(work: PendingWork): Promise<void> {
    let stored: StoredEvent[] = [];
    try {
      stored = await this.write(work);
    } catch (err) {
      this.log.error({ err }, 'ingest write failed; hubs will re-send');
      for (const w of work.waiters) w.reject(err);
      return;
    }
    for (const w of work.waiters) w.resolve();
    for (const r of work.rejections) {
      const c = this.counter(r.hubId);
      c.rejected[r.reason] = (c.rejected[r.reason] ?? 0) + 1;
      this.log.warn({ hubId: r.hubId, reason: r.reason, detail: r.detail }, 'message rejected');
    }
    for (const s of work.statuses) this.bus.emit('hub.status', { hubId: s.hubId, status: s.status, at: s.at });
    for (const h of work.heartbeats) this.bus.emit('hub.heartbeat', { hubId: h.hubId, seq: h.seq, at: h.at });
    if (stored.length) this.bus.emit('events.stored', stored);
    if (work.rejections.length) this.bus.emit('ingest.rejected', work.rejections.map((r) => ({ hubId: r.hubId, reason: r.reason, detail: r.detail })));
  }

  /** One transaction for one moment's work; returns the events that were new. */
  private async write(work: PendingWork): Promise<StoredEvent[]> {
    const candidates = work.events.map(({ hubId, event, receivedAt }) => {
      const ts = Date.parse(event.ts);
      return { hubId, event, receivedAt, ts, late: receivedAt - ts > this.lateMs };
    });
    return this.db.transaction().execute(async (trx) => {
      if (this.nextSeq === undefined) {
        const max = await trx.selectFrom('events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
        this.nextSeq = Number(max?.m ?? 0) + 1;
      }
      const firstSeq = this.nextSeq;
      const inserted = new Map<string, number>();
      for (let i = 0; i < candidates.length; i += ROWS_PER_INSERT) {
        const chunk = candidates.slice(i, i + ROWS_PER_INSERT);
        const rows = await trx
          .insertInto('events')
          .values(
            chunk.map((c, j) => ({
              seq: firstSeq + i + j,
              hub_id: c.hubId,
              event_id: c.event.id,
              ts: c.ts,
              received_at: c.receivedAt,
              sensor: c.event.sensor,
              type: c.event.type,
              value: JSON.stringify(c.event.value),
              battery: c.event.battery ?? null,
              late: c.late ? 1 : 0,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .returning(['hub_id', 'event_id', 'seq'])
          .execute();
        for (const r of rows) inserted.set(`${r.hub_id}\u0000${r.event_id}`, r.seq);
      }
      if (work.rejections.length) {
        await trx
          .insertInto('rejections')
          .values(work.rejections.map((r) => ({ hub_id: r.hubId, received_at: this.clock.now(), topic: r.topic, reason: r.reason, detail: r.detail, payload: r.payload })))
          .execute();
      }
      // Every sensor seen is recorded, commissioned or not: the installer sees the ones still to place.
      const seen = new Map<string, { hubId: string; sensor: string; type: string; at: number; battery: number | null }>();
      for (const c of candidates) {
        const key = `${c.hubId}\u0000${c.event.sensor}`;
        const prev = seen.get(key);
        if (!prev || prev.at <= c.ts) {
          seen.set(key, { hubId: c.hubId, sensor: c.event.sensor, type: c.event.type, at: c.ts, battery: c.event.battery ?? (c.event.type === 'battery' ? (c.event.value as number) : prev?.battery ?? null) });
        }
      }
      if (seen.size) {
        await trx
          .insertInto('sensors')
          .values([...seen.values()].map((s) => ({ hub_id: s.hubId, sensor_id: s.sensor, type: s.type, room: null, role: null, commissioned: 0, first_seen_at: s.at, last_seen_at: s.at, battery: s.battery })))
          .onConflict((oc) =>
            oc.columns(['hub_id', 'sensor_id']).doUpdateSet({
              first_seen_at: sql`min(coalesce(sensors.first_seen_at, excluded.first_seen_at), excluded.first_seen_at)`,
              last_seen_at: sql`max(coalesce(sensors.last_seen_at, 0), excluded.last_seen_at)`,
              battery: sql`coalesce(excluded.battery, sensors.battery)`,
            }),
          )
          .execute();
      }
      const lastSeen = new Map<string, number>();
      for (const c of candidates) lastSeen.set(c.hubId, c.receivedAt);
      for (const h of work.heartbeats) lastSeen.set(h.hubId, h.at);
      for (const s of work.statuses) {
        await trx
          .updateTable('hubs')
          .set({ status: s.status.state, status_at: s.at, firmware: s.status.firmware ?? null, power: s.status.power ?? null })
          .where('id', '=', s.hubId)
          .execute();
      }
      for (const h of work.heartbeats) {
        await trx.updateTable('hubs').set({ last_heartbeat_seq: h.seq }).where('id', '=', h.hubId).execute();
      }
      for (const [hubId, at] of lastSeen) {
        await trx.updateTable('hubs').set({ last_seen_at: at }).where('id', '=', hubId).execute();
      }

      const stored: StoredEvent[] = [];
      for (const c of candidates) {
        const counter = this.counter(c.hubId);
        const key = `${c.hubId}\u0000${c.event.id}`;
        const seq = inserted.get(key);
        if (seq === undefined) {
          counter.duplicates++;
          continue;
        }
        inserted.delete(key);
        counter.accepted++;
        if (c.late) counter.late++;
        stored.push({ hubId: c.hubId, id: c.event.id, ts: c.ts, receivedAt: c.receivedAt, sensor: c.event.sensor, type: c.event.type, value: c.event.value, battery: c.event.battery ?? null, late: c.late, seq });
      }
      // Sequence numbers of duplicates are skipped, not reused: gaps are harmless, order is what matters.
      this.nextSeq = firstSeq + candidates.length;
      return stored;
    });
  }
}
