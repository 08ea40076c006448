// Alert routing speed: raising urgent alerts through the alert service with routing (decision, deadlines,
// log, in one transaction each), firing deadlines that passed while the server was down, and webhook
// delivery to a local HTTP server. Each figure is also given as a ratio to a baseline measured in the
// same run: the same number of bare alert + log inserts, one transaction each.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { AlertService } from '../../server/src/alerts/alert-service.ts';
import type { AlertSignal } from '../../server/src/anomaly/detector.ts';
import { EventBus } from '../../server/src/bus.ts';
import { Directory } from '../../server/src/care/directory.ts';
import { VirtualClock } from '../../server/src/clock.ts';
import { openDatabase } from '../../server/src/db/database.ts';
import type { HearthEvents } from '../../server/src/events.ts';
import { createRouting } from '../../server/src/routing/routing.ts';
import { tempDir } from '../helpers/hearth.ts';
import type { BenchResult } from './main.ts';

const N = 400;
const HOOKS = 200;

/** Run the routing benchmark. */
export async function run(): Promise<BenchResult> {
  const tmp = tempDir('hearth-bench-routing-');
  const log = pino({ level: 'silent' });
  const T0 = Date.parse('2026-11-02T10:00:00Z');
  try {
    const file = path.join(tmp.dir, 'hearth.sqlite');
    let { db } = await openDatabase(file);
    let clock = new VirtualClock(T0);
    const d = new Directory(db, () => clock.now());
    const org = await d.addOrganisation('Bench');
    const nb = await d.addNeighbourhood({ orgId: org.id, name: 'Bench North' });
    const residents: string[] = [];
    for (let i = 0; i < N + HOOKS; i++) residents.push((await d.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: `R${i}` })).id);

    // Baseline: bare inserts of an alert row and a log row, a transaction each.
    let t = performance.now();
    for (let i = 0; i < N; i++) {
      await db.transaction().execute(async (trx) => {
        const id = `base-${i}`;
        await trx
          .insertInto('alerts')
          .values({
            id, org_id: org.id, hub_id: 'h', resident_id: null, subject: id, type: 'fall', severity: 'urgent', state: 'resolved',
            occurred_at: T0, raised_at: T0, updated_at: T0, repeat_count: 0, cause: '{}', late: 0, acknowledged_at: null, acknowledged_by: null,
            cleared_at: null, cleared_by: null, closed_at: T0, outcome: 'no-harm', neighbourhood_id: null, dispatched_at: null, dispatched_by: null,
            dispatch_target: null, on_site_at: null, on_site_by: null, escalated_at: null, escalation_level: 0, response_warning_at: null, response_breached_at: null,
          })
          .execute();
        await trx.insertInto('alert_log').values({ alert_id: id, at: T0, action: 'raised', actor: null, detail: '{}' }).execute();
      });
    }
    const baselineMs = performance.now() - t;

    let alerts = new AlertService(db, new EventBus<HearthEvents>(log), clock, log);
    // The local receiver below joins the outbound allow-list once it listens.
    const outbound = { allow: [] as string[] };
    let routing = createRouting({ db, clock, log, alerts, outbound });
    await routing.start();
    const signal = (residentId: string): AlertSignal => ({
      action: 'raise', type: 'fall', orgId: org.id, hubId: 'hub-bench', residentId, occurredAt: T0, at: T0, late: false,
      cause: { rule: 'bench', summary: 'bench fall', events: [] },
    });
    t = performance.now();
    await Promise.all(residents.slice(0, N).map((r) => alerts.handleSignal(signal(r))));
    await routing.settle();
    const raiseMs = performance.now() - t;
    await routing.stop();
    await db.destroy();

    // Restart five minutes later: every alert's 60 s and 120 s deadlines are overdue and fire at start.
    ({ db } = await openDatabase(file));
    clock = new VirtualClock(T0 + 5 * 60_000);
    alerts = new AlertService(db, new EventBus<HearthEvents>(log), clock, log);
    routing = createRouting({ db, clock, log, alerts, outbound });
    t = performance.now();
    await routing.start();
    await routing.settle();
    const fireMs = performance.now() - t;
    const fired = Number((await db.selectFrom('deadlines').select((eb) => eb.fn.countAll<number>().as('n')).where('fired_at', 'is not', null).executeTakeFirstOrThrow()).n);

    // Webhook fan-out: one signed POST per alert to a local HTTP server.
    let received = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    outbound.allow.push(`127.0.0.1:${(server.address() as AddressInfo).port}`);
    await routing.channels.add({ orgId: org.id, ownerType: 'team', ownerId: nb.id, kind: 'webhook', config: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, secret: 'bench-secret-0123456789' } });
    t = performance.now();
    await Promise.all(residents.slice(N).map((r) => alerts.handleSignal(signal(r))));
    await routing.settle();
    const hookMs = performance.now() - t;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await routing.stop();
    await db.destroy();

    return {
      title: `Alert routing: ${N} urgent alerts raised and routed, their deadlines fired after a restart, ${HOOKS} webhook deliveries`,
      figures: {
        'baseline: bare alert+log inserts per s': Math.round(N / (baselineMs / 1000)),
        'alerts raised and routed per s': Math.round(N / (raiseMs / 1000)),
        'raise+route cost vs bare insert (x)': raiseMs / baselineMs,
        'overdue deadlines fired at start': fired,
        'overdue deadlines fired per s': Math.round(fired / (fireMs / 1000)),
        'webhook deliveries received': received,
        'alerts raised and delivered by webhook per s': Math.round(HOOKS / (hookMs / 1000)),
      },
    };
  } finally {
    tmp.remove();
  }
}
