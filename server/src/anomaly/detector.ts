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
