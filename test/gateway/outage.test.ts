import { afterAll, describe, expect, it } from 'vitest';
import { SimulatorAdapter, SimulatorConfigSchema } from '../../gateway/src/adapters/simulator.ts';
import { GatewayConfigSchema } from '../../gateway/src/config.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { ALARM_TYPES } from '../../gateway/src/outbox.ts';
import { VirtualClock } from '../../server/src/clock.ts';
import type { StoredEvent } from '../../server/src/events.ts';
import { seedOrg, startHearth, tempDir } from '../helpers/hearth.ts';
import { alarmsFirst, startLink, testLog, until } from './helpers.ts';

const T0 = Date.parse('2026-11-26T09:00:00Z');
const MIN = 60_000;

describe('gateway through a ten-minute broker outage (virtual time)', () => {
  const serverDir = tempDir('hearth-outage-server-');
  const gatewayDir = tempDir('hearth-outage-gw-');
  afterAll(() => {
    serverDir.remove();
    gatewayDir.remove();
  });

  it('delivers every event exactly once, in order, marked late, and the fall alert is late', async () => {
    const clock = new VirtualClock(T0);
    let server = await startHearth({ clock, dataDir: serverDir.dir });
    const fx = await seedOrg(server.hearth, 'Outage Trust', 'hub-outage');
    const mqttPort = server.hearth.ports.mqtt;
    // The gateway reaches the server through a relay standing in for the home's broadband.
    const link = await startLink(() => mqttPort);
    const stored: StoredEvent[] = [];
    const listen = (h: typeof server): void => void h.hearth.services.bus.on('events.stored', (evs: StoredEvent[]) => void stored.push(...evs));
    listen(server);

    const config = { ...GatewayConfigSchema.parse({
      hubId: fx.hub.hubId,
      secret: fx.hub.secret,
      server: { url: `mqtt://127.0.0.1:${link.port}` },
      dataDir: gatewayDir.dir,
      heartbeatSeconds: 60,
      outbox: { maxEvents: 10_000, drainEventsPerSecond: 20, batchSize: 10, inFlight: 2 },
      backoff: { minSeconds: 1, maxSeconds: 30 },
    }), secret: fx.hub.secret };
    // The resident moves every 15 s; a fall is scripted 5 minutes into the outage.
    const resident = new SimulatorAdapter(
      SimulatorConfigSchema.parse({ kind: 'simulator', seed: 7, stepSeconds: 15, script: [{ afterSeconds: 6 * 60, sensor: 'hall-fall', type: 'fall', value: true }] }),
      clock,
    );
    const gateway = new Gateway({ config, clock, log: testLog, adapters: [resident], random: () => 0.5 });
    await gateway.start();
    await until(() => gateway.link.isOnline(), { what: 'gateway online' });

    // One minute of normal life: delivered live, not late.
    await until(() => clock.now() >= T0 + MIN, { clock, stepMs: 1000, what: 'first minute' });
    await until(() => gateway.outbox.size() === 0, { clock, stepMs: 100, what: 'live drain' });
    await server.hearth.settle();
    const live = stored.length;
    expect(live).toBeGreaterThan(0);
    expect(stored.every((e) => !e.late)).toBe(true);

    // Broadband drops and the server (with its broker) goes down, for ten minutes;
    // the resident carries on, and falls.
    await link.cut();
    await until(() => !gateway.link.isOnline(), { what: 'gateway notices' });
    await server.close();
    const outageStart = clock.now();
    while (clock.now() < outageStart + 10 * MIN) {
      clock.advance(1000);
      await new Promise((r) => setImmediate(r));
    }
    await resident.stop(); // no more live events: what follows is the backlog alone
    const backlog = gateway.outbox.next(0, 100_000).map((r) => r.event);
    expect(backlog.length).toBeGreaterThan(60);
    expect(backlog.some((e) => e.type === 'fall')).toBe(true);
    expect(stored.length).toBe(live);

    // Two more minutes of silence, then the server is back on the same data and port.
    clock.advance(2 * MIN);
    server = await startHearth({ clock, dataDir: serverDir.dir, mqttPort });
    listen(server);
    await link.restore();
    await until(() => gateway.outbox.size() === 0, { clock, stepMs: 200, realMs: 20_000, what: 'backlog drained' });
    await server.hearth.settle();

    // Exactly once, in order (alarms first, each sensor's own order kept), each marked late by the server.
    const arrived = stored.slice(live);
    expect(arrived.map((e) => e.id)).toEqual(alarmsFirst(backlog, ALARM_TYPES).map((e) => e.id));
    const rows = await server.hearth.services.db.selectFrom('events').select(['event_id', 'late', 'ts', 'received_at']).where('hub_id', '=', fx.hub.hubId).execute();
    expect(rows).toHaveLength(live + backlog.length);
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    for (const e of backlog) {
      const row = byId.get(e.id)!;
      expect(row.late).toBe(1);
      expect(row.received_at - row.ts).toBeGreaterThan(120_000);
    }
    expect(server.hearth.services.ingest.stats(fx.hub.hubId)[fx.hub.hubId]!.duplicates).toBe(0);

    // The drain respected its rate: 20 events/s of virtual time, no faster.
    const drainSpan = Math.max(...arrived.map((e) => e.receivedAt)) - Math.min(...arrived.map((e) => e.receivedAt));
    expect(drainSpan).toBeGreaterThanOrEqual(((backlog.length - 10) / 20) * 1000 - 1000);

    // The detectors treated the fall as late: the alert says so.
    const alerts = await server.hearth.services.db.selectFrom('alerts').select(['type', 'late']).where('hub_id', '=', fx.hub.hubId).execute();
    expect(alerts.find((a) => a.type === 'fall')?.late).toBe(1);

    await gateway.stop();
    await server.close();
    await link.cut();
  });
});
