import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import type { Hearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { addDays, localDay, localTime } from '../../../server/src/trends/local-time.ts';
import { connectHub, seedOrg, signIn, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { ROUTINE_SENSORS, routine, startWith } from '../trends/routine.ts';

const TZ = 'Europe/London';
const NOW = Date.parse('2026-10-31T12:00:00Z');

describe('caseload and resident page API', () => {
  const tmp = tempDir();
  const clock = new VirtualClock(NOW);
  let h: Hearth;
  let fx: Fixture;
  let other: Fixture;
  let changed: string;
  let colleague: { id: string; username: string; password: string };
  let colleagueResident: string;

  const call = async (user: { username: string; password: string }, method: 'GET' | 'PUT' | 'PATCH' | 'POST', url: string, payload?: unknown) => {
    const token = await signIn(h, user.username, user.password);
    return h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
  };

  beforeAll(async () => {
    h = await startWith(tmp.dir, clock);
    fx = await seedOrg(h, 'Alliance', 'hub-1201');
    other = await seedOrg(h, 'Other Council', 'hub-1202');
    const d = h.services.directory;
    for (const s of ROUTINE_SENSORS) await d.commissionSensor({ hubId: fx.hub.hubId, ...s });
    await h.services.db.updateTable('residents').set({ created_at: localTime(TZ, '2026-10-01', 0) }).where('id', '=', fx.residentId).execute();
    changed = (await d.addResident({ orgId: fx.orgId, neighbourhoodId: fx.neighbourhoodId, name: 'Zoe Changed', hubId: null, coordinatorId: fx.users.coordinator.id })).id;
    const pw = 'colleague-password-1';
    const u = await d.addUser({ orgId: fx.orgId, username: 'colleague', password: pw, role: 'coordinator', neighbourhoodId: fx.neighbourhoodId });
    colleague = { id: u.id, username: 'colleague', password: pw };
    colleagueResident = (await d.addResident({ orgId: fx.orgId, neighbourhoodId: fx.neighbourhoodId, name: 'Colleague Resident', hubId: null, coordinatorId: u.id })).id;
    // Thirty days of a steady routine through the real broker, up to this morning.
    const hub = await connectHub(h.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    const events = routine(TZ, '2026-10-01', 31).filter((e) => Date.parse(e.ts) < NOW);
    for (let i = 0; i < events.length; i += 500) await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify({ events: events.slice(i, i + 500) }), { qos: 1 });
    await hub.endAsync();
    // The routine-change rule's signal, as the detector sends it, for the second resident.
    await h.services.alerts.handleSignal({
      action: 'raise',
      type: 'routine-change',
      orgId: fx.orgId,
      hubId: fx.hub.hubId,
      residentId: changed,
      occurredAt: NOW - 3 * 86_400_000,
      at: NOW - 3600_000,
      late: false,
      cause: { rule: 'routine-change', summary: 'Routine changed: rising later: 09:10 lately against 07:15 before', events: [], rising: { recent: 550, baseline: 435, usualLow: 420, usualHigh: 450 } },
    });
    await h.settle();
  });
  afterAll(async () => {
    await h.stop();
    tmp.remove();
  });

  it("lists the coordinator's own residents by concern, with status in words, last activity, the routine-change cause and 14 days of activity", async () => {
    const res = await call(fx.users.coordinator, 'GET', '/api/caseload');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.scope).toBe('own');
    expect(body.residents.map((r: { id: string }) => r.id)).toEqual([changed, fx.residentId]);
    const [first, second] = body.residents;
    expect(first).toMatchObject({ status: 'changed', statusText: 'Something changed', routineChange: { flagged: true, cause: expect.stringContaining('rising later') } });
    expect(first.openAlerts).toEqual([expect.objectContaining({ type: 'routine-change', severity: 'routine' })]);
    expect(second).toMatchObject({ status: 'fine', statusText: 'Fine', routineChange: null, openAlerts: [] });
    // Last activity: the front door closing at 10:01 this morning (the routine's last before noon; doors are activity).
    expect(second.lastActivityAt).toBe(new Date(localTime(TZ, '2026-10-31', 10 * 60 + 1)).toISOString());
    expect(second.sparkline.days).toHaveLength(14);
    expect(second.sparkline.days.at(-1)).toBe('2026-10-31');
    expect(second.sparkline.activity.slice(0, 13).every((n: number | null) => typeof n === 'number' && n > 10)).toBe(true);
    const log = await h.services.db.selectFrom('access_log').selectAll().where('user_id', '=', fx.users.coordinator.id).where('action', '=', 'caseload.read').execute();
    expect(JSON.parse(log.at(-1)!.subject).sort()).toEqual([changed, fx.residentId].sort());
  });

  it('searches by part of the name, and says "no data" for a home never heard from', async () => {
    const res = await call(fx.users.coordinator, 'GET', '/api/caseload?q=zoe');
    expect(res.json().residents.map((r: { name: string }) => r.name)).toEqual(['Zoe Changed']);
    // A resident whose monitoring has ended is not on the caseload.
    await h.services.db.updateTable('residents').set({ disabled: 1 }).where('id', '=', colleagueResident).execute();
    expect((await call(colleague, 'GET', '/api/caseload')).json().residents).toEqual([]);
    await h.services.db.updateTable('residents').set({ disabled: 0 }).where('id', '=', colleagueResident).execute();
    const col = await call(colleague, 'GET', '/api/caseload');
    expect(col.json().residents).toEqual([expect.objectContaining({ id: colleagueResident, status: 'no-data', statusText: 'No home hub linked' })]);
  });

  it("refuses another coordinator's resident and another organisation's as not found", async () => {
    for (const url of [`/api/residents/${fx.residentId}/page`, `/api/residents/${fx.residentId}/trends`, `/api/residents/${fx.residentId}/notes`]) {
      expect((await call(colleague, 'GET', url)).statusCode).toBe(404);
      expect((await call(other.users.coordinator, 'GET', url)).statusCode).toBe(404);
      expect((await call(other.users.admin, 'GET', url)).statusCode).toBe(404);
    }
    const res = await call(colleague, 'PATCH', `/api/residents/${fx.residentId}/plan-settings`, { longLieMinutes: 30 });
    expect(res.statusCode).toBe(404);
    expect((await call(other.users.coordinator, 'GET', '/api/caseload')).json().residents.map((r: { id: string }) => r.id)).toEqual([other.residentId]);
    expect((await call(fx.users.responder, 'GET', '/api/caseload')).statusCode).toBe(403);
  });

  it("a lead coordinator's caseload is the neighbourhood; they may read, not change, a colleague's resident", async () => {
    expect((await call(colleague, 'PUT', `/api/users/${colleague.id}/lead`, { lead: true })).statusCode).toBe(403);
    expect((await call(fx.users.admin, 'PUT', `/api/users/${colleague.id}/lead`, { lead: true })).statusCode).toBe(200);
    const res = await call(colleague, 'GET', '/api/caseload');
    expect(res.json()).toMatchObject({ scope: 'neighbourhood', lead: true });
    expect(res.json().residents.map((r: { id: string }) => r.id).sort()).toEqual([changed, colleagueResident, fx.residentId].sort());
    expect((await call(colleague, 'GET', `/api/residents/${fx.residentId}/page`)).json().canEdit).toBe(false);
    expect((await call(colleague, 'GET', `/api/residents/${fx.residentId}/trends`)).statusCode).toBe(200);
    const edit = await call(colleague, 'PATCH', `/api/residents/${fx.residentId}/plan-settings`, { longLieMinutes: 30 });
    expect(edit.statusCode).toBe(403);
    await call(fx.users.admin, 'PUT', `/api/users/${colleague.id}/lead`, { lead: false });
    expect((await call(colleague, 'GET', `/api/residents/${fx.residentId}/page`)).statusCode).toBe(404);
  });

  it('changes a plan setting within bounds, records who changed what, and refuses a value outside them with nothing changed', async () => {
    const ok = await call(fx.users.coordinator, 'PATCH', `/api/residents/${fx.residentId}/plan-settings`, { longLieMinutes: 30, nightStart: '22:30' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().plan.find((s: { key: string }) => s.key === 'longLieMinutes')).toMatchObject({ value: 30, default: 20, min: 1, max: 240, unit: 'minutes', overridden: true });
    const bad = await call(fx.users.coordinator, 'PATCH', `/api/residents/${fx.residentId}/plan-settings`, { longLieMinutes: 500, usualRising: '08:00' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'HEARTH_ERR_PLAN_BOUNDS', message: 'longLieMinutes must be from 1 to 240 minutes (got 500)' });
    const clockBad = await call(fx.users.coordinator, 'PATCH', `/api/residents/${fx.residentId}/plan-settings`, { nightEnd: '25:00' });
    expect(clockBad.json()).toMatchObject({ code: 'HEARTH_ERR_PLAN_BOUNDS' });
    const page = (await call(fx.users.coordinator, 'GET', `/api/residents/${fx.residentId}/page`)).json();
    expect(page.plan.find((s: { key: string }) => s.key === 'longLieMinutes').value).toBe(30);
    expect(page.plan.find((s: { key: string }) => s.key === 'usualRising').value).toBe('08:00');
    expect(page.planHistory.map((c: { setting: string; from: unknown; to: unknown; userId: string }) => [c.setting, c.from, c.to, c.userId]).sort()).toEqual([
      ['longLieMinutes', null, 30, fx.users.coordinator.id],
      ['nightStart', null, '22:30', fx.users.coordinator.id],
    ]);
    // Every setting of the care model is there, with the learned value beside where the history gives one.
    expect(page.plan.length).toBeGreaterThanOrEqual(15);
    expect(page.plan.find((s: { key: string }) => s.key === 'usualRising').learned).toMatchObject({ value: '07:15' });
  });

  it('sets away mode with an end date and reason, and ends it after the end date on the clock', { timeout: 120_000 }, async () => {
    const missing = await call(fx.users.coordinator, 'PUT', `/api/residents/${fx.residentId}/away-mode`, { away: true, until: '2026-10-31' });
    expect((await call(fx.users.coordinator, 'PUT', `/api/residents/${fx.residentId}/away-mode`, { away: true, until: '2026-10-30', reason: 'Holiday' })).json()).toMatchObject({ code: 'HEARTH_ERR_VALIDATION', message: expect.stringContaining('before today') });
    expect(missing.json()).toMatchObject({ code: 'HEARTH_ERR_VALIDATION' });
    const res = await call(fx.users.coordinator, 'PUT', `/api/residents/${fx.residentId}/away-mode`, { away: true, until: '2026-10-31', reason: 'Hospital stay' });
    expect(res.statusCode).toBe(200);
    expect(res.json().away).toMatchObject({ until: '2026-10-31', reason: 'Hospital stay', setBy: fx.users.coordinator.id, endedAt: null });
    expect((await h.services.directory.getResident(fx.orgId, fx.residentId)).away).toBe(true);
    // Still away on its last day; ended within a minute of the next local midnight.
    clock.advanceTo(localTime(TZ, '2026-10-31', 23 * 60 + 58));
    await new Promise((r) => setTimeout(r, 50));
    expect((await h.services.directory.getResident(fx.orgId, fx.residentId)).away).toBe(true);
    clock.advanceTo(localTime(TZ, '2026-11-01', 0) + 120_000);
    await new Promise((r) => setTimeout(r, 50));
    expect((await h.services.directory.getResident(fx.orgId, fx.residentId)).away).toBe(false);
    const page = (await call(fx.users.coordinator, 'GET', `/api/residents/${fx.residentId}/page`)).json();
    expect(page.away).toBeNull();
    expect(page.awayHistory[0]).toMatchObject({ reason: 'Hospital stay', endedBy: 'system:away-ended' });
    expect(localDay(TZ, clock.now())).toBe(addDays('2026-10-31', 1));
  });

  it('keeps MDT notes with the resident and logs who read them', async () => {
    const res = await call(fx.users.coordinator, 'POST', `/api/residents/${fx.residentId}/notes`, { text: 'Discuss the later rising at the MDT.' });
    expect(res.statusCode).toBe(201);
    const list = await call(fx.users.coordinator, 'GET', `/api/residents/${fx.residentId}/notes`);
    expect(list.json().notes).toEqual([expect.objectContaining({ text: 'Discuss the later rising at the MDT.', authorId: fx.users.coordinator.id })]);
    expect((await call(fx.users.coordinator, 'POST', `/api/residents/${fx.residentId}/notes`, { text: '   ' })).statusCode).toBe(400);
    // A note written on the alert (the operator's alert notes route) shows in the alert history.
    const alertId = (await call(fx.users.admin, 'GET', `/api/residents/${changed}/page`)).json().routineChanges[0].id as string;
    expect((await call(fx.users.operator, 'POST', `/api/alerts/${alertId}/notes`, { text: 'Daughter says she has been tired.' })).statusCode).toBe(201);
    const page = (await call(fx.users.admin, 'GET', `/api/residents/${changed}/page`)).json();
    expect(page.routineChanges[0]).toMatchObject({ type: 'routine-change', cause: { rising: { recent: 550, baseline: 435 } } });
    expect(page.alerts[0].notes).toEqual([expect.objectContaining({ action: 'note', text: 'Daughter says she has been tired.' })]);
    const log = await h.services.db.selectFrom('access_log').select(['action']).where('user_id', '=', fx.users.coordinator.id).execute();
    expect(log.map((l) => l.action)).toEqual(expect.arrayContaining(['residents.page', 'residents.notes']));
  });
});
