import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AdapterSink, SensorAdapter } from './adapter.ts';
import { FieldRuleSchema, PayloadMapper, matchTopic } from './mapping.ts';
import { subscribeOnEveryConnect } from './local-broker.ts';

const MappingSchema = z.object({
  /** MQTT topic filter (`+` and `#` allowed). */
  topic: z.string().min(1),
  /** Sensor id; `{1}`, `{2}`... are replaced by the topic's wildcard segments. */
  sensor: z.string().min(1),
  fields: z.array(FieldRuleSchema).min(1),
  /** Property with battery percent, attached to events. */
  battery: z.string().default('battery'),
});

/** Configuration of the generic MQTT/JSON adapter, for bridges other than Zigbee2MQTT. */
export const MqttJsonConfigSchema = z.object({
  kind: z.literal('mqtt-json'),
  url: z.string().default('mqtt://127.0.0.1:1883'),
  username: z.string().optional(),
  password: z.string().optional(),
  mappings: z.array(MappingSchema).min(1),
  /** How long start() waits for the bridge's broker before carrying on without it. */
  startupWaitSeconds: z.number().min(0).default(5),
  /** Optional availability topics: filter, sensor template, and the payload meaning online. */
  availability: z.array(z.object({ topic: z.string(), sensor: z.string(), online: z.string().default('online') })).default([]),
});
/** Generic MQTT/JSON adapter configuration. */
export type MqttJsonConfig = z.output<typeof MqttJsonConfigSchema>;

function fill(template: string, captures: string[]): string {
  return template.replace(/\{(\d+)\}/g, (_, n: string) => captures[Number(n) - 1] ?? '');
}

/**
 * A generic bridge: each mapping names a topic filter, the sensor id and the
 * field rules (the same rule language as the Zigbee2MQTT model table). Payloads
 * that are not JSON are taken as a plain value (property `$`).
 */
export class MqttJsonAdapter implements SensorAdapter {
  readonly name = 'mqtt-json';
  private client?: MqttClient;
  private readonly mapper = new PayloadMapper();

  constructor(
    private readonly config: MqttJsonConfig,
    private readonly log: Logger,
  ) {}

  async start(sink: AdapterSink): Promise<void> {
    const client = mqtt.connect(this.config.url, {
      clientId: `hearth-gateway-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 2000,
      resubscribe: false, // we subscribe on every connect ourselves
      ...(this.config.username ? { username: this.config.username, password: this.config.password } : {}),
    });
    this.client = client;
    const filters = [...this.config.mappings.map((m) => m.topic), ...this.config.availability.map((a) => a.topic)];
    client.on('message', (topic, payload) => {
      try {
        this.handle(sink, topic, payload.toString('utf8'));
      } catch (err) {
        this.log.warn({ topic, err: (err as Error).message }, 'bridge message not handled');
      }
    });
    client.on('error', (err) => this.log.warn({ err: err.message }, 'bridge broker error'));
    await subscribeOnEveryConnect(client, filters, this.log, this.config.startupWaitSeconds * 1000);
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
  }

  private handle(sink: AdapterSink, topic: string, text: string): void {
    for (const a of this.config.availability) {
      const caps = matchTopic(a.topic, topic);
      if (caps) sink.availability({ sensor: fill(a.sensor, caps), online: text.trim() === a.online, source: topic });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      payload = text.trim();
    }
    for (const m of this.config.mappings) {
      const caps = matchTopic(m.topic, topic);
      if (!caps) continue;
      for (const r of this.mapper.map({ fields: m.fields, battery: m.battery }, fill(m.sensor, caps), payload, topic)) sink.reading(r);
    }
  }
}
