import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { SensorReading } from '../../gateway/src/adapters/adapter.ts';
import { GatewayConfigSchema } from '../../gateway/src/config.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { ALARM_TYPES, Outbox, type NewEvent } from '../../gateway/src/outbox.ts';
import { SENSOR_KINDS, SENSOR_TYPES } from '../../protocol/index.ts';
import { VirtualClock } from '../../server/src/clock.ts';
import type { StoredEvent } from '../../server/src/events.ts';
import { seedOrg, startHearth, tempDir } from '../helpers/hearth.ts';
import { alarmsFirst, testLog, until } from './helpers.ts';

const BACKLOG = 5000;
const dirs: { remove: () => void }[] = [];
function dir(): string {
  const d = tempDir('hearth-alarm-lane-');
  dirs.push(d);
  return d.dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

/** A backlog as a home builds one during an outage: motion, doors, temperatures and batteries from several sensors. */
function backlog(n: number, t0: number): NewEvent[] {
  const out: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const ts = t0 + i * 1000;
    if (i % 50 === 7) out.push({ sensor: 'kitchen-smoke', type: 'battery', value: 80, ts });
    else if (i % 3 === 0) out.push({ sensor: 'front-door', type: 'door', value: i % 2 === 0 ? 'open' : 'closed', ts });
    else if (i % 11 === 0) out.push({ sensor: 'lounge-temp', type: 'temperature', value: 19 + (i % 5), ts });
    else out.push({ sensor: i % 2 ? 'kitchen-pir' : 'hall-pir', type: 'motion', value: i % 4 < 2, ts });
  }
  return out;
}

describe('alarm lane in the outbox', () => {
  it('takes its kinds from the sensor-kind table: fall, call, smoke and water overtake', () => {
    expect([...ALARM_TYPES].sort()).toEqual(SENSOR_TYPES.filter((t) => SENSOR_KINDS[t].priority === 'alarm').sort());
    expect([...ALARM_TYPES].sort()).toEqual(['call', 'fall', 'smoke', 'water']);
  });

  it("puts an alarm, and its sensor's earlier events, before the backlog; later events of that sensor wait their turn", () => {
    const clock = new VirtualClock(Date.parse('2026-11-30T08:00:00Z'));
    const outbox = new Outbox({ file: `${dir()}/outbox.sqlite`, clock, maxEvents: 1000 });
    const q = (e: NewEvent) => {
      const r = outbox.add(e);
      if (!r.ok) throw new Error(r.detail);
      clock.advance(10);
      return r;
    };
    q({ sensor: 'hall-pir', type: 'motion', value: true });
    const battery = q({ sensor: 'kitchen-smoke', type: 'battery', value: 70 });
    q({ sensor: 'hall-pir', type: 'motion', value: false });
    const smoke = q({ sensor: 'kitchen-smoke', type: 'smoke', value: true });
    const after = q({ sensor: 'kitchen-smoke', type: 'battery', value: 69 });
    q({ sensor: 'hall-pir', type: 'motion', value: true });
    const call = q({ sensor: 'pendant', type: 'call', value: 'pressed' });

    const first = outbox.nextBatch(100, new Set());
    expect(first?.lane).toBe('alarm');
    expect(first?.rows.map((r) => r.event.id)).toEqual([battery.event.id, smoke.event.id, call.event.id]);
    // Rows awaiting PUBACK are skipped, not re-sent.
    expect(outbox.nextBatch(100, new Set([battery.seq]))?.rows.map((r) => r.event.id)).toEqual([smoke.event.id, call.event.id]);
    // Once the alarm lane is acknowledged, the routine lane in queue order, the smoke detector's later battery in its place.
    outbox.remove(first!.rows.map((r) => r.seq));
    const rest = outbox.nextBatch(100, new Set());
    expect(rest?.lane).toBe('routine');
    expect(rest?.rows.map((r) => `${r.event.sensor} ${JSON.stringify(r.event.value)}`)).toEqual(['hall-pir true', 'hall-pir false', 'kitchen-smoke 69', 'hall-pir true']);
    expect(rest?.rows[2]!.event.id).toBe(after.event.id);
    outbox.close();
  });

  it('upgrades an outbox written before the alarm lane, keeping every row and putting queued alarms first', () => {
    const file = `${dir()}/outbox.sqlite`;
    const old = new SQLite(file);
    old.exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, critical INTEGER NOT NULL, body TEXT NOT NULL, queued_at INTEGER NOT NULL);
      CREATE INDEX outbox_routine ON outbox(critical, seq);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    const rows = [
      { sensor: 'hall-pir', type: 'motion', value: true },
      { sensor: 'bath-radar', type: 'fall', value: 0.5 },
      { sensor: 'hall-pir', type: 'motion', value: false },
      { sensor: 'bath-radar', type: 'fall', value: true },
    ];
    const ins = old.prepare('INSERT INTO outbox (id, critical, body, queued_at) VALUES (?, ?, ?, ?)');
    rows.forEach((r, i) => ins.run(`01JDR0000000000000000000${i}X`, r.type === 'fall' ? 1 : 0, JSON.stringify({ id: `01JDR0000000000000000000${i}X`, ts: '2026-11-30T08:00:00.000Z', ...r }), 0));
    old.close();

    const outbox = new Outbox({ file, clock: new VirtualClock(0), maxEvents: 1000 });
    expect(outbox.size()).toBe(4);
    const alarm = outbox.nextBatch(10, new Set());
    expect(alarm?.lane).toBe('alarm');
    expect(alarm?.rows.map((r) => r.event.value)).toEqual([0.5, true]);
    outbox.remove(alarm!.rows.map((r) => r.seq));
    expect(outbox.nextBatch(10, new Set())?.rows.map((r) => r.event.value)).toEqual([true, false]);
    outbox.close();
    // Opening it again changes nothing.
    const again = new Outbox({ file, clock: new VirtualClock(0), maxEvents: 1000 });
    expect(again.size()).toBe(2);
    again.close();
  });
});

describe('alarms first, through the real broker and server', () => {
  async function setup() {
    const server = await startHearth();
    const fx = await seedOrg(server.hearth, 'Alarm Lane Trust', 'hub-lane');
    const arrived: StoredEvent[] = [];
    server.hearth.services.bus.on('events.stored', (evs: StoredEvent[]) => void arrived.push(...evs.filter((e) => e.hubId === fx.hub.hubId)));
    const clock = new VirtualClock(Date.now());
    const config = {
      ...GatewayConfigSchema.parse({
        hubId: fx.hub.hubId,
        secret: fx.hub.secret,
        server: { url: `mqtt://127.0.0.1:${server.hearth.ports.mqtt}` },
        dataDir: dir(),
        outbox: { drainEventsPerSecond: 200, batchSize: 100, inFlight: 4 },
      }),
      secret: fx.hub.secret,
    };
    const gateway = new Gateway({ config, clock, log: testLog, adapters: [] });
    return { server, fx, arrived, clock, gateway };
  }
  const fall: SensorReading = { sensor: 'bathroom-radar', type: 'fall', value: true, source: 'test' };

  it('issue 14: a fall queued behind 5,000 buffered events reaches the server first, and nothing is lost', async () => {
    const { server, arrived, clock, gateway } = await setup();
    try {
      // The broadband was down: 5,000 events wait in the outbox, then the fall.
      const queued = gateway.outbox.addMany(backlog(BACKLOG, clock.now() - 3600_000)).map((r) => (r.ok ? r.event : null));
      expect(queued.every(Boolean)).toBe(true);
      const f = gateway.submit(fall);
      if (!f.ok) throw new Error(f.detail);
      expect(gateway.outbox.size()).toBe(BACKLOG + 1);

      await gateway.start();
      await until(() => arrived.length > 0, { what: 'first event stored' });
      expect(arrived[0]!.id).toBe(f.event.id);
      expect(arrived[0]!.type).toBe('fall');

      // The rest drains at its own rate, every event once, each sensor in its own order.
      await until(() => gateway.outbox.size() === 0, { clock, stepMs: 500, realMs: 30_000, what: 'backlog drained' });
      await server.hearth.settle();
      const all = [...queued.map((e) => e!), f.event];
      expect(arrived.map((e) => e.id)).toEqual(alarmsFirst(all, ALARM_TYPES).map((e) => e.id));
      const bySensor = (list: { id: string; sensor: string }[]) => {
        const m = new Map<string, string[]>();
        for (const e of list) m.set(e.sensor, [...(m.get(e.sensor) ?? []), e.id]);
        return m;
      };
      expect(bySensor(arrived)).toEqual(bySensor(all));
      const alerts = await server.hearth.services.db.selectFrom('alerts').select('type').where('type', '=', 'fall').execute();
      expect(alerts).toHaveLength(1);
    } finally {
      await gateway.stop();
      await server.close();
    }
  });

  it('a fall raised mid-drain overtakes the rest of the backlog without waiting for the drain rate', async () => {
    const { server, arrived, clock, gateway } = await setup();
    try {
      gateway.outbox.addMany(backlog(BACKLOG, clock.now() - 3600_000));
      await gateway.start();
      // Let the drain get going (virtual time: 200 events a second), then stop the clock.
      await until(() => arrived.length >= 400, { clock, stepMs: 250, what: 'drain under way' });
      const f = gateway.submit(fall);
      if (!f.ok) throw new Error(f.detail);
      // No clock movement from here on: the token bucket is empty, yet the fall goes.
      await until(() => arrived.some((e) => e.id === f.event.id), { what: 'fall stored' });
      const at = arrived.findIndex((e) => e.id === f.event.id);
      expect(at).toBeLessThan(1000); // at most what was already on the wire went before it
      expect(gateway.outbox.size()).toBeGreaterThan(BACKLOG - 1000);
      await until(() => gateway.outbox.size() === 0, { clock, stepMs: 500, realMs: 30_000, what: 'backlog drained' });
      await server.hearth.settle();
      expect(new Set(arrived.map((e) => e.id)).size).toBe(BACKLOG + 1);
    } finally {
      await gateway.stop();
      await server.close();
    }
  });
});
