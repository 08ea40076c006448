import type { SensorType } from '../../../protocol/index.ts';

/** A reading from a sensor, before the gateway gives it an id and queues it. */
export interface SensorReading {
  /** The sensor's id within the hub. */
  sensor: string;
  type: SensorType;
  value: unknown;
  battery?: number | undefined;
  /** When the sensor saw it (ms since the epoch); default: the gateway's clock. */
  ts?: number | undefined;
  /** Which adapter, and which device or topic, it came from (walk test, logs). */
  source: string;
}

/**
 * A device (or the whole bridge, sensor null) became reachable or unreachable.
 * Protocol v1 has no message for this: the gateway tracks it, shows it in the
 * walk test and logs, and the server raises sensor-silent from the silence.
 */
export interface AvailabilityNotice {
  sensor: string | null;
  online: boolean;
  source: string;
}

/** Where an adapter delivers what it hears. */
export interface AdapterSink {
  reading(r: SensorReading): void;
  availability(n: AvailabilityNotice): void;
}

/** One source of sensor events (Zigbee2MQTT, a generic MQTT bridge, the simulator). */
export interface SensorAdapter {
  readonly name: string;
  start(sink: AdapterSink): Promise<void>;
  stop(): Promise<void>;
}
