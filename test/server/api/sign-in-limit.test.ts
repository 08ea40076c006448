import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';

describe('password guessing is held off', () => {
  const clock = new VirtualClock(Date.parse('2026-11-26T09:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Org', 'hub-limit');
  });
  afterAll(async () => h.close());

  const signIn = (username: string, password: string) =>
    h.hearth.app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });

  it('refuses a username after 5 failures in 15 minutes, even with the right password, until the lockout passes', async () => {
    const { username, password } = fx.users.operator;
    for (let i = 0; i < 5; i++) expect((await signIn(username, `guess-${i}`)).statusCode).toBe(401);
    const held = await signIn(username, password);
    expect(held.statusCode).toBe(429);
    expect(held.json().code).toBe('HEARTH_ERR_RATE_LIMITED');
    expect(Number(held.headers['retry-after'])).toBe(900);
    clock.advance(14 * 60_000);
    expect((await signIn(username, password)).statusCode).toBe(429);
    clock.advance(60_000 + 1);
    expect((await signIn(username, password)).statusCode).toBe(200);
  });

  it('forgets failures older than the window, and a success clears them', async () => {
    const { username, password } = fx.users.coordinator;
    for (let i = 0; i < 3; i++) await signIn(username, 'wrong');
    clock.advance(16 * 60_000);
    for (let i = 0; i < 3; i++) await signIn(username, 'wrong');
    expect((await signIn(username, password)).statusCode).toBe(200);
  });

  it("does not lock other people out because they share one person's address", async () => {
    const { username } = fx.users.installer;
    for (let i = 0; i < 6; i++) await signIn(username, 'typo');
    expect((await signIn(username, fx.users.installer.password)).statusCode).toBe(429);
    // Same address (inject's 127.0.0.1), another user: still let in.
    expect((await signIn(fx.users.admin.username, fx.users.admin.password)).statusCode).toBe(200);
  });
});
