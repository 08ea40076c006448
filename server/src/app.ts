import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { pino, type Logger } from 'pino';
import { createWebSocketStream } from 'ws';
import { z } from 'zod';
import { AlertService } from './alerts/alert-service.ts';
import { AnomalyCore, type HomeSource } from './anomaly/core.ts';
import { DetectorStateStore } from './anomaly/state-store.ts';
import type { DetectorFactory } from './anomaly/detector.ts';
import { AccessLog } from './audit.ts';
import { Sessions } from './auth/sessions.ts';
import { HubBroker } from './broker/broker.ts';
import { EventBus } from './bus.ts';
import { Directory, type HomeInfo } from './care/directory.ts';
import { SystemClock, type Clock, type TimerHandle } from './clock.ts';
import type { HearthConfig } from './config.ts';
import { openDatabase, type OpenedDb } from './db/database.ts';
import type { HearthEvents, StoredEvent } from './events.ts';
import { CoreFeed } from './ingest/core-feed.ts';
import { HubMessages } from './ingest/hub-messages.ts';
import { Commissioning } from './care/commissioning.ts';
import { commissioningRoutes } from './api/commissioning-routes.ts';
import { hubHealthRoutes } from './api/hub-health-routes.ts';
import { Ingest } from './ingest/ingest.ts';
import { InlineSink, ThreadSink } from './ingest/moment-sink.ts';
import { alertRoutes } from './api/alert-routes.ts';
import { auditRoutes } from './api/audit-routes.ts';
import { authPlugin } from './api/auth-plugin.ts';
import { errorsPlugin } from './api/errors-plugin.ts';
import { hubRoutes } from './api/hub-routes.ts';
import { sessionRoutes } from './api/session-routes.ts';
import { userRoutes } from './api/user-routes.ts';
import { streamRoutes } from './api/stream.ts';
import { careRoutes } from './api/care-routes.ts';
import { channelRoutes } from './api/channel-routes.ts';
import { reportRoutes } from './api/report-routes.ts';
import { adminRoutes } from './api/admin-routes.ts';
import { channelTestRoutes } from './api/channel-test-routes.ts';
import { orgSettingsRoutes } from './api/org-settings-routes.ts';
import { subjectAccessRoutes } from './api/subject-access-routes.ts';
import { residentRecordRoutes } from './api/resident-record-routes.ts';
import { createRouting } from './routing/routing.ts';
import { trendRoutes } from './api/trend-routes.ts';
import { opsRoutes } from './api/ops-routes.ts';
import { caseloadRoutes } from './api/caseload-routes.ts';
import { residentPageRoutes } from './api/resident-page-routes.ts';
import { createHistory, type History } from './store/history.ts';
import type { HearthServices } from './services.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Where `npm run build:dashboard` puts the console. */
export const DASHBOARD_DIST = path.resolve(HERE, '../../dashboard/dist');

/** Options for building a server; everything but config has a default. */
export interface HearthOptions {
  config: HearthConfig;
  clock?: Clock;
  logger?: Logger;
  detectors?: DetectorFactory[];
  /** Database file; default `<dataDir>/hearth.sqlite`. */
  dbFile?: string;
}

/** A built server: its services, the Fastify app, and its lifecycle. */
export interface Hearth {
  app: FastifyInstance;
  services: HearthServices;
  /** Bound ports, after start(). */
  ports: { http: number; mqtt: number };
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Wait until every event and signal handed in so far has been stored and acted on (tests). */
  settle(): Promise<void>;
  /** Activity history: event store, trends, scheduled jobs. */
  history: History;
}

/**
 * The homes the detectors know, cached in memory so the core stays
 * synchronous; all loaded at start, then every minute the homes that changed
 * (from any process: the CLI may commission from another), which triggers mark.
 */
class LiveHomes implements HomeSource {
  private readonly homes = new Map<string, HomeInfo>();
  /** A refresh failed after the marks were taken: the next one reads every home. */
  private readAllNext = false;

  constructor(private readonly directory: Directory) {}

  get(hubId: string): HomeInfo | undefined {
    return this.homes.get(hubId);
  }

  async ensure(hubIds: Iterable<string>): Promise<void> {
    for (const id of new Set(hubIds)) if (!this.homes.has(id)) await this.reload(id);
  }

  async reload(hubId: string): Promise<void> {
    const home = await this.directory.getHome(hubId);
    if (home) this.homes.set(hubId, home);
    else this.homes.delete(hubId);
  }

  /** Read every home (at start, and after a refresh that failed). */
  async reloadAll(): Promise<void> {
    this.readAllNext = true; // until it has succeeded: the marks are cleared first
    await this.directory.clearHomeChanges();
    const all = await this.directory.getHomes();
    for (const id of this.homes.keys()) if (!all.has(id)) this.homes.delete(id);
    for (const [id, home] of all) this.homes.set(id, home);
    this.readAllNext = false;
  }

  /** Read again the homes marked as changed since the last read; how many. */
  async reloadChanged(): Promise<number> {
    if (this.readAllNext) {
      await this.reloadAll();
      return this.homes.size;
    }
    const ids = await this.directory.takeHomeChanges();
    if (!ids.length) return 0;
    let fresh: Map<string, HomeInfo>;
    try {
      fresh = await this.directory.getHomes(ids);
    } catch (err) {
      this.readAllNext = true; // their marks are gone: read every home next time
      throw err;
    }
    for (const id of ids) {
      const home = fresh.get(id);
      if (home) this.homes.set(id, home);
      else this.homes.delete(id);
    }
    return ids.length;
  }
}

/** Build a Hearth server (not yet listening). */
export async function createHearth(options: HearthOptions): Promise<Hearth> {
  const { config } = options;
  const clock = options.clock ?? new SystemClock();
  const log =
    options.logger ??
    pino({
      level: config.logLevel,
      // Secrets never reach the log: passwords, tokens, hub secrets, cookies.
      redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.secret', '*.token'],
    });
  const opened: OpenedDb = await openDatabase(options.dbFile ?? path.join(config.dataDir, 'hearth.sqlite'));
  const { db } = opened;
  const bus = new EventBus<HearthEvents>(log.child({ part: 'bus' }));
  const directory = new Directory(db, () => clock.now());
  const sessions = new Sessions(db, directory, clock, config.sessionHours * 3600_000);
  // A file database is written by a thread of its own (moment-sink.ts); an in-memory one cannot be shared.
  const sink = opened.file === ':memory:' || config.ingestWriter === 'main' ? new InlineSink(db, opened.raw) : new ThreadSink(opened.file, log.child({ part: 'ingest-writer' }), opened.gate);
  const ingest = new Ingest(bus, clock, log.child({ part: 'ingest' }), { sink, lateSeconds: config.lateSeconds });
  const broker = new HubBroker(directory, ingest, bus, clock, log.child({ part: 'broker' }), { db });
  const alerts = new AlertService(db, bus, clock, log.child({ part: 'alerts' }));
  // Alert routing: lifecycle clocks (persisted deadlines), routing table, outbound notifications, service reports.
  // Outbound channels reach public addresses only, unless HEARTH_OUTBOUND_ALLOW names a host:port (docs/security.md).
  const routing = createRouting({ db, clock, alerts, log: log.child({ part: 'routing' }), outbound: { allow: config.outboundAllow } });
  const audit = new AccessLog(db, clock);
  const history = await createHistory({ config, db, bus, directory, clock, log });
  const homes = new LiveHomes(directory);
  // Homes registered from the console are "being commissioned" until live: their alarms are marked, never held back.
  const commissioning = new Commissioning(db, clock);
  broker.hubMessages = new HubMessages(db, clock, log.child({ part: 'hub-messages' }));
  const core = new AnomalyCore({
    clock,
    homes,
    log: log.child({ part: 'anomaly' }),
    ...(options.detectors ? { factories: options.detectors } : {}),
    sink: (signal) => {
      alerts.handleSignal(commissioning.mark(signal, homes.get(signal.hubId))).catch((err: unknown) => log.error({ err, type: signal.type }, 'alert signal failed'));
    },
  });

  // Stored events reach the detectors in the order they were stored, with a checkpoint for crash recovery.
  const feed = new CoreFeed(db, core, (ids) => homes.ensure(ids), () => alerts.drain(), (name, value) => ingest.checkpoint(name, value), log.child({ part: 'feed' }));
  // Learned norms and pending conditions survive a restart (docs/detection-rules.md, "Restarts").
  const detectorState = new DetectorStateStore({ db, core, clock, log: log.child({ part: 'detector-state' }), alertsDurable: () => alerts.drain() });
  bus.on('events.stored', (events: StoredEvent[]) => feed.handle(events));
  // After an alarm moment, routine moments wait for its alerts to be on disk (ingest.ts, afterAlarm).
  ingest.afterAlarm = async () => {
    await feed.fed();
    await alerts.drain();
  };
  // Hub heartbeats, statuses (the last will among them) and connections feed the technical rules.
  // While the server itself stops, the hubs' connections closing (and the wills aedes then publishes
  // for them) are not hub outages: those signals do not reach the detectors.
  let stopping = false;
  const toCore = (hubId: string, fn: () => void): Promise<void> =>
    stopping
      ? Promise.resolve()
      : homes
          .ensure([hubId])
          .then(() => (stopping ? undefined : fn()))
          .catch((err: unknown) => log.error({ err }, 'hub signal failed'));
  bus.on('hub.heartbeat', (h) => toCore(h.hubId, () => core.hubHeartbeat(h.hubId, h.seq, h.at)));
  bus.on('hub.status', (s) => toCore(s.hubId, () => core.hubStatus(s.hubId, s.status.state === 'online', s.at, s.status.power)));
  bus.on('hub.connection', (c) => toCore(c.hubId, () => core.hubConnection(c.hubId, c.connected, c.at)));

  const services: HearthServices = { config, clock, db, bus, directory, sessions, ingest, broker, core, alerts, audit, homes };

  const app: FastifyInstance = Fastify({
    // Request lines only at debug level: a console polling every few seconds would drown the log.
    loggerInstance: log.child(
      { part: 'http' },
      // Never more verbose than the parent (tests pass a silent logger), and at least warn unless debugging.
      { level: log.levelVal <= 20 ? log.level : log.levelVal >= 40 ? log.level : 'warn' },
    ) as unknown as FastifyBaseLogger,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(
    fp(
      async (a) => {
        a.decorate('hearth', services);
      },
      { name: 'hearth-services' },
    ),
  );
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Hearth API',
        version: '0.1.0',
        // WebSocket routes are not listed as paths by @fastify/swagger, so they are described here.
        description:
          'Home telecare and sensor monitoring. Live alert changes: WebSocket GET /api/stream (session cookie or bearer token), ' +
          'messages {"type":"alert","change","alert"}. Hubs: MQTT over TCP, or over WebSocket at GET /mqtt (docs/protocol.md).',
      },
      components: { securitySchemes: { session: { type: 'http', scheme: 'bearer' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(websocket, { options: { maxPayload: 1 << 20 } });
  await app.register(errorsPlugin);
  await app.register(authPlugin);

  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness, without personal data',
        tags: ['health'],
        response: { 200: z.object({ status: z.literal('ok'), time: z.string(), detectorFailures: z.number(), busFailures: z.number() }) },
      },
    },
    async () => ({ status: 'ok' as const, time: new Date(clock.now()).toISOString(), detectorFailures: core.failures, busFailures: bus.failures }),
  );
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  // Readiness and Prometheus metrics (docs/security-broker.md says who may read /metrics).
  await app.register(opsRoutes);
  await app.register(sessionRoutes);
  await app.register(userRoutes);
  await app.register(alertRoutes);
  await app.register(hubRoutes);
  await app.register(commissioningRoutes, { commissioning, reloadHome: (hubId: string) => homes.reload(hubId), mqttPort: () => hearth.ports.mqtt });
  await app.register(hubHealthRoutes);
  await app.register(streamRoutes);
  await app.register(auditRoutes);
  await app.register(careRoutes, { routing });
  await app.register(channelRoutes, { routing });
  await app.register(reportRoutes, { routing });
  // Administration (issue 13): users with disabled ones, channel tests and deliveries, organisation settings, subject access.
  await app.register(adminRoutes);
  await app.register(channelTestRoutes, { routing });
  await app.register(orgSettingsRoutes);
  await app.register(subjectAccessRoutes);
  await app.register(residentRecordRoutes);
  await app.register(trendRoutes, { trends: history.trends });
  await app.register(caseloadRoutes, { trends: history.trends, store: history.store });
  await app.register(residentPageRoutes, { trends: history.trends, store: history.store });
  // MQTT over WebSocket for browsers and installers' tools: hubs authenticate in MQTT CONNECT.
  app.get('/mqtt', { websocket: true, schema: { hide: true } }, (socket, req) => {
    broker.handleStream(createWebSocketStream(socket), req.raw);
  });
  if (fs.existsSync(path.join(DASHBOARD_DIST, 'index.html'))) {
    await app.register(fastifyStatic, { root: DASHBOARD_DIST, prefix: '/', wildcard: false });
  }

  let refresh: TimerHandle | undefined;
  let refreshing: Promise<unknown> = Promise.resolve();
  const hearth: Hearth = {
    app,
    services,
    ports: { http: 0, mqtt: 0 },
    history,
    async start() {
      stopping = false;
      await homes.reloadAll();
      await commissioning.load();
      await detectorState.restoreAll();
      await feed.recover();
      const refreshLoop = (): void => {
        refreshing = homes.reloadChanged().catch((err: unknown) => log.error({ err }, 'home refresh failed'));
        refresh = clock.setTimeout(refreshLoop, 60_000);
      };
      refresh = clock.setTimeout(refreshLoop, 60_000);
      core.start();
      detectorState.start();
      await routing.start();
      history.start();
      hearth.ports.mqtt = await broker.start(config.mqttPort, config.host);
      await app.listen({ port: config.httpPort, host: config.host });
      const addr = app.server.address();
      hearth.ports.http = typeof addr === 'object' && addr ? addr.port : config.httpPort;
      log.info({ http: hearth.ports.http, mqtt: hearth.ports.mqtt, dataDir: config.dataDir }, 'Hearth server listening');
    },
    async stop() {
      stopping = true;
      if (refresh) clock.clearTimeout(refresh);
      core.stop();
      await broker.stop();
      await app.close();
      await ingest.drain();
      await feed.drain();
      await alerts.drain();
      await detectorState.stop();
      await history.stop();
      await routing.stop();
      await ingest.close();
      await db.destroy();
    },
    async settle() {
      await refreshing;
      await ingest.drain();
      await feed.drain();
      await alerts.drain();
      await detectorState.drain();
      await history.settle();
      await routing.settle();
    },
  };
  return hearth;
}
