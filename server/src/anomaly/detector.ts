import type { AlertType } from '../care/model.ts';
import type { HomeInfo, SensorInfo } from '../care/directory.ts';
import type { StoredEvent } from '../events.ts';

/** An event as a detector sees it: the stored event plus where its sensor is. */
export interface CoreEvent extends StoredEvent {
  /** The commissioned sensor, or undefined for one not yet commissioned. */
  sensorInfo: SensorInfo | undefined;
}

/** A reference to one event behind an alert. */
export interface EventRef {
  id: string;
  ts: string;
  sensor: string;
  type: string;
  value: unknown;
  room: string | null;
}

/** Why an alert was raised: the rule, a sentence, the events, and any norm exceeded. */
export interface AlertCause {
  rule: string;
  summary: string;
  events: EventRef[];
  [detail: string]: unknown;
}

/** What a detector tells the alert service. */
export interface AlertSignal {
  /** raise: open or repeat; cancel: withdrawn within its cancel window; clear: the condition has ended. */
  action: 'raise' | 'cancel' | 'clear';
  type: AlertType;
  orgId: string;
  hubId: string;
  residentId: string | null;
  /** When the condition began (sensor time). */
  occurredAt: number;
  /** When the detector decided (clock time). */
  at: number;
  /** The decision rests on events that arrived late. */
  late: boolean;
  cause: AlertCause;
}

/** What a detector may use while it runs. */
export interface DetectorContext {
  /** The home, as currently commissioned. */
  readonly home: HomeInfo;
  /** The injected clock's time. */
  now(): number;
  /** Hand a signal to the alert service (live) or the replay writer. */
  emit(signal: AlertSignal): void;
}

/** A sign of (or of no) life from a hub itself: heartbeat, retained status or last will, broker connection. */
export type HubSignal =
  | { kind: 'heartbeat'; hubId: string; at: number; seq: number }
  | { kind: 'status'; hubId: string; at: number; online: boolean; power?: 'mains' | 'battery' | undefined }
  | { kind: 'connection'; hubId: string; at: number; connected: boolean };

/**
 * One detector for one home, with its own state. It is fed every event of its
 * home in arrival order, and clock ticks; it never reads the wall clock.
 */
export interface Detector {
  readonly name: string;
  onEvent(event: CoreEvent, ctx: DetectorContext): void;
  onTick?(now: number, ctx: DetectorContext): void;
  /** Hub heartbeats, statuses and connections of its home. */
  onHub?(signal: HubSignal, ctx: DetectorContext): void;
  /**
   * The earliest clock time at which onTick has something to decide (Infinity:
   * nothing pending). Lets the core skip quiet homes; without it, a detector
   * with onTick is ticked on every tick.
   */
  due?(): number;
  /**
   * The detector's state as plain JSON (typed arrays as base64), so learned norms
   * and pending conditions survive a server restart. Absent: nothing worth keeping.
   */
  snapshot?(): unknown;
  /**
   * Take back a snapshot made by the same detector. `savedAt` is when the server
   * last confirmed the state, so `ctx.now() - savedAt` is (at most) how long it was
   * down. Throws on a state it cannot read; the core then starts that detector
   * afresh (the plan's defaults).
   */
  restore?(state: unknown, ctx: DetectorContext, savedAt: number): void;
}

/** Makes a fresh detector for a home. */
export type DetectorFactory = (home: HomeInfo) => Detector;

/** A reference to an event, for an alert's cause. */
export function refOf(e: CoreEvent): EventRef {
  return { id: e.id, ts: new Date(e.ts).toISOString(), sensor: e.sensor, type: e.type, value: e.value, room: e.sensorInfo?.room ?? null };
}

/** The resident an event concerns: the first resident of the home (couples share one hub), or null. */
export function primaryResident(home: HomeInfo): string | null {
  return home.residents[0]?.id ?? null;
}

/** An event as kept in a snapshot: what `refOf` and the rules read, JSON-safe. */
export interface SavedEvent {
  hubId: string;
  id: string;
  ts: number;
  receivedAt: number;
  sensor: string;
  type: string;
  value: unknown;
  late: boolean;
  room: string | null;
  role: string | null;
}

/** An event for a snapshot (null stays null). */
export function saveEvent(e: CoreEvent | null): SavedEvent | null {
  if (!e) return null;
  return { hubId: e.hubId, id: e.id, ts: e.ts, receivedAt: e.receivedAt, sensor: e.sensor, type: e.type, value: e.value, late: e.late, room: e.sensorInfo?.room ?? null, role: e.sensorInfo?.role ?? null };
}

/** An event back from a snapshot, with its sensor's room and role as they were. */
export function loadEvent(x: unknown): CoreEvent | null {
  if (x === null || x === undefined) return null;
  const s = x as SavedEvent;
  if (typeof s !== 'object' || typeof s.id !== 'string' || typeof s.ts !== 'number' || typeof s.sensor !== 'string') throw new Error('bad saved event');
  return {
    hubId: s.hubId,
    id: s.id,
    ts: s.ts,
    receivedAt: s.receivedAt,
    sensor: s.sensor,
    type: s.type as CoreEvent['type'],
    value: s.value,
    battery: null,
    late: s.late === true,
    sensorInfo: { sensorId: s.sensor, type: s.type, room: s.room ?? null, role: s.role ?? null, commissioned: true },
  };
}

/** A typed array as base64 (its bytes, platform order: snapshots are read back by the same server). */
export function packArray(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Fill a typed array from `packArray` output; throws unless the byte length matches exactly. */
export function unpackArray(into: ArrayBufferView, b64: unknown): void {
  if (typeof b64 !== 'string') throw new Error('saved array is not a string');
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.byteLength !== into.byteLength) throw new Error(`saved array has ${bytes.byteLength} bytes, expected ${into.byteLength}`);
  new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(bytes);
}

/** JSON has no NaN or Infinity: numbers go out as numbers or as these strings. */
export function saveNum(n: number): number | string {
  return Number.isFinite(n) ? n : String(n);
}

/** A number back from `saveNum`; throws on anything else. */
export function loadNum(x: unknown): number {
  if (typeof x === 'number') return x;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  throw new Error(`not a saved number: ${String(x)}`);
}

/** Where a sensor is, for a sentence: " in the hall", " (worn by the resident)", or "" when unknown. */
export function whereOf(info: { room: string | null; role: string | null } | undefined): string {
  if (!info) return '';
  if (info.role === 'worn' || info.role === 'pendant') return ' (worn by the resident)';
  return info.room ? ` in the ${info.room}` : '';
}
