import { z } from 'zod';

/** The detectors of the care model, by name; a sensor kind lists the ones it feeds. */
export type DetectorName =
  | 'fall'
  | 'call'
  | 'long-lie'
  | 'inactivity'
  | 'not-up'
  | 'night-exit'
  | 'not-home'
  | 'cold-home'
  | 'routine-change'
  | 'smoke'
  | 'water'
  | 'technical';

/** Presence (the person is in that room) or touch (they were there at that moment). */
export type SensorEvidence = 'presence' | 'touch';

/** Every kind of evidence, for schemas. */
export const SENSOR_EVIDENCE = ['presence', 'touch'] as const;

/** One row of the sensor-kind table: what a `type` carries and what it is for. */
export interface SensorKind {
  /** zod schema of the event's `value`. */
  value: z.ZodType;
  /** Human meaning of the values, for docs and the installer's walk test. */
  meaning: string;
  /** Whether an event of this kind is a sign that someone is moving about at home. */
  activity: boolean;
  /**
   * What an event says about where the person is: `presence` (a PIR: they are in that room
   * now, and stay "seen" there while it keeps firing), `touch` (a contact, appliance, flush
   * or pad: they were there at that moment). A commissioned sensor may override its kind's.
   */
  evidence: SensorEvidence;
  /** Hours of silence after which a sensor of this kind is reported silent (null: never). */
  silentAfterHours: number | null;
  /** Detectors that read this kind. */
  detectors: DetectorName[];
  /**
   * How a hub treats it when events queue up: `alarm` overtakes the backlog and is never dropped,
   * `keep` is sent in order but never dropped, `routine` may be dropped (oldest first) when the outbox is full.
   */
  priority: SensorPriority;
}

/** A sensor kind's priority at the hub (see SensorKind.priority and docs/gateway.md). */
export type SensorPriority = 'alarm' | 'keep' | 'routine';

const onOff = z.boolean();

/**
 * Sensor kinds described as data (the hub protocol's event table): adding a kind
 * is one row here, not branches in the server, gateway and dashboard.
 */
export const SENSOR_KINDS = {
  motion: {
    value: onOff,
    meaning: 'movement detected (true) / cleared (false), PIR',
    activity: true,
    evidence: 'presence',
    silentAfterHours: 24,
    detectors: ['inactivity', 'not-up', 'long-lie', 'night-exit', 'not-home', 'routine-change', 'technical'],
    priority: 'routine',
  },
  door: {
    value: z.enum(['open', 'closed']),
    meaning: 'door or window contact',
    activity: true,
    evidence: 'touch',
    silentAfterHours: 72,
    detectors: ['night-exit', 'not-home', 'inactivity', 'routine-change', 'technical'],
    priority: 'routine',
  },
  fall: {
    value: z.union([z.literal(true), z.number().min(0).max(1)]),
    meaning: 'fall detected: true, or a confidence from 0 to 1',
    activity: false,
    evidence: 'touch',
    silentAfterHours: null,
    detectors: ['fall', 'long-lie'],
    priority: 'alarm',
  },
  call: {
    value: z.enum(['pressed', 'cancelled']),
    meaning: 'pendant, pull cord or call button; "cancelled" is the resident\'s "I\'m OK"',
    activity: false,
    evidence: 'touch',
    silentAfterHours: null,
    detectors: ['call', 'long-lie'],
    priority: 'alarm',
  },
  bed: {
    value: z.enum(['in', 'out']),
    meaning: 'bed occupancy pad',
    activity: true,
    evidence: 'presence',
    silentAfterHours: null,
    detectors: ['not-up', 'inactivity', 'routine-change'],
    priority: 'routine',
  },
  chair: {
    value: z.enum(['in', 'out']),
    meaning: 'chair occupancy pad',
    activity: true,
    evidence: 'presence',
    silentAfterHours: null,
    detectors: ['inactivity', 'routine-change'],
    priority: 'routine',
  },
  temperature: {
    value: z.number().min(-50).max(80),
    meaning: 'room temperature, degrees Celsius',
    activity: false,
    evidence: 'touch',
    silentAfterHours: 24,
    detectors: ['cold-home', 'technical'],
    priority: 'routine',
  },
  smoke: {
    value: onOff,
    meaning: 'smoke alarm on / cleared',
    activity: false,
    evidence: 'touch',
    silentAfterHours: null,
    detectors: ['smoke'],
    priority: 'alarm',
  },
  water: {
    value: onOff,
    meaning: 'flood (water leak) alarm on / cleared',
    activity: false,
    evidence: 'touch',
    silentAfterHours: null,
    detectors: ['water'],
    priority: 'alarm',
  },
  tamper: {
    value: onOff,
    meaning: 'device tamper alarm on / cleared',
    activity: false,
    evidence: 'touch',
    silentAfterHours: null,
    detectors: ['technical'],
    priority: 'keep',
  },
  power: {
    value: z.enum(['mains', 'battery']),
    meaning: 'the hub lost (battery) or regained (mains) mains power',
    activity: false,
    evidence: 'touch',
    silentAfterHours: null,
    detectors: ['technical'],
    priority: 'keep',
  },
  battery: {
    value: z.number().min(0).max(100),
    meaning: 'periodic battery report, percent',
    activity: false,
    evidence: 'touch',
    silentAfterHours: null,
    detectors: ['technical'],
    priority: 'routine',
  },
} as const satisfies Record<string, SensorKind>;

/** The name of a sensor kind (the event's `type`). */
export type SensorType = keyof typeof SENSOR_KINDS;

/** Every sensor kind, in table order. */
export const SENSOR_TYPES = Object.keys(SENSOR_KINDS) as [SensorType, ...SensorType[]];

/** The value type carried by events of kind T. */
export type SensorValue<T extends SensorType> = z.infer<(typeof SENSOR_KINDS)[T]['value']>;
