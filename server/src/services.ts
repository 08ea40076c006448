import type { AlertService } from './alerts/alert-service.ts';
import type { AnomalyCore, HomeSource } from './anomaly/core.ts';
import type { AccessLog } from './audit.ts';
import type { Sessions } from './auth/sessions.ts';
import type { HubBroker } from './broker/broker.ts';
import type { EventBus } from './bus.ts';
import type { Directory } from './care/directory.ts';
import type { Clock } from './clock.ts';
import type { HearthConfig } from './config.ts';
import type { Db } from './db/database.ts';
import type { HearthEvents } from './events.ts';
import type { Ingest } from './ingest/ingest.ts';

/** The long-lived parts of a running server, shared by its plugins. */
export interface HearthServices {
  config: HearthConfig;
  clock: Clock;
  db: Db;
  bus: EventBus<HearthEvents>;
  directory: Directory;
  sessions: Sessions;
  ingest: Ingest;
  broker: HubBroker;
  core: AnomalyCore;
  alerts: AlertService;
  audit: AccessLog;
  /** The homes the detectors know (changed homes read again every minute). */
  homes: HomeSource;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's services (see server/src/services.ts). */
    hearth: HearthServices;
  }
}
