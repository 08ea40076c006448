import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { advanceTo, allowOutbound, apiAs, historyOf, hubOf, openAlert, receiver, type Api } from './fixture.ts';

// 1 July 2026: London is on BST (UTC+1), so the urgent team's 08:00 to 20:00 is 07:00 to 19:00 UTC.
const at = (iso: string) => Date.parse(iso);

describe('routing by the urgent response team hours (local time in the neighbourhood)', () => {
  const clock = new VirtualClock(at('2026-07-01T18:50:00Z')); // 19:50 BST
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let admin: Api;
  let operator: Api;
  let hub: Awaited<ReturnType<typeof hubOf>>;
  let rx: Awaited<ReturnType<typeof receiver>>;
  // Other detectors (inactivity, hub heartbeat) may raise their own alerts as hours pass: look only at this alert's deliveries.
  const pathsFor = (alertId: string, change = 'raised') =>
    rx.received
      .filter((r) => JSON.parse(r.body).alert.id === alertId && JSON.parse(r.body).change === change)
      .map((r) => r.path)
      .sort();

  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Routing Alliance', 'hub-route-1');
    admin = await apiAs(h.hearth, fx.users.admin);
    operator = await apiAs(h.hearth, fx.users.operator);
    hub = await hubOf(h.hearth, fx.hub, clock);
    rx = await receiver([200]);
    allowOutbound(h.hearth, rx.url);
    const nb = await admin.call('PATCH', `/api/neighbourhoods/${fx.neighbourhoodId}`, { outOfHoursRoute: 'Night nursing', urgentStart: '08:00', urgentEnd: '20:00', timezone: 'Europe/London' });
    expect(nb.status).toBe(200);
    const secret = 'a-shared-secret-of-some-length';
    for (const [ownerType, ownerId, path] of [
      ['team', fx.neighbourhoodId, '/team'],
      ['route', 'Night nursing', '/night'],
      ['user', fx.users.coordinator.id, '/coordinator'],
    ] as const) {
      const res = await admin.call('POST', '/api/channels', { ownerType, ownerId, kind: 'webhook', config: { url: `${rx.url}${path}`, secret } });
      expect(res.status, res.body).toBe(201);
      expect(JSON.stringify(res.json)).not.toContain(secret);
    }
  });
  afterAll(async () => {
    hub.client.end(true);
    await h.close();
    await rx.close();
  });

  it('tells the operator the period and targets for each type at the current local time', async () => {
    // 19:50 BST: inside the hours. At 19:00 UTC (20:00 BST) the service has ended; read as UTC it would not have.
    const r = await operator.call('GET', `/api/neighbourhoods/${fx.neighbourhoodId}/routing`);
    expect(r.json.now.period).toBe('in-hours');
    expect(r.json.now.targets.fall).toEqual(['operator', 'urgent-response', 'coordinator']);
    expect(r.json.now.targets['cold-home']).toEqual(['coordinator']);
    expect(r.json.now.targets['hub-offline']).toEqual(['installer', 'operator']);
  });

  it('sends a fall inside the hours to the urgent response team, and outside them to the out-of-hours route; the coordinator always', async () => {
    await advanceTo(h.hearth, clock, at('2026-07-01T18:59:00Z')); // 19:59 BST
    await hub.fall('day-fall');
    const day = await openAlert(operator, fx.residentId);
    const dayRouted = (await historyOf(operator, day.id)).find((e) => e.action === 'routed');
    expect(dayRouted?.detail).toMatchObject({ change: 'raised', period: 'in-hours', targets: ['operator', 'urgent-response', 'coordinator'], notifications: 2 });
    expect(pathsFor(day.id)).toEqual(['/coordinator', '/team']);
    const dayNotes = (await operator.call('GET', `/api/alerts/${day.id}/notifications`)).json;
    expect(dayNotes.notifications.map((n: any) => [n.target, n.state, n.change]).sort()).toEqual([
      [`${rx.url}/coordinator`, 'delivered', 'raised'],
      [`${rx.url}/team`, 'delivered', 'raised'],
    ]);
    expect(dayNotes.attempts.map((a: any) => [a.target, a.status]).sort()).toEqual([
      [`${rx.url}/coordinator`, 'delivered'],
      [`${rx.url}/team`, 'delivered'],
    ]);
    await operator.call('POST', `/api/alerts/${day.id}/resolve`, { outcome: 'no-harm' });

    await advanceTo(h.hearth, clock, at('2026-07-01T19:00:00Z')); // 20:00 BST: the team's service has ended
    const r = await operator.call('GET', `/api/neighbourhoods/${fx.neighbourhoodId}/routing`);
    expect(r.json.now.period).toBe('out-of-hours');
    expect(r.json.now.targets.fall).toEqual(['operator', 'out-of-hours', 'coordinator']);
    await advanceTo(h.hearth, clock, at('2026-07-01T19:05:00Z'));
    await hub.fall('night-fall');
    const night = await openAlert(operator, fx.residentId);
    expect(night.id).not.toBe(day.id);
    const nightRouted = (await historyOf(operator, night.id)).find((e) => e.action === 'routed');
    expect(nightRouted?.detail).toMatchObject({ change: 'raised', period: 'out-of-hours', targets: ['operator', 'out-of-hours', 'coordinator'] });
    expect(pathsFor(night.id)).toEqual(['/coordinator', '/night']);
    const body = JSON.parse(rx.received.find((r) => r.path === '/night' && r.body.includes(night.id))!.body);
    expect(body).toMatchObject({ change: 'raised', alert: { id: night.id, type: 'fall', severity: 'urgent', residentId: fx.residentId } });

    // Dispatch out of hours goes to the out-of-hours route, and is told so.
    const d = await operator.call('POST', `/api/alerts/${night.id}/dispatch`, { to: 'out-of-hours' });
    expect(d.json.alert.dispatchTarget).toEqual({ kind: 'out-of-hours', route: 'Night nursing' });
    await h.hearth.settle();
    expect(pathsFor(night.id, 'dispatched')).toEqual(['/night']);
    await operator.call('POST', `/api/alerts/${night.id}/resolve`, { outcome: 'assisted' });
  });

  it("follows a neighbourhood's own rule over the default (a 24-hour team for falls)", async () => {
    const put = await admin.call('PUT', `/api/neighbourhoods/${fx.neighbourhoodId}/routing`, { rules: [{ type: 'fall', period: 'any', targets: ['operator', 'urgent-response'] }] });
    expect(put.status, put.body).toBe(200);
    expect((await operator.call('PUT', `/api/neighbourhoods/${fx.neighbourhoodId}/routing`, { rules: [] })).status).toBe(403);
    await advanceTo(h.hearth, clock, at('2026-07-01T19:30:00Z')); // 20:30 BST
    await hub.fall('rule-fall');
    const a = await openAlert(operator, fx.residentId);
    const routed = (await historyOf(operator, a.id)).find((e) => e.action === 'routed');
    // The coordinator is still added: the care model says they hear of every urgent alert of their residents.
    expect(routed?.detail).toMatchObject({ period: 'out-of-hours', rule: { type: 'fall', period: 'any', source: 'neighbourhood' }, targets: ['operator', 'urgent-response', 'coordinator'] });
    expect(pathsFor(a.id)).toEqual(['/coordinator', '/team']);
    await operator.call('POST', `/api/alerts/${a.id}/resolve`, { outcome: 'no-harm' });
  });

  it("tells the resident's contacts only when their consent allows it", async () => {
    const coordinator = await apiAs(h.hearth, fx.users.coordinator);
    const family = await admin.call('POST', '/api/channels', { ownerType: 'resident', ownerId: fx.residentId, kind: 'webhook', config: { url: `${rx.url}/family`, secret: 'family-secret-0123456789' } });
    expect(family.status, family.body).toBe(201);
    await admin.call('PUT', `/api/neighbourhoods/${fx.neighbourhoodId}/routing`, { rules: [{ type: 'fall', period: 'any', targets: ['operator', 'urgent-response', 'contacts'] }] });

    await coordinator.call('PUT', `/api/residents/${fx.residentId}/consent`, { monitoring: true, shareWithContacts: false });
    await hub.fall('contacts-fall-1');
    const withheld = await openAlert(operator, fx.residentId);
    expect(pathsFor(withheld.id)).toEqual(['/coordinator', '/team']);
    await operator.call('POST', `/api/alerts/${withheld.id}/resolve`, { outcome: 'no-harm' });

    await coordinator.call('PUT', `/api/residents/${fx.residentId}/consent`, { monitoring: true, shareWithContacts: true });
    await advanceTo(h.hearth, clock, clock.now() + 60_000);
    await hub.fall('contacts-fall-2');
    const shared = await openAlert(operator, fx.residentId);
    expect(pathsFor(shared.id)).toEqual(['/coordinator', '/family', '/team']);
  });
});
