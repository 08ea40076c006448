import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AdapterSink, DeviceMappingInput, SensorAdapter } from './adapter.ts';
import { subscribeOnEveryConnect } from './local-broker.ts';
import { DeviceModelSchema, PayloadMapper, sensorIdFromName, type DeviceModel } from './mapping.ts';
import { ZIGBEE2MQTT_FALLBACK, ZIGBEE2MQTT_MODELS } from './zigbee2mqtt-models.ts';

/** Configuration of the Zigbee2MQTT adapter (part of the gateway config file). */
export const Zigbee2MqttConfigSchema = z.object({
  kind: z.literal('zigbee2mqtt'),
  /** The home's local broker, where Zigbee2MQTT publishes. */
  url: z.string().default('mqtt://127.0.0.1:1883'),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Zigbee2MQTT's `mqtt.base_topic`. */
  baseTopic: z.string().default('zigbee2mqtt'),
  /** Friendly name to Hearth sensor id and, optionally, model (else learnt from bridge/devices). */
  devices: z.record(z.string(), z.object({ sensor: z.string().min(1).max(64), model: z.string().optional() })).default({}),
  /** How long start() waits for the local broker before carrying on without it (it subscribes when the broker comes). */
  startupWaitSeconds: z.number().min(0).default(5),
  /** Extra or overriding model rows. */
  models: z.record(z.string(), DeviceModelSchema).default({}),
});
/** Zigbee2MQTT adapter configuration. */
export type Zigbee2MqttConfig = z.output<typeof Zigbee2MqttConfigSchema>;

const MODELS: Record<string, DeviceModel> = Object.fromEntries(Object.entries(ZIGBEE2MQTT_MODELS).map(([k, v]) => [k, DeviceModelSchema.parse(v)]));
const FALLBACK: DeviceModel = DeviceModelSchema.parse(ZIGBEE2MQTT_FALLBACK);

/** Properties Zigbee2MQTT adds to most payloads that Hearth has no use for: never reported as unmapped. */
const HOUSEKEEPING = new Set(['linkquality', 'battery', 'battery_low', 'voltage', 'last_seen', 'update', 'update_available', 'device_temperature', 'power_outage_count', 'illuminance', 'illuminance_lux', 'identify', 'elapsed']);

// Availability is `{"state":"online"}` since Zigbee2MQTT 1.x's JSON availability; older bridges send plain `online`.
function parseState(text: string): 'online' | 'offline' | null {
  const plain = text.trim();
  if (plain === 'online' || plain === 'offline') return plain;
  try {
    const j = JSON.parse(plain) as { state?: unknown };
    if (j && (j.state === 'online' || j.state === 'offline')) return j.state;
  } catch {
    /* not JSON */
  }
  return null;
}

/**
 * Zigbee2MQTT: subscribes to `<base>/#` on the home's local broker and maps
 * device state (`<base>/<friendly name>`), availability
 * (`<base>/<friendly name>/availability`) and the bridge's state
 * (`<base>/bridge/state`) to Hearth readings and availability notices.
 */
export class Zigbee2MqttAdapter implements SensorAdapter {
  readonly name = 'zigbee2mqtt';
  private client?: MqttClient;
  private readonly mapper = new PayloadMapper();
  private readonly learnt = new Map<string, string>(); // friendly name -> model, from bridge/devices
  /** The installer's mappings from the server, by friendly name: they take precedence over models and config. */
  private mapped = new Map<string, { sensor: string; model: DeviceModel }>();
  /** What was last reported unmapped per device, so each is reported once until it changes. */
  private readonly reported = new Map<string, string>();

  constructor(
    private readonly config: Zigbee2MqttConfig,
    private readonly log: Logger,
  ) {}

  async start(sink: AdapterSink): Promise<void> {
    const base = this.config.baseTopic;
    const client = mqtt.connect(this.config.url, {
      clientId: `hearth-gateway-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      resubscribe: false, // we subscribe on every connect ourselves
      ...(this.config.username ? { username: this.config.username, password: this.config.password } : {}),
    });
    this.client = client;
    client.on('message', (topic, payload) => {
      try {
        this.handle(sink, topic.slice(base.length + 1), payload.toString('utf8'));
      } catch (err) {
        this.log.warn({ topic, err: (err as Error).message }, 'zigbee2mqtt message not handled');
      }
    });
    client.on('error', (err) => this.log.warn({ err: err.message }, 'local broker error'));
    await subscribeOnEveryConnect(client, `${base}/#`, this.log, this.config.startupWaitSeconds * 1000);
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }

  /** The installer's device mappings (the server's `config` command). */
  setMappings(mappings: readonly DeviceMappingInput[]): void {
    this.mapped = new Map(mappings.map((m) => [m.device, { sensor: m.sensor, model: DeviceModelSchema.parse({ description: 'mapped by the installer', fields: m.fields }) }]));
    for (const m of mappings) this.reported.delete(m.device);
  }

  private handle(sink: AdapterSink, rest: string, text: string): void {
    if (rest === 'bridge/state') {
      const state = parseState(text);
      if (state) sink.availability({ sensor: null, online: state === 'online', source: 'zigbee2mqtt/bridge' });
      return;
    }
    if (rest === 'bridge/devices') {
      const list = JSON.parse(text) as { friendly_name?: unknown; definition?: { model?: unknown } | null }[];
      if (Array.isArray(list)) for (const d of list) if (typeof d.friendly_name === 'string' && typeof d.definition?.model === 'string') this.learnt.set(d.friendly_name, d.definition.model);
      return;
    }
    if (rest.startsWith('bridge/')) return;
    if (rest.endsWith('/availability')) {
      const name = rest.slice(0, -'/availability'.length);
      const state = parseState(text);
      if (state) sink.availability({ sensor: this.sensorOf(name), online: state === 'online', source: `zigbee2mqtt/${name}` });
      return;
    }
    // Requests to devices (`/set`, `/get`) are not state.
    if (/\/(set|get)(\/.*)?$/.test(rest)) return;
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return; // Zigbee2MQTT's `output: attribute` mode publishes per-attribute topics; not supported
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return;
    const mapped = this.mapped.get(rest);
    const model = mapped?.model ?? this.modelOf(rest);
    for (const r of this.mapper.map(model, mapped?.sensor ?? this.sensorOf(rest), payload, `zigbee2mqtt/${rest}`)) sink.reading(r);
    if (!mapped) this.reportUnmapped(sink, rest, model, payload as Record<string, unknown>);
  }

  /**
   * Tell the server about a device whose model has no row (its events, if any,
   * are the common-property guesses) or whose payload carries properties no
   * rule reads: an SOS button's `action: "emergency"`, an FP1's `presence`,
   * a plug's `power`, humidity. Once per device until what is unmapped changes.
   */
  private reportUnmapped(sink: AdapterSink, device: string, model: DeviceModel, payload: Record<string, unknown>): void {
    if (!sink.unmapped) return;
    const read = new Set([...model.fields.map((f) => f.property.split('.')[0]!), model.battery]);
    const unknown = model === FALLBACK;
    const properties = Object.keys(payload).filter((k) => !HOUSEKEEPING.has(k) && (unknown || !read.has(k)));
    if (!properties.length) return;
    const reason = unknown ? 'unknown-device' : 'unmapped-property';
    const memo = `${reason}:${[...properties].sort().join(',')}`;
    if (this.reported.get(device) === memo) return;
    this.reported.set(device, memo);
    this.log.warn({ device, reason, properties }, 'zigbee2mqtt device not (fully) mapped; reported to the server');
    sink.unmapped({ device, adapter: 'zigbee2mqtt', reason, properties, payload });
  }

  private sensorOf(friendlyName: string): string {
    return this.config.devices[friendlyName]?.sensor ?? sensorIdFromName(friendlyName);
  }

  private modelOf(friendlyName: string): DeviceModel {
    const name = this.config.devices[friendlyName]?.model ?? this.learnt.get(friendlyName);
    if (!name) return FALLBACK;
    return this.config.models[name] ?? MODELS[name] ?? FALLBACK;
  }
}
