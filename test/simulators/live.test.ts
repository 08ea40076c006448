import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubEventSchema } from '../../protocol/index.ts';
import { seedDemo, type DemoState } from '../../server/src/demo/seed.ts';
import { startLiveSimulation } from '../../simulators/src/live.ts';
import { startHearth } from '../helpers/hearth.ts';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('live simulation against the real broker', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let demo: DemoState;
  beforeAll(async () => {
    h = await startHearth();
    demo = await seedDemo(h.hearth.services.directory, h.dataDir, 2);
  });
  afterAll(async () => h.close());

  it('connects each home as its hub, stores its events, raises the injected fall, and disconnects cleanly on stop', async () => {
    const db = h.hearth.services.db;
    const logs: string[] = [];
    // Fast-forward the routine (an hour of the day per wall second) so routine events flow during the test too.
    const sim = startLiveSimulation({ mqttUrl: `mqtt://127.0.0.1:${h.hearth.ports.mqtt}`, homes: demo.homes, seed: 1, speed: 3600, firstIncidentSeconds: 1, incidentEveryMinutes: 0.02, log: (m) => logs.push(m) });
    try {
      const hubs = demo.homes.map((x) => x.hubId);
      const online = await waitFor('both hubs online', async () => {
        const rows = await db.selectFrom('hubs').select(['id', 'status', 'firmware']).where('id', 'in', hubs).execute();
        return rows.length === 2 && rows.every((r) => r.status === 'online') ? rows : undefined;
      });
      expect(online.every((r) => r.firmware === 'hearth-sim 1')).toBe(true);

      const fall = await waitFor('the injected fall alert', async () =>
        db.selectFrom('alerts').selectAll().where('type', '=', 'fall').where('hub_id', '=', hubs[0]!).executeTakeFirst(),
      );
      expect(fall.severity).toBe('urgent');
      expect(logs.some((l) => l.includes('demo incident: fall') && l.includes(hubs[0]!))).toBe(true);
      // The next incident is a pendant call, in the next home.
      const call = await waitFor('the injected call alert', async () =>
        db.selectFrom('alerts').selectAll().where('type', '=', 'call').where('hub_id', '=', hubs[1]!).executeTakeFirst(),
      );
      expect(call.severity).toBe('urgent');

      const stored = await waitFor('routine events from both homes', async () => {
        const rows = await db.selectFrom('events').select(['hub_id', 'event_id', 'ts', 'sensor', 'type', 'value']).where('hub_id', 'in', hubs).execute();
        const motion = rows.filter((r) => r.type === 'motion');
        return new Set(motion.map((r) => r.hub_id)).size === 2 ? rows : undefined;
      });
      for (const r of stored) {
        const ev = { id: r.event_id, ts: new Date(r.ts).toISOString(), sensor: r.sensor, type: r.type, value: JSON.parse(r.value) as unknown };
        expect(HubEventSchema.safeParse(ev).success).toBe(true);
        expect(demo.homes[0]!.sensors.map((s) => s.sensor)).toContain(r.sensor);
      }
      const rejected = await db.selectFrom('rejections').select('reason').where('hub_id', 'in', hubs).execute();
      expect(rejected).toEqual([]);
      expect(logs.join('\n')).not.toContain(demo.homes[0]!.secret);
    } finally {
      await sim.stop();
    }
    // Stopping the demo is not an outage: the hubs disconnect cleanly (no will), and no hub-offline alert follows.
    const after = await waitFor('hubs disconnected after stop', async () => {
      const ids = demo.homes.map((x) => x.hubId);
      return ids.every((id) => !h.hearth.services.broker.isConnected(id)) ? ids : undefined;
    });
    expect(after).toHaveLength(2);
    await h.hearth.settle();
    expect(await db.selectFrom('alerts').select('id').where('type', '=', 'hub-offline').execute()).toEqual([]);
  });
});

describe('live simulation with a wrong secret', () => {
  it('is refused by the broker, says so once, and stops trying', async () => {
    const h = await startHearth();
    try {
      const demo = await seedDemo(h.hearth.services.directory, h.dataDir, 1);
      const logs: string[] = [];
      const home = { ...demo.homes[0]!, secret: 'not-the-secret' };
      const sim = startLiveSimulation({ mqttUrl: `mqtt://127.0.0.1:${h.hearth.ports.mqtt}`, homes: [home], seed: 1, firstIncidentSeconds: 3600, log: (m) => logs.push(m) });
      await waitFor('the refusal', async () => (logs.length ? logs : undefined));
      // Longer than the runner's reconnect period (3 s): a retry would log a second refusal.
      await new Promise((r) => setTimeout(r, 3500));
      await sim.stop();
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(/demo-hub-001: .*(authori|Bad username)/i);
      expect(logs[0]).not.toContain('not-the-secret');
      const stored = await h.hearth.services.db.selectFrom('events').select('event_id').execute();
      expect(stored).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
