import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HubId } from '../../protocol/index.ts';
import { MqttJsonConfigSchema } from './adapters/mqtt-json.ts';
import { SimulatorConfigSchema } from './adapters/simulator.ts';
import { Zigbee2MqttConfigSchema } from './adapters/zigbee2mqtt.ts';

/** The gateway's config file (JSON); every setting but the hub's identity has a default. docs/gateway.md describes it. */
export const GatewayConfigSchema = z
  .object({
    hubId: HubId,
    /** The hub secret issued when the hub was commissioned. */
    secret: z.string().min(1).optional(),
    /** A file holding the secret (so the config can be shared without it). */
    secretFile: z.string().optional(),
    /** Not used: the console shows the hub secret once, inside a ready config file (docs/installer.md). Accepted only to say so. */
    claimCode: z.string().optional(),
    server: z.object({
      /** mqtt://host:1883 or mqtts://host:8883. */
      url: z.string().regex(/^(mqtts?|wss?):\/\//, 'server.url must start with mqtt://, mqtts://, ws:// or wss://'),
      /** TLS material (PEM file paths), used with mqtts:// or wss://. */
      tls: z
        .object({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional(), rejectUnauthorized: z.boolean().default(true) })
        .optional(),
    }),
    /** Where the outbox lives. Relative paths are taken from the config file's folder. */
    dataDir: z.string().default('./gateway-data'),
    firmware: z.string().max(64).default('hearth-gateway 0.1.0'),
    power: z.enum(['mains', 'battery']).optional(),
    heartbeatSeconds: z.number().int().min(5).max(3600).default(60),
    outbox: z
      .object({
        /** Bound on queued events (routine ones are evicted oldest first beyond it). */
        maxEvents: z.number().int().min(10).default(200_000),
        /** Drain rate after a reconnect, events per second. */
        drainEventsPerSecond: z.number().min(1).default(200),
        /** Events per MQTT message (1 to 500). */
        batchSize: z.number().int().min(1).max(500).default(100),
        /** Messages awaiting PUBACK at once. */
        inFlight: z.number().int().min(1).max(32).default(4),
      })
      .default({ maxEvents: 200_000, drainEventsPerSecond: 200, batchSize: 100, inFlight: 4 }),
    backoff: z
      .object({ minSeconds: z.number().min(0.1).default(1), maxSeconds: z.number().min(1).default(300) })
      .default({ minSeconds: 1, maxSeconds: 300 }),
    adapters: z.array(z.discriminatedUnion('kind', [Zigbee2MqttConfigSchema, MqttJsonConfigSchema, SimulatorConfigSchema])).default([]),
  })
  .strict();
/** A parsed gateway configuration. */
export type GatewayConfig = z.output<typeof GatewayConfigSchema>;
/** A gateway configuration as written. */
export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;

/** A config file that cannot be used, with a message for the installer. */
export class ConfigError extends Error {}

/** Read and check a config file; resolves dataDir and secretFile against its folder and loads the secret. */
export function loadGatewayConfig(file: string): GatewayConfig & { secret: string } {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  const r = GatewayConfigSchema.safeParse(json);
  if (!r.success) throw new ConfigError(`config ${file}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const base = path.dirname(path.resolve(file));
  const cfg = { ...r.data, dataDir: path.resolve(base, r.data.dataDir) };
  let secret = cfg.secret;
  if (!secret && cfg.secretFile) secret = fs.readFileSync(path.resolve(base, cfg.secretFile), 'utf8').trim();
  if (!secret) {
    if (cfg.claimCode) throw new ConfigError('claim codes are not used: register the hub in the Hearth console (Hubs, "Register a hub"), which shows its secret once inside a ready config file; put that file here');
    throw new ConfigError('config needs the hub secret: secret or secretFile');
  }
  return { ...cfg, secret };
}
