import { z } from 'zod';
import { SENSOR_TYPES } from '../../../protocol/index.ts';
import type { SensorReading } from './adapter.ts';

/**
 * One rule of a payload mapping: which JSON property becomes which Hearth event.
 * Mappings are data (see zigbee2mqtt-models.ts and docs/gateway.md), so a new
 * device model is a table row, not code.
 */
export const FieldRuleSchema = z.object({
  /** Property of the JSON payload, dotted for nested objects; `$` is the whole payload. */
  property: z.string().min(1),
  /** The Hearth event type it becomes. */
  type: z.enum(SENSOR_TYPES),
  /** Map from the raw value (as a string: "true", "fall") to the event value; raw values not listed are ignored. */
  values: z.record(z.string(), z.unknown()).optional(),
  /** Multiply a numeric value (e.g. 0.01 for a percentage that should be 0 to 1). */
  scale: z.number().optional(),
  /** `change`: only when the mapped value differs from the last one seen; `always`: every message carrying the property. */
  emit: z.enum(['change', 'always']).default('change'),
  /** Appended to the sensor id (`<sensor>-<suffix>`), for devices that report more than one kind. */
  suffix: z.string().regex(/^[a-z0-9-]+$/).optional(),
});
/** A field rule, as written in a model table or config file. */
export type FieldRuleInput = z.input<typeof FieldRuleSchema>;
/** A field rule with defaults applied. */
export type FieldRule = z.output<typeof FieldRuleSchema>;

/** How a device model's payloads map to events. */
export const DeviceModelSchema = z.object({
  /** A short human description (walk test, docs). */
  description: z.string().optional(),
  fields: z.array(FieldRuleSchema).min(1),
  /** Property carrying battery percent, attached to every event of the device. Default `battery`. */
  battery: z.string().default('battery'),
});
/** A device model mapping with defaults applied. */
export type DeviceModel = z.output<typeof DeviceModelSchema>;

function pick(payload: unknown, property: string): unknown {
  if (property === '$') return payload;
  let cur: unknown = payload;
  for (const part of property.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * Applies a device model to payloads, remembering the last value per
 * (sensor, rule) so `emit: change` rules report transitions only.
 */
export class PayloadMapper {
  private readonly last = new Map<string, string>();

  /** Readings a payload yields for the device whose base sensor id is `sensor`. */
  map(model: DeviceModel, sensor: string, payload: unknown, source: string): SensorReading[] {
    const out: SensorReading[] = [];
    const rawBattery = pick(payload, model.battery);
    const battery = typeof rawBattery === 'number' && rawBattery >= 0 && rawBattery <= 100 ? rawBattery : undefined;
    for (const rule of model.fields) {
      const raw = pick(payload, rule.property);
      if (raw === undefined) continue;
      const id = rule.suffix ? `${sensor}-${rule.suffix}` : sensor;
      const memo = `${id}\u0000${rule.type}`;
      if (raw === null) {
        this.last.delete(memo); // state unknown: whatever comes next is news
        continue;
      }
      let value: unknown = raw;
      if (rule.values) {
        const key = typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
        if (!Object.hasOwn(rule.values, key)) {
          // Defect 14: an unlisted value (a radar's "none") is still a change of state;
          // forgetting the last value means the next "fall" is reported, never taken for a repeat.
          this.last.delete(memo);
          continue;
        }
        value = rule.values[key];
      } else if (rule.scale !== undefined && typeof raw === 'number') {
        value = raw * rule.scale;
      }
      const text = JSON.stringify(value);
      if (rule.emit === 'change' && this.last.get(memo) === text) continue;
      this.last.set(memo, text);
      const reading: SensorReading = { sensor: id, type: rule.type, value, source };
      if (battery !== undefined && rule.type !== 'battery') reading.battery = battery;
      out.push(reading);
    }
    return out;
  }
}

/** Turn a free-form name (a Zigbee2MQTT friendly name) into a protocol sensor id. */
export function sensorIdFromName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug || 'sensor';
}

/** Whether an MQTT topic matches a filter with `+` and `#`; returns the wildcard captures, or null. */
export function matchTopic(filter: string, topic: string): string[] | null {
  const f = filter.split('/');
  const t = topic.split('/');
  const captures: string[] = [];
  for (let i = 0; i < f.length; i++) {
    const part = f[i]!;
    if (part === '#') {
      captures.push(t.slice(i).join('/'));
      return captures;
    }
    if (i >= t.length) return null;
    if (part === '+') captures.push(t[i]!);
    else if (part !== t[i]) return null;
  }
  return f.length === t.length ? captures : null;
}
