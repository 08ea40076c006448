import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import type { Hearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { localTime } from '../../../server/src/trends/local-time.ts';
import { connectHub, seedOrg, signIn, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { ROUTINE_SENSORS, routine, startWith } from './routine.ts';

const TZ = 'Europe/London';

describe('trend API', () => {
  const tmp = tempDir();
  let h: Hearth;
  let fx: Fixture;
  let other: Fixture;
  let secondResident: string;

  const get = async (user: { username: string; password: string }, url: string) => {
    const token = await signIn(h, user.username, user.password);
    return h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  };

  beforeAll(async () => {
    h = await startWith(tmp.dir, new VirtualClock(Date.parse('2026-10-31T12:00:00Z')));
    fx = await seedOrg(h, 'Alliance', 'hub-0611');
    other = await seedOrg(h, 'Other Council', 'hub-0612');
    for (const s of ROUTINE_SENSORS) await h.services.directory.commissionSensor({ hubId: fx.hub.hubId, ...s });
    await h.services.db.updateTable('residents').set({ created_at: localTime(TZ, '2026-10-01', 0) }).where('id', '=', fx.residentId).execute();
    // A second resident of the same organisation with no coordinator: not the coordinator's.
    secondResident = (await h.services.directory.addResident({ orgId: fx.orgId, neighbourhoodId: fx.neighbourhoodId, name: 'Someone else', hubId: fx.hub.hubId })).id;
    const hub = await connectHub(h.ports.mqtt, fx.hub.hubId, fx.hub.secret);
    const events = routine(TZ, '2026-10-01', 30);
    for (let i = 0; i < events.length; i += 500) await hub.publishAsync(topics.events(fx.hub.hubId), JSON.stringify({ events: events.slice(i, i + 500) }), { qos: 1 });
    await hub.endAsync();
    await h.settle();
  });
  afterAll(async () => {
    await h.stop();
    tmp.remove();
  });

  it("answers the resident's coordinator with daily figures and the heatmap in local time, and records the read", async () => {
    const res = await get(fx.users.coordinator, `/api/residents/${fx.residentId}/trends?from=2026-10-20&to=2026-10-27`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ residentId: fx.residentId, timezone: TZ, from: '2026-10-20', to: '2026-10-27' });
    expect(body.days).toHaveLength(8);
    // The clocks went back on 25 October: rising stays at 07:15 local, and in hour 7 of the heatmap.
    for (const d of body.days) {
      expect(d.figures.rising.value).toBe(435);
      expect(d.figures.rising.usual).toMatchObject({ median: 435 });
      expect(d.figures.rising.unusual).toBe(false);
    }
    for (const hours of body.heatmap.hours) expect(hours[7]).toBe(3);
    expect(body.heatmap.usual[7]).toMatchObject({ median: 3 });
    const heat = await get(fx.users.coordinator, `/api/residents/${fx.residentId}/trends/heatmap?from=2026-10-20&to=2026-10-27`);
    expect(heat.json().heatmap).toEqual(body.heatmap);
    const log = await h.services.db.selectFrom('access_log').selectAll().where('user_id', '=', fx.users.coordinator.id).execute();
    expect(log.map((l) => [l.action, JSON.parse(l.subject)])).toEqual([
      ['trends.read', [fx.residentId]],
      ['trends.heatmap', [fx.residentId]],
    ]);
  });

  it('hides residents of other coordinators and other organisations, refuses other roles, and rejects bad ranges', async () => {
    expect((await get(fx.users.operator, `/api/residents/${secondResident}/trends`)).statusCode).toBe(200);
    const notMine = await get(fx.users.coordinator, `/api/residents/${secondResident}/trends`);
    expect(notMine.statusCode).toBe(404);
    expect(notMine.json().code).toBe('HEARTH_ERR_NOT_FOUND');
    expect((await get(other.users.admin, `/api/residents/${fx.residentId}/trends`)).statusCode).toBe(404);
    expect((await get(fx.users.installer, `/api/residents/${fx.residentId}/trends`)).json().code).toBe('HEARTH_ERR_FORBIDDEN');
    expect((await h.app.inject({ method: 'GET', url: `/api/residents/${fx.residentId}/trends` })).statusCode).toBe(401);
    const backwards = await get(fx.users.admin, `/api/residents/${fx.residentId}/trends?from=2026-10-10&to=2026-10-01`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().code).toBe('HEARTH_ERR_VALIDATION');
    expect((await get(fx.users.admin, `/api/residents/${fx.residentId}/trends?from=2024-01-01&to=2026-10-01`)).statusCode).toBe(400);
    expect((await get(fx.users.admin, `/api/residents/${fx.residentId}/trends?from=2026-02-30`)).statusCode).toBe(400);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/residents/{id}/trends', '/api/residents/{id}/trends/heatmap']));
  });
});
