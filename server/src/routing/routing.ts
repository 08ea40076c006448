import type { Logger } from 'pino';
import type { AlertService } from '../alerts/alert-service.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { Channels } from '../notify/channels.ts';
import { DEFAULT_RETRY, Notifier, senderFor, type RetryPolicy } from '../notify/notifier.ts';
import type { OutboundPolicy } from '../notify/outbound.ts';
import { ServiceReports } from '../reports/service-report.ts';
import { Deadlines } from './deadlines.ts';
import { Router } from './router.ts';

/** Alert routing's long-lived parts, built together and wired into the alert service. */
export interface Routing {
  deadlines: Deadlines;
  notifier: Notifier;
  router: Router;
  channels: Channels;
  reports: ServiceReports;
  /** Fire deadlines that passed while the server was down, arm the rest, resume pending notifications. */
  start(): Promise<void>;
  /** Clear timers and wait for work in flight; pending deadlines and notifications resume at the next start. */
  stop(): Promise<void>;
  /** Wait until deadline firings, the transitions they cause and deliveries in flight are all done (tests). */
  settle(): Promise<void>;
}

/** Build routing for a server and attach it to the alert service. */
export function createRouting(input: { db: Db; clock: Clock; log: Logger; alerts: AlertService; retry?: RetryPolicy; outbound?: OutboundPolicy }): Routing {
  const { db, clock, log, alerts } = input;
  const deadlines = new Deadlines(db, clock, log.child({ part: 'deadlines' }));
  const notifier = new Notifier(db, clock, log.child({ part: 'notify' }), input.retry ?? DEFAULT_RETRY, senderFor(input.outbound));
  const router = new Router(db, clock, deadlines, notifier, log.child({ part: 'router' }));
  alerts.attach(router, deadlines);
  const channels = new Channels(db, () => clock.now());
  const reports = new ServiceReports(db, () => clock.now());
  const settle = async (): Promise<void> => {
    // Each part can start work in another (a deadline fires a transition that queues a delivery), so repeat until still.
    for (let i = 0; i < 10; i++) {
      await deadlines.drain();
      await alerts.drain();
      await notifier.kick();
      await notifier.drain();
      await new Promise((r) => setImmediate(r));
    }
  };
  return {
    deadlines,
    notifier,
    router,
    channels,
    reports,
    async start() {
      await deadlines.start();
      await notifier.start();
    },
    async stop() {
      await deadlines.stop();
      await alerts.drain();
      await notifier.stop();
    },
    settle,
  };
}
