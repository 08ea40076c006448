import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_PERMISSIONS, rolesFor } from '../../../server/src/care/alert-permissions.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { advanceTo, apiAs, historyOf, hubOf, openAlert, type Api } from '../routing/fixture.ts';

// Monday 2 November 2026, 10:00 in London: inside the urgent team's hours.
const T0 = Date.parse('2026-11-02T10:00:00Z');

describe('who may do what to an alert (defect 9), through the API', () => {
  const clock = new VirtualClock(T0);
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let operator: Api;
  let responder: Api;
  let southResponder: Api;
  let coordinator: Api;
  let installer: Api;
  let north: Awaited<ReturnType<typeof hubOf>>;
  let south: Awaited<ReturnType<typeof hubOf>>;
  let southResidentId: string;

  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Permission Alliance', 'hub-perm-n');
    const d = h.hearth.services.directory;
    // A second neighbourhood with its own home and its own responder.
    const nb = await d.addNeighbourhood({ orgId: fx.orgId, name: 'South' });
    const hub = await d.addHub({ orgId: fx.orgId, hubId: 'hub-perm-s' });
    await d.commissionSensor({ hubId: hub.hubId, sensorId: 'hall-fall', type: 'fall', room: 'hall' });
    southResidentId = (await d.addResident({ orgId: fx.orgId, neighbourhoodId: nb.id, name: 'Southern Resident', hubId: hub.hubId })).id;
    await d.addUser({ orgId: fx.orgId, username: 'south-responder', password: 'amber kettle lantern ninety', role: 'responder', neighbourhoodId: nb.id });
    operator = await apiAs(h.hearth, fx.users.operator);
    responder = await apiAs(h.hearth, fx.users.responder);
    coordinator = await apiAs(h.hearth, fx.users.coordinator);
    installer = await apiAs(h.hearth, fx.users.installer);
    southResponder = await apiAs(h.hearth, { username: 'south-responder', password: 'amber kettle lantern ninety' });
    north = await hubOf(h.hearth, fx.hub, clock);
    south = await hubOf(h.hearth, hub, clock);
  });
  afterAll(async () => {
    north.client.end(true);
    south.client.end(true);
    await h.close();
  });

  it('is data: a table of action to role and scope, from which the routes take their roles', () => {
    expect(ALERT_PERMISSIONS.responder.acknowledge).toBeUndefined();
    expect(ALERT_PERMISSIONS.coordinator.resolve).toBeUndefined();
    expect(ALERT_PERMISSIONS.coordinator.note).toBe('own-residents');
    expect(rolesFor('acknowledge').sort()).toEqual(['admin', 'installer', 'operator']);
    expect(rolesFor('dispatch').sort()).toEqual(['admin', 'operator']);
  });

  it("defect 9: a responder cannot see or resolve another neighbourhood's undispatched urgent fall", async () => {
    await south.fall('perm-south-fall-1');
    const fall = await openAlert(operator, southResidentId);
    expect(fall).toMatchObject({ type: 'fall', severity: 'urgent', state: 'raised' });

    const list = await responder.call('GET', '/api/alerts?state=all');
    expect(list.status).toBe(200);
    expect(list.json.alerts.map((a: any) => a.id)).not.toContain(fall.id);
    expect((await responder.call('GET', `/api/alerts/${fall.id}`)).status).toBe(404);
    const resolve = await responder.call('POST', `/api/alerts/${fall.id}/resolve`, { outcome: 'false-alarm' });
    expect(resolve.status).toBe(404);
    expect((await responder.call('GET', `/api/alerts/${fall.id}/notifications`)).status).toBe(404);
    // Not even its own team sees it before it is dispatched to them.
    expect((await southResponder.call('GET', `/api/alerts/${fall.id}`)).status).toBe(404);
    const row = await h.hearth.services.db.selectFrom('alerts').select(['state', 'closed_at']).where('id', '=', fall.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'raised', closed_at: null });
    // The escalation goes on: nothing stopped it.
    await advanceTo(h.hearth, clock, clock.now() + 61_000);
    expect((await historyOf(operator, fall.id)).filter((e) => e.action === 'escalated')).toHaveLength(1);

    // Dispatched to the South team: its responder sees it and acts; the North responder still does not.
    expect((await operator.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'team' })).status).toBe(200);
    expect((await southResponder.call('GET', `/api/alerts/${fall.id}`)).status).toBe(200);
    expect((await responder.call('GET', `/api/alerts/${fall.id}`)).status).toBe(404);
    expect((await responder.call('POST', `/api/alerts/${fall.id}/on-site`, {})).status).toBe(404);
    expect((await southResponder.call('POST', `/api/alerts/${fall.id}/en-route`, {})).status).toBe(200);
    expect((await southResponder.call('POST', `/api/alerts/${fall.id}/on-site`, {})).status).toBe(200);
    expect((await southResponder.call('POST', `/api/alerts/${fall.id}/resolve`, { outcome: 'assisted' })).status).toBe(200);
  });

  it('defect 9: a coordinator cannot close an unacknowledged, escalated urgent fall, nor acknowledge it; a note is allowed', async () => {
    await north.fall('perm-north-fall-1');
    const fall = await openAlert(operator, fx.residentId);
    await advanceTo(h.hearth, clock, clock.now() + 121_000);
    expect((await coordinator.call('GET', `/api/alerts/${fall.id}`)).json.alert.escalationLevel).toBe(2);

    const close = await coordinator.call('POST', `/api/alerts/${fall.id}/resolve`, { outcome: 'false-alarm' });
    expect(close.status).toBe(403);
    expect(close.json.code).toBe('HEARTH_ERR_FORBIDDEN');
    const ack = await coordinator.call('POST', `/api/alerts/${fall.id}/ack`);
    expect(ack.status).toBe(403);
    expect((await coordinator.call('POST', `/api/alerts/${fall.id}/cancel`, { reason: 'she is fine' })).status).toBe(403);
    const note = await coordinator.call('POST', `/api/alerts/${fall.id}/notes`, { text: 'Daughter says she has a cold' });
    expect(note.status).toBe(201);
    const after = await operator.call('GET', `/api/alerts/${fall.id}`);
    expect(after.json.alert).toMatchObject({ state: 'raised', acknowledgedAt: null, closedAt: null });
    expect(after.json.history.find((e: any) => e.action === 'note')).toMatchObject({ actor: fx.users.coordinator.id, detail: { text: 'Daughter says she has a cold' } });
    // What the console may offer the coordinator: read and note only.
    expect((await coordinator.call('GET', `/api/alerts/${fall.id}`)).json.actions).toEqual(['see', 'note']);
  });

  it('defect 9: responders cannot acknowledge (which would stop the escalation), even a job of their own team', async () => {
    const fall = await openAlert(operator, fx.residentId);
    expect((await responder.call('POST', `/api/alerts/${fall.id}/ack`)).status).toBe(403);
    expect((await installer.call('POST', `/api/alerts/${fall.id}/ack`)).status).toBe(404); // not technical: not theirs to see
    expect((await operator.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'team' })).status).toBe(200);
    expect((await responder.call('POST', `/api/alerts/${fall.id}/ack`)).status).toBe(403);
    expect((await responder.call('POST', `/api/alerts/${fall.id}/cancel`, { reason: 'x' })).status).toBe(403);
    expect((await responder.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'team' })).status).toBe(403);
    expect((await responder.call('GET', `/api/alerts/${fall.id}`)).json.actions).toEqual(['see', 'note', 'en-route', 'on-site', 'resolve']);
    expect((await operator.call('POST', `/api/alerts/${fall.id}/cancel`, { reason: 'test over' })).status).toBe(200);
  });
});
