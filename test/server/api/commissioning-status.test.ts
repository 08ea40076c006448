import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { connectHub, seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { waitFor } from '../../helpers/process.ts';

/** One hub status that cannot contradict itself, on the server's injected clock. */
describe('GET /api/hubs: one status from connection, last status and heartbeats', () => {
  const clock = new VirtualClock(Date.parse('2026-11-30T09:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let token: string;
  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Org', 'hub-state');
    token = await signIn(h.hearth, fx.users.installer.username, fx.users.installer.password);
  });
  afterAll(async () => h.close());

  const row = async () =>
    ((await h.hearth.app.inject({ method: 'GET', url: '/api/hubs', headers: { authorization: `Bearer ${token}` } })).json().hubs as any[]).find((x) => x.id === fx.hub.hubId);

  it('never connected, online, not responding after three missed heartbeats, then offline after a clean disconnect however long ago', async () => {
    expect((await row()).state).toBe('never-seen');
    const hub = await connectHub(h.hearth.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    await hub.publishAsync(topics.status(fx.hub.hubId), JSON.stringify({ state: 'online', ts: new Date(clock.now()).toISOString(), power: 'mains' }), { qos: 1, retain: true });
    await hub.publishAsync(topics.heartbeat(fx.hub.hubId), JSON.stringify({ ts: new Date(clock.now()).toISOString(), seq: 1 }), { qos: 1 });
    await h.hearth.settle();
    expect(await row()).toMatchObject({ state: 'online', connected: true, status: 'online' });
    clock.advance(4 * 60_000); // heartbeats every 60 s: three missed
    expect(await row()).toMatchObject({ state: 'unresponsive', connected: true, stateSummary: expect.stringMatching(/nothing heard for 4 min/) });
    // A clean goodbye, then 11 minutes: the retained "online" of old cannot make it say online.
    await hub.publishAsync(topics.status(fx.hub.hubId), JSON.stringify({ state: 'offline', ts: new Date(clock.now()).toISOString() }), { qos: 1, retain: true });
    await hub.endAsync();
    await waitFor(() => !h.hearth.services.broker.isConnected(fx.hub.hubId), 5000, 'disconnect');
    clock.advance(11 * 60_000);
    const r = await row();
    expect(r).toMatchObject({ state: 'offline', connected: false });
    expect(r.stateSummary).toMatch(/Disconnected/);
  });
});
