import { describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { startLiveSimulation } from '../../../simulators/src/live.ts';
import { STANDARD_LAYOUT } from '../../../simulators/src/layout.ts';
import { connectHub, seedOrg, startHearth, tempDir } from '../../helpers/hearth.ts';

const alertTypes = async (h: Awaited<ReturnType<typeof startHearth>>) => (await h.hearth.services.db.selectFrom('alerts').select(['type', 'hub_id']).execute()).map((a) => `${a.type} ${a.hub_id}`);

describe('a clean stop of the demo raises no alerts', () => {
  it("the server's own shutdown (which closes the hubs' connections and publishes their wills) is not a hub outage", async () => {
    const data = tempDir();
    let h = await startHearth({ dataDir: data.dir });
    const fx = await seedOrg(h.hearth, 'Clean Stop Alliance', 'hub-clean-1');
    const status = (state: string) => JSON.stringify({ state, ts: new Date().toISOString() });
    const connect = () =>
      connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret, { will: { topic: topics.status(fx.hub.hubId), payload: Buffer.from(status('offline')), qos: 1, retain: true } });
    let hub = await connect();
    await hub.publishAsync(topics.status(fx.hub.hubId), status('online'), { qos: 1, retain: true });
    await hub.publishAsync(topics.heartbeat(fx.hub.hubId), JSON.stringify({ ts: new Date().toISOString(), seq: 1, uptime: 5 }), { qos: 1 });
    await h.hearth.settle();
    await h.hearth.stop(); // the hub is still connected: the broker closes it, and aedes publishes its will
    hub.end(true);
    h = await startHearth({ dataDir: data.dir });
    await h.hearth.settle();
    expect(await alertTypes(h)).toEqual([]);
    hub = await connect();
    await hub.publishAsync(topics.status(fx.hub.hubId), status('online'), { qos: 1, retain: true });
    await h.hearth.settle();
    expect(await alertTypes(h)).toEqual([]);
    hub.end(true);
    await h.hearth.stop();
    data.remove();
  });

  it('the demo simulation, stopped, ends its hubs cleanly (no offline status, no will): no hub-offline alert', async () => {
    const h = await startHearth();
    const d = h.hearth.services.directory;
    const org = await d.addOrganisation('Demo Stop Alliance');
    const nb = await d.addNeighbourhood({ orgId: org.id, name: 'Riverside' });
    const { secret } = await d.addHub({ orgId: org.id, hubId: 'demo-hub-901' });
    for (const s of STANDARD_LAYOUT) await d.commissionSensor({ hubId: 'demo-hub-901', sensorId: s.sensor, type: s.type, room: s.room, ...(s.role ? { role: s.role } : {}) });
    await d.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: 'Edith Clarke', hubId: 'demo-hub-901', timezone: 'Europe/London' });
    const sim = startLiveSimulation({
      mqttUrl: `mqtt://127.0.0.1:${h.hearth.ports.mqtt}`,
      homes: [{ hubId: 'demo-hub-901', secret, resident: 'Edith Clarke', timezone: 'Europe/London', sensors: [...STANDARD_LAYOUT] }],
      seed: 1,
      firstIncidentSeconds: 3600,
    });
    // Wait until the simulated hub is connected and has said it is online.
    const hubStatus = async () => (await h.hearth.services.db.selectFrom('hubs').select('status').where('id', '=', 'demo-hub-901').executeTakeFirstOrThrow()).status;
    for (let i = 0; i < 200 && (await hubStatus()) !== 'online'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await hubStatus()).toBe('online');
    await sim.stop();
    await h.hearth.settle();
    expect(await alertTypes(h)).toEqual([]);
    await h.close();
  });
});
