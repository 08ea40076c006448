import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { HubEventSchema, SENSOR_KINDS, SENSOR_TYPES, describeIssues, type HubEvent, type SensorType } from '../../protocol/index.ts';
import type { Clock } from '../../server/src/clock.ts';
import { EventIds } from './ids.ts';

/**
 * Kinds that are never dropped when the outbox is full: the sensor-kind table's
 * `alarm` and `keep` rows (falls, calls, smoke, water, tamper, the hub's power).
 */
export const CRITICAL_TYPES: ReadonlySet<SensorType> = new Set<SensorType>(SENSOR_TYPES.filter((t) => SENSOR_KINDS[t].priority !== 'routine'));

/** Kinds that overtake the backlog: the sensor-kind table's `alarm` rows (fall, call, smoke, water). */
export const ALARM_TYPES: ReadonlySet<SensorType> = new Set<SensorType>(SENSOR_TYPES.filter((t) => SENSOR_KINDS[t].priority === 'alarm'));

/** An event before the outbox gives it an id (and, when the sensor gave none, a time). */
export interface NewEvent {
  sensor: string;
  type: string;
  value: unknown;
  battery?: number | undefined;
  /** When the sensor saw it, ms since the epoch; default: now on the gateway's clock. */
  ts?: number | undefined;
}

/** A queued event and its place in the queue. */
export interface OutboxRow {
  seq: number;
  event: HubEvent;
}

/**
 * Rows to send next, from one lane: `alarm` (alarms, and whatever of their
 * sensors' events was queued before them) goes before `routine`.
 */
export interface OutboxBatch {
  lane: 'alarm' | 'routine';
  rows: OutboxRow[];
}

/** What became of an event handed to the outbox. */
export type AddResult =
  | { ok: true; event: HubEvent; seq: number; evicted: number }
  | { ok: false; reason: 'invalid' | 'full'; detail: string };

/** Counters kept across restarts. */
export interface OutboxStats {
  queued: number;
  critical: number;
  /** Routine events given up to make room (oldest first), since the data dir was created. */
  droppedRoutine: number;
  /** Invalid readings refused before queueing. */
  invalid: number;
  maxEvents: number;
}

/** Options of the outbox. */
export interface OutboxOptions {
  /** SQLite file; its folder is created. */
  file: string;
  clock: Clock;
  /** Bound on queued events; routine events are evicted beyond it, critical ones are kept. */
  maxEvents: number;
}

/**
 * The durable outbox: every event is committed to SQLite before it is sent and
 * deleted only once the server has acknowledged (PUBACK) the message carrying it.
 *
 * Durability: WAL journal with synchronous=FULL, so each commit is fsynced to
 * the WAL before add() returns; a crash or power cut loses nothing that add()
 * accepted. Order: `seq` is an autoincrement key; the drain reads the alarm
 * lane, then the routine lane, each in seq order (docs/gateway.md).
 */
export class Outbox {
  private readonly db: SQLite.Database;
  private readonly ids = new EventIds();
  private count: number;
  private readonly stmts;

  constructor(private readonly opts: OutboxOptions) {
    if (opts.file !== ':memory:') fs.mkdirSync(path.dirname(opts.file), { recursive: true });
    this.db = new SQLite(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        critical INTEGER NOT NULL,
        body TEXT NOT NULL,
        queued_at INTEGER NOT NULL,
        sensor TEXT NOT NULL DEFAULT '',
        lane INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX IF NOT EXISTS outbox_routine ON outbox(critical, seq);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    upgradeLanes(this.db);
    this.stmts = {
      insert: this.db.prepare('INSERT INTO outbox (id, critical, body, queued_at, sensor, lane) VALUES (?, ?, ?, ?, ?, ?)'),
      promote: this.db.prepare('UPDATE outbox SET lane = 1 WHERE sensor = ? AND lane = 0'),
      lane: this.db.prepare('SELECT seq, body FROM outbox WHERE lane = ? ORDER BY seq LIMIT ?'),
      oldestRoutine: this.db.prepare('SELECT seq FROM outbox WHERE critical = 0 ORDER BY seq LIMIT 1').pluck(),
      deleteOne: this.db.prepare('DELETE FROM outbox WHERE seq = ?'),
      next: this.db.prepare('SELECT seq, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
      count: this.db.prepare('SELECT count(*) FROM outbox').pluck(),
      countCritical: this.db.prepare('SELECT count(*) FROM outbox WHERE critical = 1').pluck(),
      getMeta: this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    };
    this.count = this.stmts.count.get() as number;
  }

  /**
   * Validate and queue one event; the id is assigned here, once, so a re-send
   * carries the same id. When full, the oldest routine event makes room; a new
   * routine event is refused only when nothing but critical events is queued.
   */
  add(input: NewEvent): AddResult {
    return this.addMany([input])[0]!;
  }

  /** Queue several events in one transaction (one fsync), each as add() would; results in input order. */
  addMany(inputs: readonly NewEvent[]): AddResult[] {
    try {
      return this.db.transaction(() => inputs.map((i) => this.addOne(i)))();
    } catch (err) {
      this.count = this.stmts.count.get() as number; // rolled back: recount
      throw err;
    }
  }

  private addOne(input: NewEvent): AddResult {
    const now = this.opts.clock.now();
    const candidate: Record<string, unknown> = {
      id: this.ids.next(now),
      ts: new Date(input.ts ?? now).toISOString(),
      sensor: input.sensor,
      type: input.type,
      value: input.value,
    };
    if (input.battery !== undefined) candidate.battery = input.battery;
    const parsed = HubEventSchema.safeParse(candidate);
    if (!parsed.success) {
      this.bump('invalid');
      return { ok: false, reason: 'invalid', detail: describeIssues(parsed.error) };
    }
    const event = parsed.data;
    const critical = CRITICAL_TYPES.has(event.type);
    const alarm = ALARM_TYPES.has(event.type);
    let evicted = 0;
    if (this.count >= this.opts.maxEvents) {
      const oldest = this.stmts.oldestRoutine.get() as number | undefined;
      if (oldest !== undefined) {
        this.stmts.deleteOne.run(oldest);
        this.count--;
        evicted = 1;
        this.bump('droppedRoutine');
      } else if (!critical) {
        this.bump('droppedRoutine');
        return { ok: false, reason: 'full', detail: `outbox holds ${this.count} critical events; routine event dropped` };
      }
      // A critical event with only critical events queued: kept beyond the bound, never dropped.
    }
    // An alarm takes its sensor's earlier events with it into the alarm lane: that sensor's order is kept.
    if (alarm) this.stmts.promote.run(event.sensor);
    const info = this.stmts.insert.run(event.id, critical ? 1 : 0, JSON.stringify(event), now, event.sensor, alarm ? 1 : 0);
    this.count++;
    return { ok: true, event, seq: Number(info.lastInsertRowid), evicted };
  }

  /** Up to `limit` queued events after `afterSeq`, in order. */
  next(afterSeq: number, limit: number): OutboxRow[] {
    return (this.stmts.next.all(afterSeq, limit) as { seq: number; body: string }[]).map((r) => ({ seq: r.seq, event: JSON.parse(r.body) as HubEvent }));
  }

  /**
   * Up to `limit` events to send next, skipping those in `skip` (awaiting
   * PUBACK): the alarm lane in order while it has any, else the routine lane in order.
   */
  nextBatch(limit: number, skip: ReadonlySet<number>): OutboxBatch | null {
    for (const lane of [1, 0]) {
      const rows: OutboxRow[] = [];
      for (const r of this.stmts.lane.all(lane, limit + skip.size) as { seq: number; body: string }[]) {
        if (skip.has(r.seq)) continue;
        rows.push({ seq: r.seq, event: JSON.parse(r.body) as HubEvent });
        if (rows.length === limit) break;
      }
      if (rows.length) return { lane: lane === 1 ? 'alarm' : 'routine', rows };
    }
    return null;
  }

  /** Delete acknowledged events (unknown seqs, e.g. evicted meanwhile, are ignored). */
  remove(seqs: readonly number[]): void {
    if (!seqs.length) return;
    const del = this.db.transaction((list: readonly number[]) => {
      let n = 0;
      for (const s of list) n += this.stmts.deleteOne.run(s).changes;
      return n;
    });
    this.count -= del(seqs);
  }

  /** How many events wait to be acknowledged. */
  size(): number {
    return this.count;
  }

  /** Counters for the installer and logs. */
  stats(): OutboxStats {
    return {
      queued: this.count,
      critical: this.stmts.countCritical.get() as number,
      droppedRoutine: Number(this.getMeta('droppedRoutine') ?? 0),
      invalid: Number(this.getMeta('invalid') ?? 0),
      maxEvents: this.opts.maxEvents,
    };
  }

  /** A stored setting (e.g. the heartbeat interval the server configured). */
  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key) as string | undefined;
  }

  /** Store a setting durably. */
  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  /** Close the database. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  private bump(key: string): void {
    this.setMeta(key, String(Number(this.getMeta(key) ?? 0) + 1));
  }
}

// An outbox written before the alarm lane existed: add the columns, fill them from the bodies
// (an alarm and its sensor's earlier rows go to the alarm lane), and index them. Idempotent.
function upgradeLanes(db: SQLite.Database): void {
  const cols = new Set((db.pragma('table_info(outbox)') as { name: string }[]).map((c) => c.name));
  db.transaction(() => {
    if (!cols.has('sensor')) db.exec("ALTER TABLE outbox ADD COLUMN sensor TEXT NOT NULL DEFAULT ''");
    if (!cols.has('lane')) {
      db.exec('ALTER TABLE outbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 0');
      db.exec("UPDATE outbox SET sensor = json_extract(body, '$.sensor')");
      const alarms = JSON.stringify([...ALARM_TYPES]);
      db.prepare(
        `UPDATE outbox SET lane = 1 WHERE seq <= (SELECT max(a.seq) FROM outbox a
           WHERE a.sensor = outbox.sensor AND json_extract(a.body, '$.type') IN (SELECT value FROM json_each(?)))`,
      ).run(alarms);
    }
    db.exec('CREATE INDEX IF NOT EXISTS outbox_lane ON outbox(lane, seq); CREATE INDEX IF NOT EXISTS outbox_sensor ON outbox(sensor, lane)');
  })();
}
