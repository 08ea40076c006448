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

/** One row of the sensor-kind table: what a `type` carries and what it is for. */
export interface SensorKind {
  /** zod schema of the event's `value`. */
  value: z.ZodType;
  /** Human meaning of the values, for docs and the installer's walk test. */
  meaning: string;
  /** Whether an event of this kind is a sign that someone is moving about at home. */
  activity: boolean;
  /** Hours of silence after which a sensor of this kind is reported silent (null: never). */
  silentAfterHours: number | null;
  /** Detectors that read this kind. */
  detectors: DetectorName[];
}

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
    silentAfterHours: 24,
    detectors: ['inactivity', 'not-up', 'long-lie', 'night-exit', 'not-home', 'routine-change', 'technical'],
  },
  door: {
    value: z.enum(['open', 'closed']),
    meaning: 'door or window contact',
    activity: true,
    silentAfterHours: 72,
    detectors: ['night-exit', 'not-home', 'inactivity', 'routine-change', 'technical'],
  },
  fall: {
    value: z.union([z.literal(true), z.number().min(0).max(1)]),
    meaning: 'fall detected: true, or a confidence from 0 to 1',
    activity: false,
    silentAfterHours: null,
    detectors: ['fall', 'long-lie'],
  },
  call: {
    value: z.enum(['pressed', 'cancelled']),
    meaning: 'pendant, pull cord or call button; "cancelled" is the resident\'s "I\'m OK"',
    activity: false,
    silentAfterHours: null,
    detectors: ['call', 'long-lie'],
  },
  bed: {
    value: z.enum(['in', 'out']),
    meaning: 'bed occupancy pad',
    activity: true,
    silentAfterHours: null,
    detectors: ['not-up', 'inactivity', 'routine-change'],
  },
  chair: {
    value: z.enum(['in', 'out']),
    meaning: 'chair occupancy pad',
    activity: true,
    silentAfterHours: null,
    detectors: ['inactivity', 'routine-change'],
  },
  temperature: {
    value: z.number().min(-50).max(80),
    meaning: 'room temperature, degrees Celsius',
    activity: false,
    silentAfterHours: 24,
    detectors: ['cold-home', 'technical'],
  },
  smoke: {
    value: onOff,
    meaning: 'smoke alarm on / cleared',
    activity: false,
    silentAfterHours: null,
    detectors: ['smoke'],
  },
  water: {
    value: onOff,
    meaning: 'flood (water leak) alarm on / cleared',
    activity: false,
    silentAfterHours: null,
    detectors: ['water'],
  },
  tamper: {
    value: onOff,
    meaning: 'device tamper alarm on / cleared',
    activity: false,
    silentAfterHours: null,
    detectors: ['technical'],
  },
  power: {
    value: z.enum(['mains', 'battery']),
    meaning: 'the hub lost (battery) or regained (mains) mains power',
    activity: false,
    silentAfterHours: null,
    detectors: ['technical'],
  },
  battery: {
    value: z.number().min(0).max(100),
    meaning: 'periodic battery report, percent',
    activity: false,
    silentAfterHours: null,
    detectors: ['technical'],
  },
} as const satisfies Record<string, SensorKind>;

/** The name of a sensor kind (the event's `type`). */
export type SensorType = keyof typeof SENSOR_KINDS;

/** Every sensor kind, in table order. */
export const SENSOR_TYPES = Object.keys(SENSOR_KINDS) as [SensorType, ...SensorType[]];

/** The value type carried by events of kind T. */
export type SensorValue<T extends SensorType> = z.infer<(typeof SENSOR_KINDS)[T]['value']>;
