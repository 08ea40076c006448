// One moment of ingest as SQL: the rows, packed so they cross to a writer thread cheaply, and the one
// transaction that stores them. Used in-process and by the writer thread (writer-thread.ts) alike.
import type SQLite from 'better-sqlite3';

/** Fields per event in `PackedMoment.events`, in this order. */
export const EVENT_FIELDS = 10;

/**
 * A moment's rows as plain values (structured-clone friendly). `events` is flat, EVENT_FIELDS per event:
 * hubId, eventId, ts, receivedAt, sensor, type, value (JSON), battery, late (0/1), and the battery
 * reading the sensor row keeps (the event's battery, or a battery event's value; null otherwise).
 */
export interface PackedMoment {
  events: (string | number | null)[];
  /** hubId, receivedAt, topic, reason, detail, payload. */
  rejections: [string, number, string, string, string, string][];
  /** state, at, firmware, power, hubId. */
  statuses: [string, number, string | null, string | null, string][];
  /** hubId, heartbeat number, at. */
  heartbeats: [string, number, number][];
  /** Checkpoints to write in the same transaction: name, value (kept at the larger), at. */
  checkpoints: [string, number, number][];
}

/** What the transaction did: the first sequence number given, and which events were new (1) or repeats (0). */
export interface MomentOutcome {
  firstSeq: number;
  inserted: Uint8Array;
}

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
    checkpoint: raw.prepare(
      'INSERT INTO checkpoints (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET value = max(checkpoints.value, excluded.value), updated_at = excluded.updated_at',
    ),
  };
}

/**
 * Stores moments on one SQLite connection, with statements prepared once, and hands out the arrival
 * sequence numbers (read from the store before the first write, and again after a rollback).
 */
export class MomentStore {
  private statements: ReturnType<typeof prepare> | undefined;
  private nextSeq: number | undefined;

  constructor(private readonly raw: SQLite.Database) {}

  /** Write one moment in one transaction (BEGIN IMMEDIATE: another connection may be writing too). */
  write(m: PackedMoment): MomentOutcome {
    const s = (this.statements ??= prepare(this.raw));
    const run = this.raw.transaction((): MomentOutcome => {
      if (this.nextSeq === undefined) this.nextSeq = Number(s.maxSeq.get()?.m ?? 0) + 1;
      const firstSeq = this.nextSeq;
      const ev = m.events;
      const n = ev.length / EVENT_FIELDS;
      const inserted = new Uint8Array(n);
      const seen = new Map<string, { hubId: string; sensor: string; type: string; at: number; battery: number | null }>();
      const lastSeen = new Map<string, number>();
      for (let i = 0, o = 0; i < n; i++, o += EVENT_FIELDS) {
        const hubId = ev[o] as string;
        const ts = ev[o + 2] as number;
        const receivedAt = ev[o + 3] as number;
        const sensor = ev[o + 4] as string;
        const type = ev[o + 5] as string;
        // Sequence numbers of repeats are skipped, not reused: gaps are harmless, order is what matters.
        const r = s.event.run(firstSeq + i, hubId, ev[o + 1], ts, receivedAt, sensor, type, ev[o + 6], ev[o + 7], ev[o + 8]);
        inserted[i] = r.changes === 0 ? 0 : 1;
        lastSeen.set(hubId, receivedAt);
        const key = `${hubId}\u0000${sensor}`;
        const prev = seen.get(key);
        if (!prev || prev.at <= ts) seen.set(key, { hubId, sensor, type, at: ts, battery: (ev[o + 9] as number | null) ?? prev?.battery ?? null });
      }
      this.nextSeq = firstSeq + n;
      for (const r of m.rejections) s.rejection.run(...r);
      for (const v of seen.values()) s.sensor.run(v.hubId, v.sensor, v.type, v.at, v.at, v.battery);
      for (const [hubId, , at] of m.heartbeats) lastSeen.set(hubId, at);
      for (const st of m.statuses) s.status.run(...st);
      for (const [hubId, seq] of m.heartbeats) s.heartbeat.run(seq, hubId);
      for (const [hubId, t] of lastSeen) s.lastSeen.run(t, hubId);
      for (const c of m.checkpoints) s.checkpoint.run(...c);
      return { firstSeq, inserted };
    });
    try {
      return run.immediate();
    } catch (err) {
      // The transaction rolled back: the sequence number is read again, so none is skipped twice.
      this.nextSeq = undefined;
      throw err;
    }
  }
}
