import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { addHome, advanceTo, allowOutbound, apiAs, historyOf, hubOf, openAlert, receiver, type Api } from '../routing/fixture.ts';

const MIN = 60_000;
// Monday 2 November 2026, 10:00 in London (GMT): the urgent team (08:00-20:00) is on duty.
const T0 = Date.parse('2026-11-02T10:00:00Z');

describe('working an alert through the API, in virtual time', () => {
  const clock = new VirtualClock(T0);
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let operator: Api;
  let responder: Api;
  let admin: Api;
  let hub: Awaited<ReturnType<typeof hubOf>>;

  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Work Alliance', 'hub-work-1');
    operator = await apiAs(h.hearth, fx.users.operator);
    responder = await apiAs(h.hearth, fx.users.responder);
    admin = await apiAs(h.hearth, fx.users.admin);
    hub = await hubOf(h.hearth, fx.hub, clock);
  });
  afterAll(async () => {
    hub.client.end(true);
    await h.close();
  });

  it('queues by priority, then waiting longest first, with counts per state and filters', async () => {
    const home2 = await addHome(h.hearth, fx, 'hub-work-2');
    const hub2 = await hubOf(h.hearth, home2.hub, clock);
    await hub2.fall('q-fall-old');
    await advanceTo(h.hearth, clock, clock.now() + 8 * MIN);
    await hub.fall('q-fall-new');
    const res = await operator.call('GET', '/api/alerts?state=open');
    const falls = res.json.alerts.filter((a: any) => a.type === 'fall');
    expect(falls.map((a: any) => a.residentId)).toEqual([home2.residentId, fx.residentId]);
    expect(res.json.counts).toMatchObject({ raised: 2, acknowledged: 0, dispatched: 0, 'on-site': 0 });
    expect((await operator.call('GET', '/api/alerts?state=raised&type=call')).json.alerts).toEqual([]);
    for (const a of falls) expect((await operator.call('POST', `/api/alerts/${a.id}/cancel`, { reason: 'queue test' })).status).toBe(200);
    hub2.client.end(true);
  });

  it('refuses to dispatch an off-duty team unless confirmed, and says who is on duty instead', async () => {
    await advanceTo(h.hearth, clock, Date.parse('2026-11-02T21:30:00Z')); // after 20:00
    await hub.fall('night-fall-1');
    const fall = await openAlert(operator, fx.residentId);
    const options = await operator.call('GET', `/api/alerts/${fall.id}/dispatch-options`);
    expect(options.json.team).toMatchObject({ neighbourhoodId: fx.neighbourhoodId, onDuty: false, hours: '08:00-20:00' });
    expect(options.json.responders.map((r: any) => r.id)).toContain(fx.users.responder.id);
    const refused = await operator.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'team' });
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe('HEARTH_ERR_OFF_DUTY');
    expect(refused.json.message).toMatch(/off duty.*on duty instead: out-of-hours/);
    // Nothing changed: no dispatch, no two-hour clock.
    expect((await operator.call('GET', `/api/alerts/${fall.id}`)).json.alert).toMatchObject({ state: 'raised', dispatchedAt: null });
    const confirmed = await operator.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'team', confirmOffDuty: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.alert.state).toBe('dispatched');
    expect((await operator.call('POST', `/api/alerts/${fall.id}/cancel`, { reason: 'test' })).status).toBe(200);
    await advanceTo(h.hearth, clock, Date.parse('2026-11-03T10:00:00Z'));
    // A day on: sessions have expired; sign in again.
    operator = await apiAs(h.hearth, fx.users.operator);
    responder = await apiAs(h.hearth, fx.users.responder);
    admin = await apiAs(h.hearth, fx.users.admin);
  });

  it('keeps notes on the timeline, assigns one responder, and records on my way and on site by the responder', async () => {
    await hub.fall('work-fall-1');
    const fall = await openAlert(operator, fx.residentId);
    expect((await operator.call('POST', `/api/alerts/${fall.id}/notes`, { text: '' })).status).toBe(400);
    expect((await operator.call('POST', `/api/alerts/${fall.id}/notes`, { text: 'Rang Edith: no answer' })).status).toBe(201);
    expect((await operator.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'team' })).status).toBe(200);
    const assigned = await operator.call('POST', `/api/alerts/${fall.id}/assign`, { responderId: fx.users.responder.id });
    expect(assigned.json.alert).toMatchObject({ assignedTo: fx.users.responder.id });
    expect((await operator.call('POST', `/api/alerts/${fall.id}/assign`, { responderId: fx.users.coordinator.id })).status).toBe(400);
    await advanceTo(h.hearth, clock, clock.now() + 5 * MIN);
    expect((await operator.call('POST', `/api/alerts/${fall.id}/en-route`, {})).status).toBe(403);
    const onWay = await responder.call('POST', `/api/alerts/${fall.id}/en-route`, {});
    expect(onWay.json.alert).toMatchObject({ enRouteBy: fx.users.responder.id });
    await advanceTo(h.hearth, clock, clock.now() + 20 * MIN);
    const onSite = await responder.call('POST', `/api/alerts/${fall.id}/on-site`, {});
    expect(onSite.json.alert).toMatchObject({ state: 'on-site', onSiteBy: fx.users.responder.id, onSiteProxy: false });
    const actions = (await historyOf(operator, fall.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['note', 'dispatched', 'assigned', 'en-route', 'on-site']));
    // Technical outcomes do not fit a fall.
    expect((await responder.call('POST', `/api/alerts/${fall.id}/resolve`, { outcome: 'engineer-visit' })).status).toBe(400);
    const script = await operator.call('GET', `/api/alerts/${fall.id}/script`);
    expect(script.json.kind).toBe('welfare');
    expect(script.json.script.steps.length).toBeGreaterThan(2);
    expect(script.json.outcomes.map((o: any) => o.id)).not.toContain('engineer-visit');
    expect((await responder.call('POST', `/api/alerts/${fall.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);
  });

  it("lets an operator record on site on a responder's behalf only with a reason, and the report leaves it out of the median", async () => {
    await hub.fall('proxy-fall-1');
    const fall = await openAlert(operator, fx.residentId);
    await operator.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'responder', responderId: fx.users.responder.id });
    await advanceTo(h.hearth, clock, clock.now() + 1000);
    const noReason = await operator.call('POST', `/api/alerts/${fall.id}/on-site`, {});
    expect(noReason.status).toBe(400);
    const proxy = await operator.call('POST', `/api/alerts/${fall.id}/on-site`, { reason: 'responder phoned it in, no signal for the app' });
    expect(proxy.json.alert).toMatchObject({ state: 'on-site', onSiteBy: fx.users.responder.id, onSiteProxy: true });
    const entry = (await historyOf(operator, fall.id)).find((e) => e.action === 'on-site');
    expect(entry).toMatchObject({ actor: fx.users.operator.id, detail: { proxy: true, reason: 'responder phoned it in, no signal for the app' } });
    expect((await operator.call('POST', `/api/alerts/${fall.id}/resolve`, { outcome: 'no-harm' })).status).toBe(200);
    const report = await admin.call('GET', `/api/reports/service?neighbourhoodId=${fx.neighbourhoodId}&month=2026-11`);
    expect(report.status, report.body).toBe(200);
    // Only the responder's own on-site (20 min after dispatch, in the test above) counts; the 1 s proxy does not.
    expect(report.json.report.intervals.dispatchToOnSite.count).toBe(1);
    expect(report.json.report.intervals.dispatchToOnSite.medianSeconds).toBeGreaterThan(60);
  });

  it('says truthfully who was told: "no channel configured" when routing sent nothing, delivered when a channel took it', async () => {
    await hub.fall('routing-fall-1');
    const fall = await openAlert(operator, fx.residentId);
    const before = await operator.call('GET', `/api/alerts/${fall.id}/routing`);
    expect(before.json.routing[0]).toMatchObject({ change: 'raised', summary: 'nobody told: no channel configured', notifications: [] });
    const rx = await receiver();
    allowOutbound(h.hearth, rx.url);
    try {
      const ch = await admin.call('POST', '/api/channels', { ownerType: 'team', ownerId: fx.neighbourhoodId, kind: 'webhook', name: 'Team pager', config: { url: rx.url + '/team', secret: 'a-secret-long-enough-123' } });
      expect(ch.status, ch.body).toBe(201);
      expect((await operator.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'team' })).status).toBe(200);
      await h.hearth.settle();
      const after = (await operator.call('GET', `/api/alerts/${fall.id}/routing`)).json.routing;
      const dispatched = after.find((r: any) => r.change === 'dispatched');
      expect(dispatched.notifications).toHaveLength(1);
      expect(dispatched.notifications[0]).toMatchObject({ channel: 'webhook', owner: 'team Team pager' });
      expect(dispatched.summary).toMatch(/^1 told: 1 (delivered|failed|not delivered yet, retrying)$/);
    } finally {
      await rx.close();
    }
    expect((await operator.call('POST', `/api/alerts/${fall.id}/resolve`, { outcome: 'no-harm' })).status).toBe(200);
  });

  it('finds closed alerts by resident, type, outcome and date, paged, and hands over a shift', async () => {
    const all = await operator.call('GET', '/api/alerts/history?pageSize=2');
    expect(all.status, all.body).toBe(200);
    expect(all.json.total).toBeGreaterThanOrEqual(5);
    expect(all.json.alerts).toHaveLength(2);
    const page2 = await operator.call('GET', '/api/alerts/history?pageSize=2&page=2');
    expect(page2.json.alerts[0].id).not.toBe(all.json.alerts[0].id);
    const assisted = await operator.call('GET', `/api/alerts/history?outcome=assisted&type=fall&resident=${encodeURIComponent('Resident of hub-work-1')}`);
    expect(assisted.json.alerts.length).toBe(1);
    expect(assisted.json.alerts[0].outcome).toBe('assisted');
    const none = await operator.call('GET', '/api/alerts/history?from=2030-01-01');
    expect(none.json.total).toBe(0);
    expect((await operator.call('GET', '/api/alerts/history?from=yesterday')).status).toBe(400);
    const mine = await operator.call('GET', `/api/alerts/history?residentId=${fx.residentId}`);
    expect(mine.json.alerts.every((a: any) => a.residentId === fx.residentId)).toBe(true);

    await hub.fall('handover-fall-open');
    const handover = await operator.call('GET', '/api/alerts/handover?hours=24');
    expect(handover.status, handover.body).toBe(200);
    expect(handover.json.open.map((a: any) => a.type)).toContain('fall');
    expect(handover.json.closed.length).toBeGreaterThanOrEqual(3);
    expect(handover.json.byOutcome.assisted).toBeGreaterThanOrEqual(1);
    expect(handover.json.notes.map((n: any) => n.text)).toContain('Rang Edith: no answer');
    expect((await responder.call('GET', '/api/alerts/handover')).status).toBe(403);

    // Responders' history holds only their jobs; another organisation sees none of it.
    const theirs = await responder.call('GET', '/api/alerts/history?pageSize=200');
    expect(theirs.json.alerts.every((a: any) => a.dispatchTarget !== null)).toBe(true);
    const other = await seedOrg(h.hearth, 'Other Work Alliance', 'hub-work-other');
    const stranger = await apiAs(h.hearth, other.users.operator);
    expect((await stranger.call('GET', '/api/alerts/history')).json.total).toBe(0);
    expect((await stranger.call('GET', `/api/alerts/history?residentId=${fx.residentId}`)).json.total).toBe(0);
  });

  it('shows who is signed in and on shift', async () => {
    expect((await operator.call('PUT', '/api/presence', { onShift: true })).status).toBe(200);
    const list = (await admin.call('GET', '/api/presence')).json.operators;
    expect(list.find((o: any) => o.id === fx.users.operator.id)).toMatchObject({ signedIn: true, onShift: true });
    expect(list.find((o: any) => o.id === fx.users.admin.id)).toMatchObject({ signedIn: true, onShift: false });
    expect((await responder.call('PUT', '/api/presence', { onShift: true })).status).toBe(403);
  });
});
