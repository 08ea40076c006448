import type SQLite from 'better-sqlite3';
import type { HubEvent, HubStatus } from '../../../protocol/index.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { StoredEvent } from '../events.ts';

/** One moment's work, as the writer needs it. */
export interface MomentWork {
  events: { hubId: string; event: HubEvent; receivedAt: number }[];
  rejections: { hubId: string; topic: string; reason: string; detail: string; payload: string }[];
  statuses: { hubId: string; status: HubStatus; at: number }[];
  heartbeats: { hubId: string; seq: number; at: number }[];
}

/** What one moment's transaction wrote: the new events, and the repeats by hub. */
export interface MomentResult {
  stored: StoredEvent[];
  duplicates: Map<string, number>;
}

type Statements = ReturnType<typeof prepare>;

function prepare(raw: SQLite.Database) {
  return {
    maxSeq: raw.prepare<[], { m: number | null }>('SELECT max(seq) AS m FROM events'),
    event: raw.prepare(
      'INSERT INTO events (seq, hub_id, event_id, ts, received_at, sensor, type, value, battery, late) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    rejection: raw.prepare('INSERT INTO rejections (hub_id, received_at, topic, reason, detail, payload) VALUES (?, ?, ?, ?, ?, ?)'),
    // Every sensor seen is recorded, commissioned or not: the installer sees the ones still to place.
    sensor: raw.prepare(
      `INSERT INTO sensors (hub_id, sensor_id, type, room, role, commissioned, first_seen_at, last_seen_at, battery)
       VALUES (?, ?, ?, NULL, NULL, 0, ?, ?, ?)
       ON CONFLICT (hub_id, sensor_id) DO UPDATE SET
         first_seen_at = min(coalesce(sensors.first_seen_at, excluded.first_seen_at), excluded.first_seen_at),
         last_seen_at = max(coalesce(sensors.last_seen_at, 0), excluded.last_seen_at),
         battery = coalesce(excluded.battery, sensors.battery)`,
    ),
    status: raw.prepare('UPDATE hubs SET status = ?, status_at = ?, firmware = ?, power = ? WHERE id = ?'),
    heartbeat: raw.prepare('UPDATE hubs SET last_heartbeat_seq = ? WHERE id = ?'),
    lastSeen: raw.prepare('UPDATE hubs SET last_seen_at = ? WHERE id = ?'),
  };
}

/**
 * Writes one moment of ingest in one SQLite transaction with statements
 * prepared once: the hottest path of the server, where building and
 * compiling a query per moment (kysely) cost more than the rows themselves.
 *
 * better-sqlite3 is synchronous, so the transaction runs while holding
 * kysely's single connection (`db.connection()`): no other query can
 * interleave with it, nor can it join another part's open transaction.
 * Durability is unchanged: WAL with synchronous=FULL, and the caller
 * acknowledges nothing until this returns.
 */
export class EventWriter {
  private statements: Statements | undefined;
  /** The next arrival sequence number; read from the store before the first write. */
  private nextSeq: number | undefined;
  /** Heartbeats not yet written: the latest per hub. */
  private readonly marks = new Map<string, MomentWork['heartbeats'][number]>();
  private marksTimer: TimerHandle | undefined;

  constructor(
    private readonly db: Db,
    private readonly raw: SQLite.Database,
    private readonly lateMs: number,
    private readonly clock: Clock,
    /** How long a heartbeat's last-seen mark may wait for a write to ride on. */
    private readonly marksDelayMs = 15_000,
  ) {}

  /**
   * Write a moment's work; resolves after the commit. A moment of heartbeats
   * alone is not written at once: heartbeats are QoS 0 and acknowledge
   * nothing, and an fsync for each one was most of what 20,000 hubs cost.
   * Their marks (last seen, heartbeat number) ride on the next write, or are
   * written within marksDelayMs. Liveness itself goes by the bus, at once.
   */
  write(work: MomentWork): Promise<MomentResult> {
    if (work.events.length === 0 && work.rejections.length === 0 && work.statuses.length === 0) {
      for (const h of work.heartbeats) this.marks.set(h.hubId, h);
      this.marksTimer ??= this.clock.setTimeout(() => {
        this.marksTimer = undefined;
        this.flushMarks().catch(() => {
          // Written with the next moment instead.
        });
      }, this.marksDelayMs);
      return Promise.resolve({ stored: [], duplicates: new Map() });
    }
    return this.db.connection().execute(async () => this.writeNow({ ...work, heartbeats: this.takeMarks(work.heartbeats) }));
  }

  /** Write the heartbeat marks still waiting (at stop, and by the timer). */
  async flushMarks(): Promise<void> {
    if (this.marks.size === 0) return;
    await this.db.connection().execute(async () => this.writeNow({ events: [], rejections: [], statuses: [], heartbeats: this.takeMarks([]) }));
  }

  private takeMarks(extra: MomentWork['heartbeats']): MomentWork['heartbeats'] {
    if (this.marks.size === 0) return extra;
    for (const h of extra) this.marks.set(h.hubId, h);
    const all = [...this.marks.values()];
    this.marks.clear();
    if (this.marksTimer) this.clock.clearTimeout(this.marksTimer);
    this.marksTimer = undefined;
    return all;
  }

  private writeNow(work: MomentWork): MomentResult {
    const s = (this.statements ??= prepare(this.raw));
    const run = this.raw.transaction((): MomentResult => {
      if (this.nextSeq === undefined) this.nextSeq = Number(s.maxSeq.get()?.m ?? 0) + 1;
      const firstSeq = this.nextSeq;
      const stored: StoredEvent[] = [];
      const duplicates = new Map<string, number>();
      const seen = new Map<string, { hubId: string; sensor: string; type: string; at: number; battery: number | null }>();
      const lastSeen = new Map<string, number>();
      for (let i = 0; i < work.events.length; i++) {
        const { hubId, event, receivedAt } = work.events[i]!;
        const ts = Date.parse(event.ts);
        const late = receivedAt - ts > this.lateMs;
        const battery = event.battery ?? null;
        // Sequence numbers of duplicates are skipped, not reused: gaps are harmless, order is what matters.
        const seq = firstSeq + i;
        const r = s.event.run(seq, hubId, event.id, ts, receivedAt, event.sensor, event.type, JSON.stringify(event.value), battery, late ? 1 : 0);
        if (r.changes === 0) duplicates.set(hubId, (duplicates.get(hubId) ?? 0) + 1);
        else stored.push({ hubId, id: event.id, ts, receivedAt, sensor: event.sensor, type: event.type, value: event.value, battery, late, seq });
        lastSeen.set(hubId, receivedAt);
        const key = `${hubId}\u0000${event.sensor}`;
        const prev = seen.get(key);
        if (!prev || prev.at <= ts) {
          seen.set(key, { hubId, sensor: event.sensor, type: event.type, at: ts, battery: battery ?? (event.type === 'battery' ? (event.value as number) : (prev?.battery ?? null)) });
        }
      }
      this.nextSeq = firstSeq + work.events.length;
      const at = this.clock.now();
      for (const r of work.rejections) s.rejection.run(r.hubId, at, r.topic, r.reason, r.detail, r.payload);
      for (const v of seen.values()) s.sensor.run(v.hubId, v.sensor, v.type, v.at, v.at, v.battery);
      for (const h of work.heartbeats) lastSeen.set(h.hubId, h.at);
      for (const st of work.statuses) s.status.run(st.status.state, st.at, st.status.firmware ?? null, st.status.power ?? null, st.hubId);
      for (const h of work.heartbeats) s.heartbeat.run(h.seq, h.hubId);
      for (const [hubId, t] of lastSeen) s.lastSeen.run(t, hubId);
      return { stored, duplicates };
    });
    try {
      return run();
    } catch (err) {
      // The transaction rolled back: the sequence number is read again, so none is skipped twice.
      this.nextSeq = undefined;
      throw err;
    }
  }
}
