import path from 'node:path';

/** Server configuration, from environment variables with documented defaults (docs/configuration.md). */
export interface HearthConfig {
  /** HEARTH_HTTP_PORT: API, dashboard, WebSocket stream and MQTT over WebSocket (/mqtt). Default 8080. */
  httpPort: number;
  /** HEARTH_MQTT_PORT: MQTT over TCP for hubs. Default 1883. */
  mqttPort: number;
  /** HEARTH_HOST: the address both listeners bind. Default 127.0.0.1 (set 0.0.0.0 in containers). */
  host: string;
  /** HEARTH_DATA_DIR: where the SQLite file lives. Default ./data. */
  dataDir: string;
  /** HEARTH_DEMO: auto (seed a demo on an empty data folder), on, or off. Default auto. */
  demo: 'auto' | 'on' | 'off';
  /** HEARTH_DEMO_HOMES: how many simulated homes the demo runs. Default 3. */
  demoHomes: number;
  /** HEARTH_SESSION_HOURS: how long a sign-in lasts. Default 12. */
  sessionHours: number;
  /** HEARTH_LATE_SECONDS: an event older than this when it arrives is treated as late. Default 120. */
  lateSeconds: number;
  /** HEARTH_LOG_LEVEL: pino level. Default info. */
  logLevel: string;
  /** HEARTH_COOKIE_SECURE: mark the session cookie Secure. Default true unless HEARTH_HOST is a loopback address. */
  cookieSecure: boolean;
  /** HEARTH_PUBLIC_ORIGIN: comma-separated origins the console is served from besides the request's own host (a reverse proxy). Default none. */
  publicOrigins: string[];
  /** HEARTH_OUTBOUND_ALLOW: comma-separated host:port pairs that outbound channels may reach although not public (a relay on the LAN). Default none. */
  outboundAllow: string[];
  /** HEARTH_INFLUX_USER / HEARTH_INFLUX_PASSWORD: InfluxDB 1.x credentials (HTTP basic auth). Default none. */
  influxUser: string | undefined;
  /** See influxUser. */
  influxPassword: string | undefined;
  /** HEARTH_STORE: where the activity history lives, sqlite (embedded) or influx. Default sqlite. */
  store: 'sqlite' | 'influx';
  /** HEARTH_INFLUX_URL: InfluxDB's v1-compatible HTTP API. Default http://127.0.0.1:8086. */
  influxUrl: string;
  /** HEARTH_INFLUX_DB: the InfluxDB database (bucket). Default hearth. */
  influxDb: string;
  /** HEARTH_INFLUX_TOKEN: API token for InfluxDB 2.x/3.x (sent as "Authorization: Token"). Default none. */
  influxToken: string | undefined;
  /** HEARTH_RETENTION_DAYS: raw events older than this are deleted once summarised (daily summaries stay). Default 400. */
  retentionDays: number;
  /** HEARTH_REJECTION_RETENTION_DAYS: hubs' rejected messages older than this are deleted. Default 30. */
  rejectionRetentionDays: number;
  /** HEARTH_METRICS_TOKEN: bearer token for GET /metrics; without it /metrics answers only on loopback. Default none. */
  metricsToken: string | undefined;
  /** HEARTH_READY_MAX_QUEUE: /api/ready answers 503 when the forwarder queue is deeper than this. Default 100000. */
  readyMaxQueue: number;
  /** HEARTH_INGEST_WRITER: where hub events are written, thread (a writer thread with its own SQLite connection) or main (the main connection). Default thread. */
  ingestWriter: 'thread' | 'main';
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return n;
}

function ingestWriter(raw: string | undefined): HearthConfig['ingestWriter'] {
  const v = raw || 'thread';
  if (v !== 'thread' && v !== 'main') throw new Error(`HEARTH_INGEST_WRITER must be thread or main, got "${v}"`);
  return v;
}

function storeKind(raw: string | undefined): HearthConfig['store'] {
  const v = raw ?? 'sqlite';
  if (v !== 'sqlite' && v !== 'influx') throw new Error(`HEARTH_STORE must be sqlite or influx, got "${v}"`);
  return v;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** Whether a bind address is loopback only (plain HTTP is then acceptable for the cookie). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Read the configuration from an environment (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HearthConfig {
  const demo = (env.HEARTH_DEMO ?? 'auto') as HearthConfig['demo'];
  if (!['auto', 'on', 'off'].includes(demo)) throw new Error(`HEARTH_DEMO must be auto, on or off, got "${demo}"`);
  return {
    httpPort: int(env, 'HEARTH_HTTP_PORT', 8080),
    mqttPort: int(env, 'HEARTH_MQTT_PORT', 1883),
    host: env.HEARTH_HOST ?? '127.0.0.1',
    dataDir: path.resolve(env.HEARTH_DATA_DIR ?? './data'),
    demo,
    demoHomes: int(env, 'HEARTH_DEMO_HOMES', 3),
    sessionHours: int(env, 'HEARTH_SESSION_HOURS', 12),
    lateSeconds: int(env, 'HEARTH_LATE_SECONDS', 120),
    logLevel: env.HEARTH_LOG_LEVEL ?? 'info',
    cookieSecure: env.HEARTH_COOKIE_SECURE === 'true' ? true : env.HEARTH_COOKIE_SECURE === 'false' ? false : !isLoopback(env.HEARTH_HOST ?? '127.0.0.1'),
    publicOrigins: list(env.HEARTH_PUBLIC_ORIGIN),
    outboundAllow: list(env.HEARTH_OUTBOUND_ALLOW).map((h) => h.toLowerCase()),
    influxUser: env.HEARTH_INFLUX_USER || undefined,
    influxPassword: env.HEARTH_INFLUX_PASSWORD || undefined,
    store: storeKind(env.HEARTH_STORE),
    influxUrl: env.HEARTH_INFLUX_URL ?? 'http://127.0.0.1:8086',
    influxDb: env.HEARTH_INFLUX_DB ?? 'hearth',
    influxToken: env.HEARTH_INFLUX_TOKEN || undefined,
    retentionDays: int(env, 'HEARTH_RETENTION_DAYS', 400),
    rejectionRetentionDays: int(env, 'HEARTH_REJECTION_RETENTION_DAYS', 30),
    metricsToken: env.HEARTH_METRICS_TOKEN || undefined,
    readyMaxQueue: int(env, 'HEARTH_READY_MAX_QUEUE', 100_000),
    ingestWriter: ingestWriter(env.HEARTH_INGEST_WRITER),
  };
}
