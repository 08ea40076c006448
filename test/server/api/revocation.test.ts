import type WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { openStream, seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';

const T0 = Date.parse('2026-11-26T09:00:00Z');

/** Resolves with the close code when the socket closes; rejects if it stays open (a generous bound: advancing virtual hours sets off every periodic job). */
function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === ws.CLOSED) return resolve(-1);
    const t = setTimeout(() => reject(new Error('the stream stayed open')), 20_000);
    ws.once('close', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

describe('defect 7: revocation takes effect at once, everywhere', () => {
  const clock = new VirtualClock(T0);
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let other: Fixture;
  let admin: string;
  const call = (token: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) =>
    h.hearth.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  beforeAll(async () => {
    // One-hour sessions: expiry comes after an hour of virtual time, not twelve.
    h = await startHearth({ clock, config: { sessionHours: 1 } });
    fx = await seedOrg(h.hearth, 'Revoke Org', 'hub-rev-1');
    other = await seedOrg(h.hearth, 'Revoke Other', 'hub-rev-2');
  });
  // Sessions expire in this virtual time: a fresh admin session for every case.
  beforeEach(async () => {
    admin = await signIn(h.hearth, fx.users.admin.username, fx.users.admin.password);
  });
  afterAll(async () => h.close());

  it('signing out closes that session\'s live stream', async () => {
    const token = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    const stream = await openStream(h.hearth.ports.http, token);
    await stream.next((m) => m.type === 'hello');
    const done = closed(stream.ws);
    expect((await call(token, 'GET', '/api/session')).statusCode).toBe(200);
    expect((await h.hearth.app.inject({ method: 'DELETE', url: '/api/session', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(204);
    expect(await done).toBe(4401);
  });

  it('an expired session\'s stream closes within seconds of the expiry, and expired sessions are purged', async () => {
    const token = await signIn(h.hearth, fx.users.responder.username, fx.users.responder.password);
    const stream = await openStream(h.hearth.ports.http, token);
    await stream.next((m) => m.type === 'hello');
    const done = closed(stream.ws);
    expect((await h.hearth.services.db.selectFrom('sessions').selectAll().execute()).length).toBeGreaterThan(1);
    clock.advance(h.hearth.services.config.sessionHours * 3600_000 + 5_000);
    expect(await done).toBe(4401);
    expect((await call(token, 'GET', '/api/session')).statusCode).toBe(401);
    const expired = () => h.hearth.services.db.selectFrom('sessions').selectAll().where('expires_at', '<=', clock.now()).execute();
    clock.advance(3600_000);
    // The hourly purge runs on the virtual clock; wait (boundedly) for its delete to land.
    for (let i = 0; i < 200 && (await expired()).length; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await expired()).toEqual([]);
  });

  it('disabling a user ends their sessions and stream at once and refuses sign-in; enabling lets them back', async () => {
    const u = fx.users.coordinator;
    const token = await signIn(h.hearth, u.username, u.password);
    const stream = await openStream(h.hearth.ports.http, token);
    await stream.next((m) => m.type === 'hello');
    const done = closed(stream.ws);
    const res = await call(admin, 'POST', `/api/users/${u.id}/disable`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toMatchObject({ id: u.id, disabled: true });
    expect(await done).toBe(4401);
    expect((await call(token, 'GET', '/api/session')).statusCode).toBe(401);
    expect((await h.hearth.app.inject({ method: 'POST', url: '/api/session', payload: { username: u.username, password: u.password } })).statusCode).toBe(401);
    expect((await call(admin, 'POST', `/api/users/${u.id}/enable`)).json().user.disabled).toBe(false);
    expect(await signIn(h.hearth, u.username, u.password)).toBeTruthy();
  });

  it('a user marked disabled in the database (by the CLI) loses a working session', async () => {
    const u = fx.users.installer;
    const token = await signIn(h.hearth, u.username, u.password);
    await h.hearth.services.db.updateTable('users').set({ disabled: 1 }).where('id', '=', u.id).execute();
    expect((await call(token, 'GET', '/api/session')).statusCode).toBe(401);
    await h.hearth.services.db.updateTable('users').set({ disabled: 0 }).where('id', '=', u.id).execute();
  });

  it("an admin's password reset ends the user's sessions; the new password is checked by the rules", async () => {
    const u = fx.users.operator;
    const token = await signIn(h.hearth, u.username, u.password);
    const weak = await call(admin, 'POST', `/api/users/${u.id}/password`, { password: 'password1' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe('HEARTH_ERR_PASSWORD_WEAK');
    expect((await call(token, 'GET', '/api/session')).statusCode).toBe(200);
    expect((await call(admin, 'POST', `/api/users/${u.id}/password`, { password: 'amber fjord lantern 42' })).statusCode).toBe(204);
    expect((await call(token, 'GET', '/api/session')).statusCode).toBe(401);
    expect(await signIn(h.hearth, u.username, 'amber fjord lantern 42')).toBeTruthy();
    u.password = 'amber fjord lantern 42';
  });

  it('changing your own password needs the current one and ends your other sessions, not this one', async () => {
    const u = fx.users.responder;
    const here = await signIn(h.hearth, u.username, u.password);
    const elsewhere = await signIn(h.hearth, u.username, u.password);
    expect((await call(here, 'PUT', '/api/session/password', { currentPassword: 'not-it-at-all', newPassword: 'quiet meadow copper 9' })).statusCode).toBe(403);
    expect((await call(here, 'PUT', '/api/session/password', { currentPassword: u.password, newPassword: 'quiet meadow copper 9' })).statusCode).toBe(204);
    expect((await call(here, 'GET', '/api/session')).statusCode).toBe(200);
    expect((await call(elsewhere, 'GET', '/api/session')).statusCode).toBe(401);
    u.password = 'quiet meadow copper 9';
    // Guessing the current password through a session is slowed down like sign-in.
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await call(here, 'PUT', '/api/session/password', { currentPassword: `guess-${i}-x`, newPassword: 'quiet meadow copper 10' })).statusCode);
    expect(codes).toEqual([403, 403, 403, 403, 429]);
  });

  it('user management is for the admin of the same organisation, and is in the access log', async () => {
    const op = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    expect((await call(op, 'POST', `/api/users/${fx.users.responder.id}/disable`)).statusCode).toBe(403);
    expect((await call(admin, 'POST', `/api/users/${other.users.operator.id}/disable`)).statusCode).toBe(404);
    expect((await call(admin, 'PATCH', `/api/users/${other.users.operator.id}`, { displayName: 'x' })).statusCode).toBe(404);
    expect((await call(admin, 'POST', `/api/users/${fx.users.admin.id}/disable`)).statusCode).toBe(409);
    const patched = await call(admin, 'PATCH', `/api/users/${fx.users.installer.id}`, { displayName: 'Ian Stall', role: 'operator' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().user).toMatchObject({ displayName: 'Ian Stall', role: 'operator', disabled: false });
    expect((await call(admin, 'PATCH', `/api/users/${fx.users.installer.id}`, { neighbourhoodId: other.neighbourhoodId })).statusCode).toBe(404);
    await call(admin, 'PATCH', `/api/users/${fx.users.installer.id}`, { role: 'installer' });
    const log = await call(admin, 'GET', `/api/audit/access?userId=${fx.users.admin.id}`);
    expect(log.json().entries.map((e: any) => e.action)).toEqual(expect.arrayContaining(['user.disable', 'user.enable', 'user.password-reset', 'user.update']));
  });
});
