import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { CREDENTIAL_CHECK_MS } from '../../../server/src/broker/credential-watch.ts';
import { connectHub, ev, otherConnection, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

describe('hub credentials after CONNECT, and the MQTT version', () => {
  const clock = new VirtualClock(Date.parse('2026-03-02T10:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  let b: Fixture;
  beforeAll(async () => {
    h = await startHearth({ clock });
    a = await seedOrg(h.hearth, 'Org Rotate', 'hub-rotate');
    b = await seedOrg(h.hearth, 'Org Keep', 'hub-keep');
  });
  afterAll(async () => h.close());

  /** Move the clock past one credential check and let it finish. */
  async function passCheck(): Promise<void> {
    clock.advance(CREDENTIAL_CHECK_MS);
    await h.hearth.services.broker.recheckCredentials();
  }

  it("defect 7: rotating a hub's secret drops its live MQTT connection within seconds; other hubs stay", async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    const other = await connectHub(h.hearth.ports.mqtt, b.hub.hubId, b.hub.secret);
    const closed = new Promise<void>((resolve) => hub.once('close', () => resolve()));
    await passCheck();
    expect(hub.connected).toBe(true); // nothing changed: nothing dropped

    // the CLI does this from another process: only the database changes
    const secret = await h.hearth.services.directory.rotateHubSecret(a.hub.hubId);
    await passCheck();
    await closed;
    expect(h.hearth.services.broker.counters.revoked).toBe(1);
    expect(other.connected).toBe(true);
    await other.publishAsync(topics.events(b.hub.hubId), JSON.stringify(ev({ id: 'other-goes-on', ts: new Date(clock.now()).toISOString() })), { qos: 1 });

    // the old secret no longer opens it; the new one does, and stays connected through later checks
    await expect(connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret)).rejects.toThrow();
    const renewed = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, secret);
    await passCheck();
    expect(renewed.connected).toBe(true);
    renewed.end(true);
    other.end(true);
  });

  it('a hub taken out of service (disabled, e.g. `hub disable` from the CLI) loses its live connection within seconds', async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, b.hub.hubId, b.hub.secret);
    const closed = new Promise<void>((resolve) => hub.once('close', () => resolve()));
    const before = h.hearth.services.broker.counters.revoked;
    await passCheck();
    expect(hub.connected).toBe(true);
    // only the database changes, as when the CLI does it from another process
    await h.hearth.services.db.updateTable('hubs').set({ disabled: 1 }).where('id', '=', b.hub.hubId).execute();
    await passCheck();
    await closed;
    expect(h.hearth.services.broker.counters.revoked).toBe(before + 1);
    await expect(connectHub(h.hearth.ports.mqtt, b.hub.hubId, b.hub.secret)).rejects.toThrow();
    await h.hearth.services.db.updateTable('hubs').set({ disabled: 0 }).where('id', '=', b.hub.hubId).execute();
  });

  it("issue 14: a check reads secrets again only when a hub's credentials changed (a counter kept by triggers), or for connections made since the last check", async () => {
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, (await h.hearth.services.directory.rotateHubSecret(a.hub.hubId)));
    await passCheck(); // the rotation above moved the counter: everyone is read
    const broker = h.hearth.services.broker;
    const after = broker.credentialsRead;
    await passCheck();
    await passCheck();
    expect(broker.credentialsRead).toBe(after); // nothing changed, nobody new: no secret read
    const other = await connectHub(h.hearth.ports.mqtt, b.hub.hubId, b.hub.secret);
    await passCheck();
    expect(broker.credentialsRead).toBe(after + 1); // the new connection alone
    // Another process (the CLI, here a second connection to the file) disables a hub: the counter moves, everyone is read.
    const raw = otherConnection(h.dataDir);
    raw.prepare('UPDATE hubs SET disabled = 1 WHERE id = ?').run(b.hub.hubId);
    raw.close();
    const closed = new Promise<void>((resolve) => other.once('close', () => resolve()));
    await passCheck();
    await closed;
    expect(broker.credentialsRead).toBe(after + 3);
    expect(hub.connected).toBe(true);
    await h.hearth.services.db.updateTable('hubs').set({ disabled: 0 }).where('id', '=', b.hub.hubId).execute();
    hub.end(true);
  });

  it('defect 13: an MQTT 5 client gets a clear refusal (CONNACK "unacceptable protocol version"); 3.1.1 is what Hearth speaks', async () => {
    const before = h.hearth.services.broker.counters.versionRefused;
    const client = mqtt.connect(`mqtt://127.0.0.1:${h.hearth.ports.mqtt}`, {
      clientId: b.hub.hubId,
      username: b.hub.hubId,
      password: b.hub.secret,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    const err = await new Promise<Error>((resolve) => {
      client.once('error', resolve);
      client.once('connect', () => resolve(new Error('connected with MQTT 5')));
    });
    client.end(true);
    expect(err.message).toMatch(/protocol version|unsupported|unacceptable/i);
    expect(h.hearth.services.broker.counters.versionRefused).toBe(before + 1);
    // 3.1.1 still works with the same credentials
    const ok = await connectHub(h.hearth.ports.mqtt, b.hub.hubId, b.hub.secret, { protocolVersion: 4 });
    ok.end(true);
  });
});
