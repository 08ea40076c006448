import type { HubEvent, HubStatus } from '../../../protocol/index.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { StoredEvent } from '../events.ts';
import type { MomentSink } from './moment-sink.ts';
import { EVENT_FIELDS, type PackedMoment } from './moment-store.ts';

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

/**
 * Writes one moment of ingest in one SQLite transaction: the hottest path of
 * the server. The rows are packed here and stored by a sink (moment-sink.ts):
 * on a writer thread with a connection of its own, or on the main connection.
 * Durability is unchanged: WAL with synchronous=FULL, and the caller
 * acknowledges nothing until the write resolves.
 */
export class EventWriter {
  /** Heartbeats not yet written: the latest per hub. */
  private readonly marks = new Map<string, MomentWork['heartbeats'][number]>();
  private marksTimer: TimerHandle | undefined;

  constructor(
    private readonly sink: MomentSink,
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
    return this.writeNow({ ...work, heartbeats: this.takeMarks(work.heartbeats) });
  }

  /** Write the heartbeat marks still waiting (at stop, and by the timer). */
  async flushMarks(): Promise<void> {
    if (this.marks.size === 0) return;
    await this.writeNow({ events: [], rejections: [], statuses: [], heartbeats: this.takeMarks([]) });
  }

  /** Write a checkpoint (kept at the larger value) through the same sink, after the moments sent before it. */
  async checkpoint(name: string, value: number): Promise<void> {
    await this.sink.write({ events: [], rejections: [], statuses: [], heartbeats: [], checkpoints: [[name, value, this.clock.now()]] });
  }

  /** Write what is still waiting, and release the sink. */
  async close(): Promise<void> {
    await this.flushMarks();
    await this.sink.close();
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

  private async writeNow(work: MomentWork): Promise<MomentResult> {
    const n = work.events.length;
    // Filled by push, not by index into `new Array(n)`: a holey array is cloned to the writer thread
    // as a sparse one, key by key, which cost several times the packed array's copy (docs/benchmarks.md).
    const events: PackedMoment['events'] = [];
    const ts = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const { hubId, event, receivedAt } = work.events[i]!;
      const t = (ts[i] = Date.parse(event.ts));
      const battery = event.battery ?? null;
      events.push(
        hubId,
        event.id,
        t,
        receivedAt,
        event.sensor,
        event.type,
        JSON.stringify(event.value),
        battery,
        receivedAt - t > this.lateMs ? 1 : 0, // read back below: the late flag is decided once
        battery ?? (event.type === 'battery' ? (event.value as number) : null),
      );
    }
    const at = this.clock.now();
    const { firstSeq, inserted } = await this.sink.write({
      events,
      rejections: work.rejections.map((r) => [r.hubId, at, r.topic, r.reason, r.detail, r.payload]),
      statuses: work.statuses.map((st) => [st.status.state, st.at, st.status.firmware ?? null, st.status.power ?? null, st.hubId]),
      heartbeats: work.heartbeats.map((h) => [h.hubId, h.seq, h.at]),
      checkpoints: [],
    });
    const stored: StoredEvent[] = [];
    const duplicates = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const { hubId, event, receivedAt } = work.events[i]!;
      if (inserted[i] === 0) {
        duplicates.set(hubId, (duplicates.get(hubId) ?? 0) + 1);
        continue;
      }
      const o = i * EVENT_FIELDS;
      stored.push({ hubId, id: event.id, ts: ts[i]!, receivedAt, sensor: event.sensor, type: event.type, value: event.value, battery: events[o + 7] as number | null, late: events[o + 8] === 1, seq: firstSeq + i });
    }
    return { stored, duplicates };
  }
}
