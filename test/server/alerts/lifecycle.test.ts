import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { openStream, seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { addHome, advanceTo, apiAs, historyOf, hubOf, openAlert, type Api } from '../routing/fixture.ts';

const MIN = 60_000;
// Monday 2 November 2026, 10:00 in London (GMT): inside the urgent team's hours.
const T0 = Date.parse('2026-11-02T10:00:00Z');

describe('the alert lifecycle through the API, in virtual time', () => {
  const clock = new VirtualClock(T0);
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let operator: Api;
  let responder: Api;
  let hub: Awaited<ReturnType<typeof hubOf>>;

  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Lifecycle Alliance', 'hub-life-1');
    operator = await apiAs(h.hearth, fx.users.operator);
    responder = await apiAs(h.hearth, fx.users.responder);
    hub = await hubOf(h.hearth, fx.hub, clock);
  });
  afterAll(async () => {
    hub.client.end(true);
    await h.close();
  });

  it('escalates an urgent alert left unacknowledged for 60 s, once, and not after acknowledgement', async () => {
    const stream = await openStream(h.hearth.ports.http, operator.token);
    const raisedAt = clock.now();
    await hub.fall('esc-fall-1');
    const alert = await openAlert(operator, fx.residentId);
    expect(alert).toMatchObject({ type: 'fall', state: 'raised', escalationLevel: 0 });

    await advanceTo(h.hearth, clock, raisedAt + 59_999);
    expect((await historyOf(operator, alert.id)).map((e) => e.action)).not.toContain('escalated');

    await advanceTo(h.hearth, clock, raisedAt + 60_000);
    const history = await historyOf(operator, alert.id);
    const escalations = history.filter((e) => e.action === 'escalated');
    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toMatchObject({ at: new Date(raisedAt + 60_000).toISOString(), detail: { level: 1, to: 'operators-on-shift' } });
    // The routing decision for the escalation is on the record too.
    expect(history.find((e) => e.action === 'routed' && e.detail.change === 'escalated')?.detail.targets).toEqual(['operators-on-shift']);
    const live = await stream.next((m) => m.type === 'alert' && m.change === 'escalated' && m.alert.id === alert.id);
    expect(live.alert.escalationLevel).toBe(1);

    const ack = await operator.call('POST', `/api/alerts/${alert.id}/ack`);
    expect(ack.status).toBe(200);
    expect(ack.json.alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: fx.users.operator.id });
    // The supervisor stage (120 s) was stopped by the acknowledgement.
    await advanceTo(h.hearth, clock, raisedAt + 10 * MIN);
    expect((await historyOf(operator, alert.id)).filter((e) => e.action === 'escalated')).toHaveLength(1);
    expect((await operator.call('POST', `/api/alerts/${alert.id}/resolve`, { outcome: 'no-harm' })).status).toBe(200);
    stream.ws.close();
  });

  it('updates the open alert on a second fall instead of opening another', async () => {
    await hub.fall('repeat-fall-1');
    const first = await openAlert(operator, fx.residentId);
    await advanceTo(h.hearth, clock, clock.now() + 20_000);
    await hub.fall('repeat-fall-2');
    const all = (await operator.call('GET', '/api/alerts?state=open')).json.alerts.filter((a: any) => a.residentId === fx.residentId && a.type === 'fall');
    expect(all).toHaveLength(1);
    expect(all[0].id).toBe(first.id);
    expect(all[0].repeatCount).toBe(1);
    expect(all[0].cause.repeats).toHaveLength(1);
    const history = await historyOf(operator, first.id);
    expect(history.filter((e) => e.action === 'raised')).toHaveLength(1);
    expect(history.filter((e) => e.action === 'repeated')).toHaveLength(1);
    expect((await operator.call('POST', `/api/alerts/${first.id}/resolve`, { outcome: 'no-harm' })).status).toBe(200);
  });

  it('runs the two-hour clock from dispatch: warning at 90 min, breach at 120 min, each once', async () => {
    await hub.fall('clock-fall-1');
    const alert = await openAlert(operator, fx.residentId);
    await advanceTo(h.hearth, clock, clock.now() + 30_000);
    const dispatched = await operator.call('POST', `/api/alerts/${alert.id}/dispatch`, { to: 'team' });
    expect(dispatched.status).toBe(200);
    const d = Date.parse(dispatched.json.alert.dispatchedAt);
    expect(dispatched.json.alert).toMatchObject({ state: 'dispatched', dispatchTarget: { kind: 'team', neighbourhoodId: fx.neighbourhoodId } });
    expect(dispatched.json.alert.responseDueAt).toBe(new Date(d + 120 * MIN).toISOString());
    // Dispatch on an unacknowledged alert records the acknowledgement as a separate fact, by the same person.
    const acts = (await historyOf(operator, alert.id)).map((e) => e.action);
    expect(acts.slice(acts.indexOf('raised'))).toEqual(['raised', 'routed', 'acknowledged', 'dispatched', 'routed']);

    const actions = async () => (await historyOf(operator, alert.id)).map((e) => e.action);
    await advanceTo(h.hearth, clock, d + 90 * MIN - 1);
    expect(await actions()).not.toContain('response-warning');
    await advanceTo(h.hearth, clock, d + 90 * MIN);
    let history = await historyOf(operator, alert.id);
    expect(history.filter((e) => e.action === 'response-warning').map((e) => e.at)).toEqual([new Date(d + 90 * MIN).toISOString()]);
    expect(history.map((e) => e.action)).not.toContain('response-breach');
    await advanceTo(h.hearth, clock, d + 120 * MIN - 1);
    expect(await actions()).not.toContain('response-breach');
    await advanceTo(h.hearth, clock, d + 120 * MIN);
    await advanceTo(h.hearth, clock, d + 180 * MIN);
    history = await historyOf(operator, alert.id);
    expect(history.filter((e) => e.action === 'response-breach').map((e) => e.at)).toEqual([new Date(d + 120 * MIN).toISOString()]);
    expect(history.filter((e) => e.action === 'response-warning')).toHaveLength(1);

    // The responder arrives late; the on-site record says so, and the alert closes with an outcome.
    const onSite = await responder.call('POST', `/api/alerts/${alert.id}/on-site`, {});
    expect(onSite.status).toBe(200);
    expect(onSite.json.alert).toMatchObject({ state: 'on-site', onSiteBy: fx.users.responder.id, responseBreachedAt: new Date(d + 120 * MIN).toISOString() });
    expect((await historyOf(operator, alert.id)).find((e) => e.action === 'on-site')?.detail).toMatchObject({ withinTwoHours: false, minutesFromDispatch: 180 });
    const resolved = await responder.call('POST', `/api/alerts/${alert.id}/resolve`, { outcome: 'assisted' });
    expect(resolved.json.alert).toMatchObject({ state: 'resolved', outcome: 'assisted' });
  });

  it('stops the clock when the responder is on site in time, and refuses out-of-order or foreign actions', async () => {
    await hub.fall('ontime-fall-1');
    const alert = await openAlert(operator, fx.residentId);
    // Not dispatched yet: not the responder's job, so not even visible to them (defect 9).
    expect((await responder.call('POST', `/api/alerts/${alert.id}/on-site`, {})).json.code).toBe('HEARTH_ERR_NOT_FOUND');
    expect((await responder.call('POST', `/api/alerts/${alert.id}/dispatch`, { to: 'team' })).status).toBe(403);
    expect((await operator.call('POST', `/api/alerts/${alert.id}/dispatch`, { to: 'responder' })).json.code).toBe('HEARTH_ERR_VALIDATION');
    const d = await operator.call('POST', `/api/alerts/${alert.id}/dispatch`, { to: 'responder', responderId: fx.users.responder.id });
    expect(d.json.alert.dispatchTarget).toEqual({ kind: 'responder', userId: fx.users.responder.id });
    const dispatchedAt = Date.parse(d.json.alert.dispatchedAt);
    await advanceTo(h.hearth, clock, dispatchedAt + 45 * MIN);
    expect((await responder.call('POST', `/api/alerts/${alert.id}/on-site`, { note: 'with Mrs R' })).status).toBe(200);
    await advanceTo(h.hearth, clock, dispatchedAt + 150 * MIN);
    const history = await historyOf(operator, alert.id);
    expect(history.map((e) => e.action)).not.toContain('response-warning');
    expect(history.map((e) => e.action)).not.toContain('response-breach');
    expect(history.find((e) => e.action === 'on-site')?.detail).toMatchObject({ withinTwoHours: true, minutesFromDispatch: 45 });

    // Another organisation's operator cannot see or act on it.
    const other = await seedOrg(h.hearth, 'Other Alliance', 'hub-life-other');
    const stranger = await apiAs(h.hearth, other.users.operator);
    for (const path of ['', '/notifications']) expect((await stranger.call('GET', `/api/alerts/${alert.id}${path}`)).status).toBe(404);
    expect((await stranger.call('POST', `/api/alerts/${alert.id}/cancel`, { reason: 'x' })).status).toBe(404);
    const cancelled = await operator.call('POST', `/api/alerts/${alert.id}/cancel`, { reason: 'resident fine, family present' });
    expect(cancelled.json.alert).toMatchObject({ state: 'cancelled', outcome: 'cancelled' });
    expect((await operator.call('POST', `/api/alerts/${alert.id}/resolve`, { outcome: 'no-harm' })).status).toBe(409);
  });

  it('keeps the audit trail append-only', async () => {
    const db = h.hearth.services.db;
    expect(Number((await db.selectFrom('alert_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBeGreaterThan(0);
    await expect(db.updateTable('alert_log').set({ action: 'edited' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('alert_log').execute()).rejects.toThrow(/append-only/);
  });
});

describe('deadlines across a restart', () => {
  it('fires each clock on time, or at once if it passed while the server was down, and never twice', async () => {
    const first = await startHearth({ clock: new VirtualClock(T0) });
    const dataDir = first.dataDir;
    const fx = await seedOrg(first.hearth, 'Restart Alliance', 'hub-rs-1');
    const home2 = await addHome(first.hearth, fx, 'hub-rs-2');
    let clock = first.hearth.services.clock as VirtualClock;
    let operator = await apiAs(first.hearth, fx.users.operator);
    const hub1 = await hubOf(first.hearth, fx.hub, clock);
    const hub2 = await hubOf(first.hearth, home2.hub, clock);
    await hub1.fall('rs-fall-1'); // X: left unacknowledged, runs the 60 s clocks
    await hub2.fall('rs-fall-2'); // Y: dispatched, runs the two-hour clock
    const x = await openAlert(operator, fx.residentId);
    const y = await openAlert(operator, home2.residentId);
    await advanceTo(first.hearth, clock, T0 + 10_000);
    const dispatch = await operator.call('POST', `/api/alerts/${y.id}/dispatch`, { to: 'team' });
    const d = Date.parse(dispatch.json.alert.dispatchedAt);
    await advanceTo(first.hearth, clock, T0 + 30_000);
    hub1.client.end(true);
    hub2.client.end(true);
    await first.hearth.stop();

    // Restart 1, mid-clock: X's escalation is due at T0+60 s and must fire then, not before, once.
    let server = await startHearth({ clock: new VirtualClock(T0 + 45_000), dataDir });
    clock = server.hearth.services.clock as VirtualClock;
    operator = await apiAs(server.hearth, fx.users.operator);
    await advanceTo(server.hearth, clock, T0 + 59_999);
    expect((await historyOf(operator, x.id)).filter((e) => e.action === 'escalated')).toHaveLength(0);
    await advanceTo(server.hearth, clock, T0 + 60_000);
    expect((await historyOf(operator, x.id)).filter((e) => e.action === 'escalated').map((e) => [e.at, e.detail.level])).toEqual([[new Date(T0 + 60_000).toISOString(), 1]]);
    await advanceTo(server.hearth, clock, T0 + 61_000);
    await server.hearth.stop();

    // Restart 2, after a long outage: the supervisor stage (T0+120 s) and Y's warning (d+90 min) passed while down: they fire at start.
    const back = d + 95 * MIN;
    server = await startHearth({ clock: new VirtualClock(back), dataDir });
    clock = server.hearth.services.clock as VirtualClock;
    await server.hearth.settle();
    operator = await apiAs(server.hearth, fx.users.operator);
    let hx = await historyOf(operator, x.id);
    expect(hx.filter((e) => e.action === 'escalated').map((e) => e.detail.level)).toEqual([1, 2]);
    expect(hx.find((e) => e.action === 'escalated' && e.detail.level === 2)).toMatchObject({ at: new Date(back).toISOString(), detail: { lateMs: back - (T0 + 120_000) } });
    let hy = await historyOf(operator, y.id);
    expect(hy.filter((e) => e.action === 'response-warning').map((e) => e.at)).toEqual([new Date(back).toISOString()]);
    expect(hy.map((e) => e.action)).not.toContain('response-breach');
    // The breach, still ahead, fires on time.
    await advanceTo(server.hearth, clock, d + 120 * MIN);
    hy = await historyOf(operator, y.id);
    expect(hy.filter((e) => e.action === 'response-breach').map((e) => e.at)).toEqual([new Date(d + 120 * MIN).toISOString()]);
    await server.hearth.stop();

    // Restart 3, long after: nothing fires again.
    server = await startHearth({ clock: new VirtualClock(d + 10 * 60 * MIN), dataDir });
    await server.hearth.settle();
    operator = await apiAs(server.hearth, fx.users.operator);
    hx = await historyOf(operator, x.id);
    hy = await historyOf(operator, y.id);
    expect(hx.filter((e) => e.action === 'escalated')).toHaveLength(2);
    expect(hy.filter((e) => e.action === 'response-warning')).toHaveLength(1);
    expect(hy.filter((e) => e.action === 'response-breach')).toHaveLength(1);
    const alertY = (await operator.call('GET', `/api/alerts/${y.id}`)).json.alert;
    expect(alertY).toMatchObject({ escalationLevel: 0, responseWarningAt: new Date(back).toISOString(), responseBreachedAt: new Date(d + 120 * MIN).toISOString() });
    await server.close();
  });
});
