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
  /** HEARTH_COOKIE_SECURE: mark the session cookie Secure (behind TLS). Default false. */
  cookieSecure: boolean;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return n;
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
    cookieSecure: env.HEARTH_COOKIE_SECURE === 'true',
  };
}
