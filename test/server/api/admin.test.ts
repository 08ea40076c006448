import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../../server/src/notify/senders.ts';
import { seedOrg, signIn, startHearth, type Fixture } from '../../helpers/hearth.ts';

/** A local webhook receiver: records each request; answers with the status it is told to. */
async function receiver(): Promise<{ url: string; got: { headers: http.IncomingHttpHeaders; body: string }[]; status: { code: number }; close: () => Promise<void> }> {
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const status = { code: 200 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = status.code;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, got, status, close: () => new Promise((r) => server.close(() => r())) };
}

describe('admin API (issue 13)', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let a: Fixture;
  let b: Fixture;
  let adminA: string;
  let adminB: string;
  let operatorA: string;
  let rx: Awaited<ReturnType<typeof receiver>>;
  const SECRET = 'a-webhook-secret-of-some-length';

  const call = async (token: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown) => {
    const res = await h.hearth.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: res.statusCode, json: res.headers['content-type']?.toString().includes('json') ? (res.json() as any) : undefined, body: res.body, headers: res.headers };
  };

  beforeAll(async () => {
    rx = await receiver();
    // The local receiver is not a public address: allowed by host:port, as a deployment would (HEARTH_OUTBOUND_ALLOW).
    h = await startHearth({ config: { outboundAllow: [new URL(rx.url).host] } });
    a = await seedOrg(h.hearth, 'Admin Org A', 'hub-admin-a');
    b = await seedOrg(h.hearth, 'Admin Org B', 'hub-admin-b');
    adminA = await signIn(h.hearth, a.users.admin.username, a.users.admin.password);
    adminB = await signIn(h.hearth, b.users.admin.username, b.users.admin.password);
    operatorA = await signIn(h.hearth, a.users.operator.username, a.users.operator.password);
  });
  afterAll(async () => {
    await rx?.close();
    await h?.close();
  });

  it('sends a channel test through the real notifier, signed like an alert, and records it in the delivery history', async () => {
    const created = await call(adminA, 'POST', '/api/channels', { ownerType: 'team', ownerId: a.neighbourhoodId, kind: 'webhook', name: 'North team hook', config: { url: rx.url, secret: SECRET } });
    expect(created.status).toBe(201);
    const id = created.json.channel.id as string;

    const sent = await call(adminA, 'POST', `/api/channels/${id}/test`);
    expect(sent.status).toBe(200);
    expect(sent.json.delivery).toMatchObject({ kind: 'test', status: 'delivered', response: expect.stringMatching(/^HTTP 200/), requestedBy: a.users.admin.id });
    expect(rx.got).toHaveLength(1);
    const { headers, body } = rx.got[0]!;
    expect(headers['x-hearth-event']).toBe('alert.test');
    expect(headers['x-hearth-signature']).toBe(signWebhook(SECRET, String(headers['x-hearth-timestamp']), body));
    expect(JSON.parse(body)).toMatchObject({ change: 'test', alert: { type: 'test', summary: expect.stringContaining('Test notification from Hearth (Admin Org A)') } });

    rx.status.code = 500;
    const failed = await call(adminA, 'POST', `/api/channels/${id}/test`);
    expect(failed.json.delivery).toMatchObject({ status: 'failed', error: 'HTTP 500' });
    rx.status.code = 200;

    const history = await call(adminA, 'GET', `/api/channels/${id}/deliveries`);
    expect(history.json.deliveries.map((d: any) => [d.kind, d.status])).toEqual([
      ['test', 'failed'],
      ['test', 'delivered'],
    ]);

    // Other organisations and other roles: nothing sent, nothing seen.
    expect((await call(adminB, 'POST', `/api/channels/${id}/test`)).status).toBe(404);
    expect((await call(adminB, 'GET', `/api/channels/${id}/deliveries`)).status).toBe(404);
    expect((await call(operatorA, 'POST', `/api/channels/${id}/test`)).status).toBe(403);
    expect(rx.got).toHaveLength(2);
    // The test goes through the notifier's outbound policy: a loopback address the deployment did not allow is refused, unsent.
    const other = await receiver();
    const blocked = await call(adminA, 'POST', '/api/channels', { ownerType: 'route', ownerId: 'night', kind: 'webhook', name: 'Not allowed', config: { url: other.url, secret: SECRET } });
    const refused = await call(adminA, 'POST', `/api/channels/${blocked.json.channel.id}/test`);
    expect(refused.json.delivery).toMatchObject({ status: 'failed', error: expect.stringMatching(/^blocked: 127.0.0.1 is 127.0.0.1 .*not a public address; allow 127.0.0.1:\d+ in HEARTH_OUTBOUND_ALLOW/) });
    expect(other.got).toHaveLength(0);
    await other.close();
    // A disabled channel is not tested (it would not be used either).
    await call(adminA, 'PATCH', `/api/channels/${id}`, { enabled: false });
    expect((await call(adminA, 'POST', `/api/channels/${id}/test`)).status).toBe(409);
    expect(rx.got).toHaveLength(2);
  });

  it('organisation settings: name and defaults that new neighbourhoods take; bad values refused; others untouched', async () => {
    const before = await call(adminA, 'GET', '/api/organisation');
    expect(before.json.organisation).toMatchObject({ name: 'Admin Org A', defaultTimezone: 'Europe/London', defaultUrgentStart: '08:00' });
    expect((await call(adminA, 'PATCH', '/api/organisation', { defaultUrgentStart: '8am' })).status).toBe(400);
    expect((await call(adminA, 'PATCH', '/api/organisation', { defaultTimezone: 'Mars/Olympus' })).json.code).toBe('HEARTH_ERR_VALIDATION');
    expect((await call(adminA, 'PATCH', '/api/organisation', { name: 'Admin Org B' })).status).toBe(409);
    expect((await call(operatorA, 'PATCH', '/api/organisation', { name: 'X' })).status).toBe(403);
    const changed = await call(adminA, 'PATCH', '/api/organisation', { name: 'Admin Org A (North)', defaultTimezone: 'Europe/Dublin', defaultUrgentStart: '07:30', defaultUrgentEnd: '21:00', contactPhone: '+44 20 7946 0000' });
    expect(changed.json.organisation).toMatchObject({ name: 'Admin Org A (North)', defaultTimezone: 'Europe/Dublin', contactPhone: '+44 20 7946 0000' });
    const nb = await call(adminA, 'POST', '/api/neighbourhoods', { name: 'Harbour' });
    expect(nb.json.neighbourhood).toMatchObject({ urgentStart: '07:30', urgentEnd: '21:00', timezone: 'Europe/Dublin' });
    expect((await call(adminB, 'GET', '/api/organisation')).json.organisation).toMatchObject({ name: 'Admin Org B', defaultTimezone: 'Europe/London' });
  });

  it('subject access: everything held about a resident as JSON or CSV, the export logged; another organisation gets not found', async () => {
    const json = await call(adminA, 'GET', `/api/residents/${a.residentId}/subject-access`);
    expect(json.status).toBe(200);
    expect(json.headers['content-disposition']).toMatch(/attachment; filename="subject-access-/);
    const sections = Object.fromEntries((json.json.sections as { source: string; rows: any[] }[]).map((s) => [s.source, s.rows]));
    expect(sections.residents![0]).toMatchObject({ id: a.residentId, name: 'Resident of hub-admin-a' });
    expect(sections.sensors!.map((s: any) => s.sensor_id).sort()).toEqual(['hall-fall', 'kitchen-pir', 'pendant']);
    expect(Object.keys(sections)).toEqual(expect.arrayContaining(['alerts', 'alert_log', 'events', 'daily_summaries', 'access_log']));
    const csv = await call(adminA, 'GET', `/api/residents/${a.residentId}/subject-access?format=csv`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\r\n')[0]).toBe('source,row,field,value');
    expect(csv.body).toContain(`residents,1,name,Resident of hub-admin-a`);
    expect((await call(adminB, 'GET', `/api/residents/${a.residentId}/subject-access`)).status).toBe(404);
    expect((await call(operatorA, 'GET', `/api/residents/${a.residentId}/subject-access`)).status).toBe(403);
    const log = await call(adminA, 'GET', `/api/audit/access?subject=${a.residentId}&userId=${a.users.admin.id}`);
    expect(log.json.entries.filter((e: any) => e.action === 'residents.subject-access')).toHaveLength(2);
  });

  it('access log filtered by resident, user and dates', async () => {
    await call(operatorA, 'GET', `/api/residents/${a.residentId}`);
    const today = new Date().toISOString().slice(0, 10);
    const byOperator = await call(adminA, 'GET', `/api/audit/access?userId=${a.users.operator.id}&from=${today}&to=${today}`);
    expect(byOperator.json.entries.length).toBeGreaterThan(0);
    expect(byOperator.json.entries.every((e: any) => e.userId === a.users.operator.id)).toBe(true);
    expect((await call(adminA, 'GET', `/api/audit/access?userId=${a.users.operator.id}&to=2020-01-01`)).json.entries).toEqual([]);
    expect((await call(adminA, 'GET', `/api/audit/access?from=yesterday`)).status).toBe(400);
    // Another organisation's admin sees none of it.
    expect((await call(adminB, 'GET', `/api/audit/access?userId=${a.users.operator.id}`)).json.entries).toEqual([]);
  });

  it('lists every user of the organisation for the admin console, disabled ones included and marked', async () => {
    const res = await call(adminA, 'GET', '/api/admin/users');
    expect(res.json.users.map((u: any) => u.role).sort()).toEqual(['admin', 'coordinator', 'installer', 'operator', 'responder']);
    expect(res.json.users.every((u: any) => u.disabled === false)).toBe(true);
    expect((await call(operatorA, 'GET', '/api/admin/users')).status).toBe(403);
    expect((await call(adminB, 'GET', '/api/admin/users')).json.users.map((u: any) => u.id)).not.toContain(a.users.operator.id);
  });
});
