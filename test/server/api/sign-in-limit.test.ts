import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

describe('defect 8: guessing is slowed down without locking the control room out', () => {
  const clock = new VirtualClock(Date.parse('2026-11-26T09:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Org', 'hub-limit');
  });
  afterAll(async () => h.close());

  const signIn = (username: string, password: string, from = '10.0.0.5', device?: string) =>
    h.hearth.app.inject({ method: 'POST', url: '/api/session', payload: { username, password }, remoteAddress: from, ...(device ? { cookies: { hearth_device: device } } : {}) });
  const deviceOf = (res: Awaited<ReturnType<typeof signIn>>): string => {
    const c = res.cookies.find((x) => x.name === 'hearth_device');
    expect(c, 'a known-device cookie is set at sign-in').toBeDefined();
    expect(c!.httpOnly).toBe(true);
    return c!.value;
  };

  it("an anonymous attacker's guesses do not keep the operator out: the known device signs in at once", async () => {
    const { username, password } = fx.users.operator;
    const device = deviceOf(await signIn(username, password, '10.0.0.5'));
    // The attacker guesses from many addresses, waiting out every delay, for an hour of virtual time.
    let refused = 0;
    for (let i = 0; i < 60; i++) {
      const res = await signIn(username, `guess-${i}`, `203.0.113.${i % 7}`);
      expect([401, 429]).toContain(res.statusCode);
      if (res.statusCode === 429) refused++;
      clock.advance(1_000);
    }
    expect(refused, 'the attacker was slowed down').toBeGreaterThan(0);
    // Old behaviour: 429 for 15 minutes even with the right password.
    const mine = await signIn(username, password, '10.0.0.5', device);
    expect(mine.statusCode, mine.body).toBe(200);
    // Without the cookie the username is slowed down, but only for the time the answer says.
    const fresh = await signIn(username, password, '10.0.0.9');
    expect(fresh.statusCode).toBe(429);
    const wait = Number(fresh.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    expect(fresh.json()).toMatchObject({ code: 'HEARTH_ERR_RATE_LIMITED', message: expect.stringContaining(`wait ${wait} second`) });
    clock.advance(wait * 1000);
    expect((await signIn(username, password, '10.0.0.9')).statusCode).toBe(200);
  });

  it('delays grow per username and address, are said in Retry-After, and the right password works once waited', async () => {
    const { username, password } = fx.users.coordinator;
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await signIn(username, 'wrong', '198.51.100.1');
      if (res.statusCode === 429) {
        waits.push(Number(res.headers['retry-after']));
        clock.advance(Number(res.headers['retry-after']) * 1000);
        i--;
        continue;
      }
      expect(res.statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4]);
    const held = await signIn(username, password, '198.51.100.1');
    expect(held.statusCode).toBe(429);
    expect(held.headers['retry-after']).toBe('8');
    clock.advance(8_000);
    expect((await signIn(username, password, '198.51.100.1')).statusCode).toBe(200);
  });

  it('a forged known-device cookie counts for nothing', async () => {
    const { username, password } = fx.users.responder;
    const real = deviceOf(await signIn(username, password, '10.0.0.5'));
    const [body] = real.split('.');
    const forged = `${body}.AAAA`;
    for (let i = 0; i < 4; i++) await signIn(username, 'wrong', '10.0.0.77', forged);
    expect((await signIn(username, password, '10.0.0.77', forged)).statusCode).toBe(429);
    expect((await signIn(username, password, '10.0.0.77', real)).statusCode).toBe(200);
  });

  it("does not lock other people out because they share one person's address", async () => {
    const { username } = fx.users.installer;
    for (let i = 0; i < 6; i++) await signIn(username, 'typo', '10.0.0.50');
    expect((await signIn(username, fx.users.installer.password, '10.0.0.50')).statusCode).toBe(429);
    // Same address (a monitoring centre's NAT), another user: let in.
    expect((await signIn(fx.users.admin.username, fx.users.admin.password, '10.0.0.50')).statusCode).toBe(200);
  });
});
