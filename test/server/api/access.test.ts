import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { connectHub, ev, openStream, seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';

describe('API access: sessions, organisations and roles', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  let b: Fixture;
  let alertId: string;
  beforeAll(async () => {
    h = await startHearth();
    a = await seedOrg(h.hearth, 'Org A', 'hub-org-a');
    b = await seedOrg(h.hearth, 'Org B', 'hub-org-b');
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    await hub.publishAsync(topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'f1', sensor: 'hall-fall', type: 'fall', value: true })), { qos: 1 });
    hub.end();
    await h.hearth.settle();
    alertId = (await h.hearth.services.db.selectFrom('alerts').select('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(async () => h.close());

  const get = (url: string, token?: string) =>
    h.hearth.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('refuses every API call without a session, with a catalogue code', async () => {
    for (const url of ['/api/alerts?state=open', `/api/alerts/${alertId}`, '/api/hubs', '/api/session']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(401);
      expect(res.json().code).toBe('HEARTH_ERR_AUTH_REQUIRED');
    }
    const ack = await h.hearth.app.inject({ method: 'POST', url: `/api/alerts/${alertId}/ack` });
    expect(ack.statusCode).toBe(401);
    expect((await get('/api/alerts', 'made-up-token')).statusCode).toBe(401);
  });

  it('refuses a wrong password without saying which part was wrong', async () => {
    const res = await h.hearth.app.inject({ method: 'POST', url: '/api/session', payload: { username: a.users.operator.username, password: 'nope-nope' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ code: 'HEARTH_ERR_AUTH_INVALID', message: 'Wrong username or password' });
    const bad = await h.hearth.app.inject({ method: 'POST', url: '/api/session', payload: { username: 42 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('HEARTH_ERR_VALIDATION');
  });

  it("never shows one organisation's alerts to another", async () => {
    const tokenB = await signIn(h.hearth, b.users.operator.username, b.users.operator.password);
    const list = await get('/api/alerts?state=open', tokenB);
    expect(list.statusCode).toBe(200);
    expect(list.json().alerts).toEqual([]);
    const one = await get(`/api/alerts/${alertId}`, tokenB);
    expect(one.statusCode).toBe(404);
    const ack = await h.hearth.app.inject({ method: 'POST', url: `/api/alerts/${alertId}/ack`, headers: { authorization: `Bearer ${tokenB}` } });
    expect(ack.statusCode).toBe(404);
    const row = await h.hearth.services.db.selectFrom('alerts').select('acknowledged_at').where('id', '=', alertId).executeTakeFirstOrThrow();
    expect(row.acknowledged_at).toBeNull();
    // Org B's hub view does not list org A's hub either
    const tokenBi = await signIn(h.hearth, b.users.installer.username, b.users.installer.password);
    expect((await get(`/api/hubs/${a.hub.hubId}/rejections`, tokenBi)).statusCode).toBe(404);
  });

  it("lets the operator of the alert's organisation see and acknowledge it, recording who and when, and logs the read", async () => {
    const token = await signIn(h.hearth, a.users.operator.username, a.users.operator.password);
    const list = await get('/api/alerts?state=open', token);
    expect(list.json().alerts.map((x: any) => x.id)).toEqual([alertId]);
    const ack = await h.hearth.app.inject({ method: 'POST', url: `/api/alerts/${alertId}/ack`, headers: { authorization: `Bearer ${token}` } });
    expect(ack.statusCode).toBe(200);
    expect(ack.json().alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: a.users.operator.id });
    const again = await h.hearth.app.inject({ method: 'POST', url: `/api/alerts/${alertId}/ack`, headers: { authorization: `Bearer ${token}` } });
    expect(again.json().alert.acknowledgedAt).toBe(ack.json().alert.acknowledgedAt);
    const detail = await get(`/api/alerts/${alertId}`, token);
    const actions = detail.json().history.map((x: any) => x.action);
    expect(actions[0]).toBe('raised');
    expect(actions.filter((a: string) => a === 'acknowledged')).toHaveLength(1);
    expect(detail.json().history.find((x: any) => x.action === 'acknowledged').actor).toBe(a.users.operator.id);
    // Another user reading it is told who acknowledged it, by name.
    const admin = await signIn(h.hearth, a.users.admin.username, a.users.admin.password);
    const seen = (await get(`/api/alerts/${alertId}`, admin)).json().alert;
    expect(seen.people).toEqual({ [a.users.operator.id]: a.users.operator.username });
    const access = await h.hearth.services.db.selectFrom('access_log').selectAll().where('user_id', '=', a.users.operator.id).execute();
    expect(access.map((r) => r.action)).toEqual(expect.arrayContaining(['alerts.list', 'alerts.read']));
    expect(JSON.parse(access[0]!.subject)).toEqual([a.residentId]);
  });

  it("shows an organisation's admin who read a resident's data, and nobody else", async () => {
    const admin = await signIn(h.hearth, a.users.admin.username, a.users.admin.password);
    const res = await get(`/api/audit/access?subject=${a.residentId}`, admin);
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries as { userId: string; userName: string; action: string; subjects: string[] }[];
    expect(entries.some((e) => e.userId === a.users.operator.id && e.action === 'alerts.read' && e.subjects.includes(a.residentId))).toBe(true);
    expect(entries.every((e) => e.subjects.includes(a.residentId))).toBe(true);
    // Reading the log is logged too.
    const again = (await get(`/api/audit/access?subject=${a.residentId}`, admin)).json().entries;
    expect(again[0]).toMatchObject({ userId: a.users.admin.id, action: 'audit.read' });
    const operator = await signIn(h.hearth, a.users.operator.username, a.users.operator.password);
    expect((await get('/api/audit/access', operator)).statusCode).toBe(403);
    const otherAdmin = await signIn(h.hearth, b.users.admin.username, b.users.admin.password);
    expect((await get(`/api/audit/access?subject=${a.residentId}`, otherAdmin)).json().entries).toEqual([]);
  });

  it('applies roles: installers see no urgent alerts and coordinators no hub lists', async () => {
    const installer = await signIn(h.hearth, a.users.installer.username, a.users.installer.password);
    expect((await get('/api/alerts?state=all', installer)).json().alerts).toEqual([]);
    const coordinator = await signIn(h.hearth, a.users.coordinator.username, a.users.coordinator.password);
    const hubs = await get('/api/hubs', coordinator);
    expect(hubs.statusCode).toBe(403);
    expect(hubs.json().code).toBe('HEARTH_ERR_FORBIDDEN');
    // the coordinator of this resident does see the fall
    expect((await get('/api/alerts?state=all', coordinator)).json().alerts).toHaveLength(1);
  });

  it('refuses the live stream without a session, and streams only your organisation', async () => {
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${h.hearth.ports.http}/api/stream`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(refused).toBe(401);
    const tokenB = await signIn(h.hearth, b.users.operator.username, b.users.operator.password);
    const streamB = await openStream(h.hearth.ports.http, tokenB);
    const tokenA = await signIn(h.hearth, a.users.operator.username, a.users.operator.password);
    const streamA = await openStream(h.hearth.ports.http, tokenA);
    const hub = await connectHub(h.hearth.ports.mqtt, a.hub.hubId, a.hub.secret);
    await hub.publishAsync(topics.events(a.hub.hubId), JSON.stringify(ev({ id: 'c1', sensor: 'pendant', type: 'call', value: 'pressed' })), { qos: 1 });
    await streamA.next((m) => m.type === 'alert' && m.alert.type === 'call');
    await h.hearth.settle();
    expect(streamB.messages.filter((m: any) => m.type === 'alert')).toEqual([]);
    hub.end();
    streamA.ws.close();
    streamB.ws.close();
  });

  it('describes every route in the OpenAPI document', async () => {
    const res = await get('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/session', '/api/alerts', '/api/alerts/{id}', '/api/alerts/{id}/ack', '/api/hubs']));
    expect(res.json().info.description).toContain('/api/stream');
  });
});
