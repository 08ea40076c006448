import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { openStream, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { apiAs, hubOf, openAlert, type Api } from '../routing/fixture.ts';

describe('defect 11: every read and change of personal data is in the access log, which is append-only', () => {
  const clock = new VirtualClock(Date.parse('2026-11-03T11:00:00Z'));
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let admin: Api;
  let operator: Api;
  let coordinator: Api;
  let alertId: string;
  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Log Org', 'hub-log-1');
    admin = await apiAs(h.hearth, fx.users.admin);
    operator = await apiAs(h.hearth, fx.users.operator);
    coordinator = await apiAs(h.hearth, fx.users.coordinator);
    const hub = await hubOf(h.hearth, fx.hub, clock);
    await hub.fall('log-fall-1');
    await hub.client.publishAsync(`hearth/v1/hubs/${fx.hub.hubId}/events`, '{"not":"an event"}', { qos: 1 });
    hub.client.end(true);
    await h.hearth.settle();
    alertId = (await openAlert(operator, fx.residentId)).id;
  });
  afterAll(async () => h.close());

  /** The access-log rows written while fn ran. */
  const logged = async (fn: () => Promise<unknown>) => {
    const before = Number((await h.hearth.services.db.selectFrom('access_log').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0);
    await fn();
    return (await h.hearth.services.db.selectFrom('access_log').selectAll().where('id', '>', before).execute()).map((r) => ({ user: r.user_id, action: r.action, subjects: JSON.parse(r.subject) as string[] }));
  };

  it.each([
    ['hub rejections (raw payloads)', () => operator.call('GET', `/api/hubs/${fx.hub.hubId}/rejections`), 'operator', 'resident'],
    ['sensors', () => operator.call('GET', `/api/hubs/${fx.hub.hubId}/sensors`), 'operator', 'resident'],
    ['alert notifications', () => operator.call('GET', `/api/alerts/${alertId}/notifications`), 'operator', 'resident'],
    ['an acknowledgement', () => operator.call('POST', `/api/alerts/${alertId}/ack`), 'operator', 'resident'],
    ['a change of contacts', () => coordinator.call('PUT', `/api/residents/${fx.residentId}/contacts`, { contacts: [{ name: 'Daughter', relation: 'next-of-kin', phone: '+447700900123' }] }), 'coordinator', 'resident'],
    ['a change of plan', () => coordinator.call('PATCH', `/api/residents/${fx.residentId}/plan`, { usualRising: '08:30' }), 'coordinator', 'resident'],
  ] as const)('logs %s', async (_what, request, role, subject) => {
    const rows = await logged(async () => {
      const res = await request();
      expect(res.status, res.body).toBeLessThan(300);
    });
    expect(rows.length, JSON.stringify(rows)).toBeGreaterThan(0);
    expect(rows.every((r) => r.user === fx.users[role].id)).toBe(true);
    if (subject === 'resident') expect(rows.flatMap((r) => r.subjects)).toContain(fx.residentId);
  });

  it("logs reading residents' channels (their contacts' numbers)", async () => {
    const add = await admin.call('POST', '/api/channels', { ownerType: 'resident', ownerId: fx.residentId, kind: 'sms', config: { providerUrl: 'https://sms.example.invalid/send', to: '+447700900555' } });
    expect(add.status, add.body).toBe(201);
    const rows = await logged(() => admin.call('GET', '/api/channels'));
    expect(rows).toContainEqual({ user: fx.users.admin.id, action: 'GET /api/channels', subjects: [fx.residentId] });
  });

  it('logs connecting to the stream and each alert it delivers', async () => {
    const rows = await logged(async () => {
      const s = await openStream(h.hearth.ports.http, operator.token);
      await s.next((m) => m.type === 'hello');
      s.ws.close();
      await new Promise((r) => setTimeout(r, 50));
    });
    expect(rows).toContainEqual({ user: fx.users.operator.id, action: 'stream.connect', subjects: [fx.users.operator.id] });
  });

  it('does not log twice what a handler logs itself', async () => {
    const rows = await logged(() => operator.call('GET', `/api/alerts/${alertId}`));
    expect(rows).toHaveLength(1);
  });

  it('refuses UPDATE and DELETE on access_log at database level', async () => {
    const { db } = h.hearth.services;
    await expect(db.updateTable('access_log').set({ action: 'nothing' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('access_log').execute()).rejects.toThrow(/append-only/);
    const list = await admin.call('GET', `/api/audit/access?subject=${fx.residentId}`);
    expect(list.json.entries.length).toBeGreaterThan(3);
  });
});
