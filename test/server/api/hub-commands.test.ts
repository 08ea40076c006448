import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayConfigSchema } from '../../../gateway/src/config.ts';
import { Gateway } from '../../../gateway/src/gateway.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { testLog, until } from '../../gateway/helpers.ts';
import { connectHub, seedOrg, signIn, startHearth, tempDir, type Fixture } from '../../helpers/hearth.ts';

describe("installer's commands to a hub, answered by the real gateway", () => {
  const clock = new VirtualClock(Date.parse('2026-11-26T10:00:00Z'));
  const gwDir = tempDir('hearth-cmd-gw-');
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let quiet: Fixture;
  let gateway: Gateway;
  let installer: string;
  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Org', 'hub-cmd');
    quiet = await seedOrg(h.hearth, 'Quiet Org', 'hub-quiet');
    installer = await signIn(h.hearth, fx.users.installer.username, fx.users.installer.password);
    const config = {
      ...GatewayConfigSchema.parse({ hubId: fx.hub.hubId, secret: fx.hub.secret, server: { url: `mqtt://127.0.0.1:${h.hearth.ports.mqtt}` }, dataDir: gwDir.dir }),
      secret: fx.hub.secret,
    };
    gateway = new Gateway({ config, clock, log: testLog, out: () => {} });
    await gateway.start();
    await until(() => h.hearth.services.broker.isConnected(fx.hub.hubId), { what: 'gateway connected', realMs: 10_000 });
  });
  afterAll(async () => {
    await gateway.stop();
    await h.close();
    gwDir.remove();
  });

  const command = (hubId: string, body: unknown, token = installer) =>
    h.hearth.app.inject({ method: 'POST', url: `/api/hubs/${hubId}/commands`, headers: { authorization: `Bearer ${token}` }, payload: body as object });

  it('identify makes the box show itself, and the reply comes back through the API', async () => {
    const res = await command(fx.hub.hubId, { cmd: 'identify', seconds: 30 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ answered: true, ok: true });
    expect(gateway.identifyUntil).toBe(clock.now() + 30_000);
    expect((await command(fx.hub.hubId, { cmd: 'ping' })).json()).toMatchObject({ answered: true, ok: true });
  });

  it('says when a hub is not connected, or does not answer in time', async () => {
    expect((await command('hub-quiet', { cmd: 'ping' }, await signIn(h.hearth, quiet.users.installer.username, quiet.users.installer.password))).json()).toEqual({
      answered: false,
      reason: 'not-connected',
    });
    // A hub that is connected but never answers: the wait ends on the (virtual) clock.
    const mute = await connectHub(h.hearth.ports.mqtt, 'hub-quiet', (await h.hearth.services.directory.rotateHubSecret('hub-quiet')));
    await mute.subscribeAsync('hearth/v1/hubs/hub-quiet/commands', { qos: 1 });
    const received = new Promise<void>((resolve) => mute.once('message', () => resolve()));
    const pending = command('hub-quiet', { cmd: 'ping' }, await signIn(h.hearth, quiet.users.installer.username, quiet.users.installer.password));
    await received; // the command is out; now let the (virtual) ten seconds pass with no reply
    clock.advance(10_001);
    expect((await pending).json()).toEqual({ answered: false, reason: 'timeout' });
    mute.end();
  });

  it('is for installers and admins of the hub organisation only, with a valid command', async () => {
    const operator = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    expect((await command(fx.hub.hubId, { cmd: 'ping' }, operator)).statusCode).toBe(403);
    const other = await signIn(h.hearth, quiet.users.installer.username, quiet.users.installer.password);
    expect((await command(fx.hub.hubId, { cmd: 'ping' }, other)).statusCode).toBe(404);
    const bad = await command(fx.hub.hubId, { cmd: 'self-destruct' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('HEARTH_ERR_VALIDATION');
  });
});
