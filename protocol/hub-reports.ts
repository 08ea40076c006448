import { z } from 'zod';
import { SENSOR_TYPES } from './sensor-kinds.ts';

// Hearth additions to the hub protocol (docs/protocol.md "Where Hearth goes beyond the contract"):
// what a hub reports about devices it cannot map and about sensors' reachability,
// and the device mappings the server sends back in the `config` command.

const Name = z.string().min(1).max(128);
// Not imported from schemas.ts, which imports this file for the config command.
const Timestamp = z.iso.datetime({ offset: true });

/**
 * A device the gateway hears but cannot turn into events (`.../unmapped`, QoS 1, not retained):
 * no mapping for its model, or a payload property no rule reads. Sent once per device and
 * reason, then again when its payload's set of properties changes.
 */
export const UnmappedReportSchema = z.object({
  ts: Timestamp,
  /** The device as the bridge names it (a Zigbee2MQTT friendly name). */
  device: Name,
  /** Which adapter heard it (`zigbee2mqtt`, `mqtt-json`). */
  adapter: z.string().min(1).max(32),
  /** Why it is not mapped: `unknown-device` (no mapping at all) or `unmapped-property` (some properties are read by no rule). */
  reason: z.enum(['unknown-device', 'unmapped-property']),
  /** The properties no rule reads. */
  properties: z.array(z.string().max(64)).max(64).default([]),
  /** The raw payload, as received (at most 4 KiB of JSON). */
  payload: z.unknown(),
});
/** An unmapped-device report. */
export type UnmappedReport = z.infer<typeof UnmappedReportSchema>;

/**
 * A sensor, or the whole bridge (`sensor` null), became reachable or not
 * (`.../availability`, QoS 1, not retained): Zigbee2MQTT's `<device>/availability`
 * and `bridge/state`. The server shows it at once instead of waiting for the
 * sensor-silent thresholds of 24 h or 72 h.
 */
export const AvailabilityReportSchema = z.object({
  ts: Timestamp,
  sensor: z.string().min(1).max(64).nullable(),
  online: z.boolean(),
  /** Where the gateway heard it (`zigbee2mqtt/bridge/state`). */
  source: z.string().max(200).default(''),
});
/** An availability report. */
export type AvailabilityReport = z.infer<typeof AvailabilityReportSchema>;

/** One rule of a device mapping (the gateway's FieldRuleSchema, as the protocol carries it). */
export const MappingRuleSchema = z.object({
  property: z.string().min(1).max(64),
  type: z.enum(SENSOR_TYPES),
  values: z.record(z.string(), z.unknown()).optional(),
  scale: z.number().optional(),
  emit: z.enum(['change', 'always']).optional(),
  suffix: z.string().regex(/^[a-z0-9-]+$/).max(32).optional(),
});

/** An installer's mapping of one device, sent to the hub in the `config` command's `mappings`. */
export const DeviceMappingSchema = z.object({
  device: Name,
  /** The sensor id its events carry. */
  sensor: z.string().min(1).max(64),
  fields: z.array(MappingRuleSchema).min(1).max(16),
});
/** A device mapping. */
export type DeviceMapping = z.infer<typeof DeviceMappingSchema>;
