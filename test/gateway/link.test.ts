import { afterAll, describe, expect, it } from 'vitest';
import type { HubCommand } from '../../protocol/index.ts';
import { GatewayConfigSchema } from '../../gateway/src/config.ts';
import { Gateway } from '../../gateway/src/gateway.ts';
import { VirtualClock } from '../../server/src/clock.ts';
import type { HearthEvents } from '../../server/src/events.ts';
import { seedOrg, startHearth, tempDir } from '../helpers/hearth.ts';
import { startLink, testLog, until } from './helpers.ts';

const T0 = Date.parse('2026-11-26T10:00:00Z');

describe('gateway link: status, will, heartbeats, commands, backoff', () => {
  const dirs = [tempDir('hearth-link-server-'), tempDir('hearth-link-gw-')];
  afterAll(() => dirs.forEach((d) => d.remove()));

  it('speaks the hub protocol with the server', async () => {
    const clock = new VirtualClock(T0);
    const server = await startHearth({ clock, dataDir: dirs[0]!.dir });
    const fx = await seedOrg(server.hearth, 'Link Trust', 'hub-link');
    const bus = server.hearth.services.bus;
    const statuses: HearthEvents['hub.status'][] = [];
    const beats: HearthEvents['hub.heartbeat'][] = [];
    const replies: HearthEvents['hub.reply'][] = [];
    bus.on('hub.status', (s) => void statuses.push(s));
    bus.on('hub.heartbeat', (b) => void beats.push(b));
    bus.on('hub.reply', (r) => void replies.push(r));
    const relay = await startLink(() => server.hearth.ports.mqtt);

    const makeGateway = () => {
      const config = {
        ...GatewayConfigSchema.parse({
          hubId: fx.hub.hubId,
          secret: fx.hub.secret,
          server: { url: `mqtt://127.0.0.1:${relay.port}` },
          dataDir: dirs[1]!.dir,
          heartbeatSeconds: 60,
          firmware: 'hearth-gateway test',
          power: 'mains',
          backoff: { minSeconds: 2, maxSeconds: 60 },
        }),
        secret: fx.hub.secret,
      };
      const lines: string[] = [];
      // random() = 1: each wait is its full exponential ceiling, so the schedule is known.
      return { gateway: new Gateway({ config, clock, log: testLog, out: (l) => lines.push(l), random: () => 1 }), lines };
    };
    let { gateway, lines } = makeGateway();
    await gateway.start();
    await until(() => statuses.some((s) => s.status.state === 'online'), { what: 'online status' });
    expect(statuses.at(-1)!.status).toMatchObject({ state: 'online', firmware: 'hearth-gateway test', power: 'mains' });
    expect((await server.hearth.services.db.selectFrom('hubs').select('status').where('id', '=', fx.hub.hubId).executeTakeFirstOrThrow()).status).toBe('online');

    // Heartbeats every 60 s of the injected clock, with a rising seq. The server gathers a heartbeat
    // for up to a second of that clock (ingest.ts); settle() takes what it holds at once.
    const heard = async (n: number) => {
      await server.hearth.settle();
      return beats.length === n;
    };
    for (let k = 1; k <= 3; k++) {
      clock.advance(60_000);
      await until(() => heard(k), { what: `heartbeat ${k}` });
    }
    expect(beats.slice(0, 3).map((b) => b.seq)).toEqual([0, 1, 2]);
    expect(beats[1]!.at - beats[0]!.at).toBe(60_000);

    // Commands, with replies.
    const send = async (cmd: HubCommand) => {
      await server.hearth.services.broker.sendCommand(fx.hub.hubId, cmd);
      await until(() => replies.some((r) => r.reply.id === cmd.id), { what: `reply to ${cmd.id}` });
      return replies.find((r) => r.reply.id === cmd.id)!.reply;
    };
    expect(await send({ id: 'c-ping', cmd: 'ping' })).toEqual({ id: 'c-ping', ok: true });
    expect(await send({ id: 'c-identify', cmd: 'identify', seconds: 20 })).toEqual({ id: 'c-identify', ok: true });
    expect(lines.some((l) => l.includes('IDENTIFY') && l.includes(fx.hub.hubId))).toBe(true);
    expect(gateway.identifyUntil).toBe(clock.now() + 20_000);
    expect(await send({ id: 'c-config', cmd: 'config', heartbeatSeconds: 15, sensors: [{ sensor: 'kitchen-pir', type: 'motion', room: 'kitchen' }] })).toEqual({ id: 'c-config', ok: true });
    const before = beats.length;
    clock.advance(15_000);
    await until(() => heard(before + 1), { what: 'heartbeat at the new interval' });
    // A command the hub does not know gets a refusal, not silence.
    await server.hearth.services.broker.sendCommand(fx.hub.hubId, { id: 'c-bad', cmd: 'reboot' } as unknown as HubCommand);
    await until(() => replies.some((r) => r.reply.id === 'c-bad'), { what: 'refusal' });
    expect(replies.find((r) => r.reply.id === 'c-bad')!.reply).toMatchObject({ ok: false, error: expect.stringMatching(/bad command/) });

    // Broadband drops: the server hears the last will (offline).
    await relay.cut();
    await until(() => statuses.at(-1)!.status.state === 'offline', { what: 'last will' });
    await until(() => !gateway.link.isOnline(), { what: 'gateway notices' });
    // Reconnect attempts back off: ceilings 2, 4, 8, 16, 32 s (random fixed at 1). Virtual time moves
    // only while the link waits, so each refusal happens at the instant of its attempt.
    const cutAt = clock.now();
    const attempts: number[] = [];
    gateway.link.on('connecting', () => attempts.push(clock.now() - cutAt));
    const stepWhileWaiting = async (cond: () => boolean) => {
      while (!cond()) {
        await until(() => gateway.link.state() !== 'connecting', { what: 'attempt settled' });
        if (cond()) break;
        clock.advance(1000);
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    await stepWhileWaiting(() => clock.now() >= cutAt + 40_000);
    await relay.restore();
    await stepWhileWaiting(() => gateway.link.isOnline());
    expect(attempts).toEqual([2_000, 6_000, 14_000, 30_000, 62_000]);
    await until(() => statuses.at(-1)!.status.state === 'online', { what: 'online again' });

    // A graceful stop says offline itself; the configured interval and sensors survive a restart.
    await gateway.stop();
    await until(() => statuses.at(-1)!.status.state === 'offline', { what: 'goodbye' });
    ({ gateway, lines } = makeGateway());
    expect(gateway.commissionedSensors()).toEqual([{ sensor: 'kitchen-pir', type: 'motion', room: 'kitchen' }]);
    await gateway.start();
    await until(() => gateway.link.isOnline(), { what: 'online after restart' });
    const b2 = beats.length;
    clock.advance(15_000);
    await until(() => heard(b2 + 1), { what: 'persisted heartbeat interval' });
    await gateway.stop();
    await server.close();
    await relay.cut();
  });
});
