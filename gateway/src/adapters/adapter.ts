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
 * The gateway shows it in the walk test and logs, and reports it to the server
 * on the `availability` channel (a Hearth addition, docs/protocol.md).
 */
export interface AvailabilityNotice {
  sensor: string | null;
  online: boolean;
  source: string;
}

/** A device the adapter hears but cannot (fully) map: reported to the server, never dropped without a word. */
export interface UnmappedNotice {
  device: string;
  adapter: string;
  reason: 'unknown-device' | 'unmapped-property';
  properties: string[];
  payload: unknown;
}

/** Where an adapter delivers what it hears. */
export interface AdapterSink {
  reading(r: SensorReading): void;
  availability(n: AvailabilityNotice): void;
  /** Optional: adapters that can tell report devices they cannot map. */
  unmapped?(n: UnmappedNotice): void;
}

/** A mapping the server sent for a device (the `config` command's `mappings`). */
export interface DeviceMappingInput {
  device: string;
  sensor: string;
  fields: { property: string; type: SensorType; values?: Record<string, unknown> | undefined; scale?: number | undefined; emit?: 'change' | 'always' | undefined; suffix?: string | undefined }[];
}

/** One source of sensor events (Zigbee2MQTT, a generic MQTT bridge, the simulator). */
export interface SensorAdapter {
  readonly name: string;
  start(sink: AdapterSink): Promise<void>;
  stop(): Promise<void>;
  /** Optional: take the installer's device mappings from the server. */
  setMappings?(mappings: readonly DeviceMappingInput[]): void;
}
