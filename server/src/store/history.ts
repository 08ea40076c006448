import type { Logger } from 'pino';
import type { EventBus } from '../bus.ts';
import type { Directory } from '../care/directory.ts';
import { SystemClock, type Clock } from '../clock.ts';
import type { HearthConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { HearthEvents } from '../events.ts';
import { Jobs } from '../jobs/jobs.ts';
import { TrendService } from '../trends/trend-service.ts';
import type { EventStore } from './event-store.ts';
import { StoreForwarder } from './forwarder.ts';
import { openEventStore } from './open-store.ts';
import { HubPresence } from './presence.ts';

/** Activity history: the event store, hub presence, forwarding to InfluxDB, trends and scheduled jobs. */
export interface History {
  store: EventStore;
  presence: HubPresence;
  /** Present when the store is InfluxDB. */
  forwarder: StoreForwarder | null;
  trends: TrendService;
  jobs: Jobs;
  start(): void;
  stop(): Promise<void>;
  /** Wait until presence is written and the forwarder is idle (tests). */
  settle(): Promise<void>;
}

/** Build the activity history services of a server. */
export async function createHistory(deps: { config: HearthConfig; db: Db; bus: EventBus<HearthEvents>; directory: Directory; clock: Clock; log: Logger }): Promise<History> {
  const { config, db, bus, directory, clock, log } = deps;
  const store = openEventStore(config, db);
  const presence = new HubPresence(db, log.child({ part: 'presence' }));
  presence.attach(bus);
  let forwarder: StoreForwarder | null = null;
  if (config.store === 'influx') {
    await StoreForwarder.enable(db);
    const f = new StoreForwarder(db, store, clock, log.child({ part: 'store' }));
    bus.on('events.stored', () => f.kick());
    forwarder = f;
  } else {
    await StoreForwarder.disable(db);
  }
  const trends = new TrendService(db, store, presence, directory, clock);
  const jobs = new Jobs({
    db,
    clock,
    log: log.child({ part: 'jobs' }),
    trends,
    store,
    presence,
    retentionDays: config.retentionDays,
    rejectionRetentionDays: config.rejectionRetentionDays,
    localQueue: forwarder !== null,
    ...(forwarder ? { pendingSince: () => forwarder!.oldestPending() } : {}),
    // node-cron runs in real time; under a virtual clock the caller runs jobs itself (runDue).
    schedule: clock instanceof SystemClock,
  });
  return {
    store,
    presence,
    forwarder,
    trends,
    jobs,
    start() {
      forwarder?.start();
      jobs.start();
    },
    async stop() {
      await jobs.stop();
      await forwarder?.stop();
      await presence.drain();
      await store.close();
    },
    async settle() {
      await presence.drain();
      await forwarder?.idle();
    },
  };
}
