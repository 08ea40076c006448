import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { apiAs, hubOf, openAlert } from '../routing/fixture.ts';

describe('defect 10: cross-site requests', () => {
  const clock = new VirtualClock(Date.parse('2026-11-03T11:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let token: string;
  let alertId: string;
  let own: string;
  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Csrf Org', 'hub-csrf-1');
    token = await signIn(h.hearth, fx.users.operator.username, fx.users.operator.password);
    const hub = await hubOf(h.hearth, fx.hub, clock);
    await hub.fall('csrf-fall-1');
    hub.client.end(true);
    alertId = (await openAlert(await apiAs(h.hearth, fx.users.operator), fx.residentId)).id;
    own = `http://127.0.0.1:${h.hearth.ports.http}`;
  });
  afterAll(async () => h.close());

  const state = async () => (await h.hearth.services.db.selectFrom('alerts').select('state').where('id', '=', alertId).executeTakeFirstOrThrow()).state;
  const post = (url: string, headers: Record<string, string>, payload?: string) =>
    fetch(`${own}${url}`, { method: 'POST', headers: { cookie: `hearth_session=${token}`, ...headers }, ...(payload !== undefined ? { body: payload } : {}) });

  it('refuses a cookie state change sent as text/plain from evil.example, and changes nothing', async () => {
    const res = await post(`/api/alerts/${alertId}/ack`, { 'content-type': 'text/plain', origin: 'http://evil.example' }, '{}');
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('HEARTH_ERR_CSRF');
    expect(await state()).toBe('raised');
  });

  it('refuses JSON from another origin, text/plain or a form from our own, and a cookie request that says nothing of its origin', async () => {
    const cases: [Record<string, string>, string | undefined][] = [
      [{ 'content-type': 'application/json', origin: 'http://evil.example' }, '{}'],
      [{ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, '{}'],
      [{ 'content-type': 'text/plain', origin: own }, '{}'],
      [{ 'content-type': 'application/x-www-form-urlencoded', origin: own }, 'a=1'],
      [{ 'content-type': 'application/json' }, '{}'],
    ];
    for (const [headers, body] of cases) {
      const res = await post(`/api/alerts/${alertId}/ack`, headers, body);
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await state()).toBe('raised');
  });

  it("accepts the console's own JSON (or bodyless) requests, and scripts with a bearer token", async () => {
    const res = await post(`/api/alerts/${alertId}/ack`, { origin: own }, undefined);
    expect(res.status, await res.text()).toBe(200);
    expect(await state()).toBe('acknowledged');
    const script = await fetch(`${own}/api/alerts/${alertId}/dispatch`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ to: 'team' }) });
    expect(script.status, await script.text()).toBe(200);
    const same = await post('/api/session', { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, JSON.stringify({ username: fx.users.admin.username, password: fx.users.admin.password }));
    expect(same.status).toBe(200);
    // Signing in from another site's page (login CSRF) is refused too.
    const login = await fetch(`${own}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify({ username: fx.users.admin.username, password: fx.users.admin.password }) });
    expect(login.status).toBe(403);
  });

  it('the live stream refuses a WebSocket from another origin', async () => {
    const open = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${h.hearth.ports.http}/api/stream`, { headers: { cookie: `hearth_session=${token}`, origin } });
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('error', () => resolve(0));
      });
    expect(await open('http://evil.example')).toBe(403);
    expect(await open(own)).toBe(101);
  });
});
