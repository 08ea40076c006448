import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { apiAs, type Api } from './fixture.ts';

describe('the care organisation API', () => {
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let admin: Api;
  let coordinator: Api;
  let operator: Api;

  beforeAll(async () => {
    h = await startHearth();
    fx = await seedOrg(h.hearth, 'Care API Alliance', 'hub-care-1');
    admin = await apiAs(h.hearth, fx.users.admin);
    coordinator = await apiAs(h.hearth, fx.users.coordinator);
    operator = await apiAs(h.hearth, fx.users.operator);
  });
  afterAll(async () => h.close());

  it('creates a neighbourhood with its urgent team, users by role and a resident with consent, contacts and plan', async () => {
    const nb = await admin.call('POST', '/api/neighbourhoods', { name: 'Harbour', urgentStart: '08:00', urgentEnd: '20:00', timezone: 'Europe/London', outOfHoursRoute: 'Night nursing' });
    expect(nb.status, nb.body).toBe(201);
    const nbId = nb.json.neighbourhood.id;
    expect((await admin.call('POST', '/api/neighbourhoods', { name: 'Bad', timezone: 'Mars/Olympus' })).json.code).toBe('HEARTH_ERR_VALIDATION');
    const coord = await admin.call('POST', '/api/users', { username: 'harbour-coord', password: 'harbour-pass-1', role: 'coordinator', neighbourhoodId: nbId });
    expect(coord.status, coord.body).toBe(201);
    const list = (await admin.call('GET', '/api/neighbourhoods')).json.neighbourhoods.find((n: any) => n.id === nbId);
    expect(list).toMatchObject({ name: 'Harbour', outOfHoursRoute: 'Night nursing', coordinatorIds: [coord.json.user.id] });
    const coordinators = (await operator.call('GET', '/api/users?role=coordinator')).json.users.map((u: any) => u.username);
    expect(coordinators.sort()).toEqual([fx.users.coordinator.username, 'harbour-coord'].sort());

    const refused = await admin.call('POST', '/api/residents', { name: 'No Consent', neighbourhoodId: nbId, consent: { monitoring: false } });
    expect(refused.status).toBe(400);
    const r = await admin.call('POST', '/api/residents', {
      name: 'Iris Example',
      neighbourhoodId: nbId,
      coordinatorId: fx.users.coordinator.id,
      contacts: [{ name: 'Sam Example', relation: 'next-of-kin', phone: '+447700900123' }],
      consent: { monitoring: true, shareWithContacts: false },
      plan: { usualRising: '07:45' },
    });
    expect(r.status, r.body).toBe(201);
    expect(r.json.resident).toMatchObject({
      neighbourhoodId: nbId,
      coordinatorId: fx.users.coordinator.id,
      contacts: [{ name: 'Sam Example', relation: 'next-of-kin' }],
      consent: { monitoring: true, shareWithContacts: false, recordedBy: fx.users.admin.id },
      plan: { usualRising: '07:45', longLieMinutes: 20, nightStart: '23:00' },
    });
  });

  it("lets a resident's coordinator edit the plan, contacts, consent and away mode, and no one else's", async () => {
    const mine = (await coordinator.call('GET', '/api/residents')).json.residents;
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.every((r: any) => r.coordinatorId === fx.users.coordinator.id)).toBe(true);
    const id = mine.find((r: any) => r.name === 'Iris Example').id;

    const plan = await coordinator.call('PATCH', `/api/residents/${id}/plan`, { longLieMinutes: 15, usualRising: null });
    expect(plan.json.resident.plan).toMatchObject({ longLieMinutes: 15, usualRising: '08:00' });
    expect((await coordinator.call('PATCH', `/api/residents/${id}/plan`, { longLieMinutes: 0 })).json.code).toBe('HEARTH_ERR_VALIDATION');
    expect((await coordinator.call('PATCH', `/api/residents/${id}/plan`, { bedtimeStory: true })).json.message).toMatch(/unknown plan values: bedtimeStory/);
    expect((await operator.call('PATCH', `/api/residents/${id}/plan`, { longLieMinutes: 25 })).status).toBe(403);

    const contacts = await coordinator.call('PUT', `/api/residents/${id}/contacts`, { contacts: [{ name: 'Key Holder', relation: 'key-holder', phone: '+447700900999' }] });
    expect(contacts.json.resident.contacts).toEqual([{ name: 'Key Holder', relation: 'key-holder', phone: '+447700900999' }]);
    const consent = await coordinator.call('PUT', `/api/residents/${id}/consent`, { monitoring: true, shareWithContacts: true, note: 'agreed at review' });
    expect(consent.json.resident.consent).toMatchObject({ shareWithContacts: true, note: 'agreed at review', recordedBy: fx.users.coordinator.id });
    expect((await operator.call('PUT', `/api/residents/${id}/away`, { away: true })).json.resident.away).toBe(true);

    // Another coordinator of the same organisation does not see this resident at all.
    const other = await apiAs(h.hearth, { username: 'harbour-coord', password: 'harbour-pass-1' });
    expect((await other.call('GET', `/api/residents/${id}`)).status).toBe(404);
    expect((await other.call('PATCH', `/api/residents/${id}/plan`, { longLieMinutes: 30 })).status).toBe(404);
    // Nor does another organisation's admin.
    const elsewhere = await seedOrg(h.hearth, 'Elsewhere Care', 'hub-care-x');
    const stranger = await apiAs(h.hearth, elsewhere.users.admin);
    expect((await stranger.call('GET', `/api/residents/${id}`)).status).toBe(404);
    expect((await stranger.call('PATCH', `/api/neighbourhoods/${fx.neighbourhoodId}`, { name: 'Taken' })).status).toBe(404);
    expect((await stranger.call('PUT', `/api/residents/${id}/coordinator`, { coordinatorId: elsewhere.users.coordinator.id })).status).toBe(404);
    // Reads of residents are in the access log.
    const log = await h.hearth.services.db.selectFrom('access_log').select(['action', 'subject']).where('user_id', '=', fx.users.coordinator.id).execute();
    expect(log.some((l) => l.action === 'residents.list' && l.subject.includes(id))).toBe(true);
  });

  it('lists every routing, care and report route in the OpenAPI document', async () => {
    const doc = (await h.hearth.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    for (const [p, m] of [
      ['/api/alerts/{id}/dispatch', 'post'],
      ['/api/alerts/{id}/on-site', 'post'],
      ['/api/alerts/{id}/cancel', 'post'],
      ['/api/alerts/{id}/notifications', 'get'],
      ['/api/neighbourhoods', 'post'],
      ['/api/neighbourhoods/{id}/routing', 'put'],
      ['/api/residents/{id}/plan', 'patch'],
      ['/api/channels', 'post'],
      ['/api/reports/service', 'get'],
      ['/api/reports/service.csv', 'get'],
    ] as const) {
      expect(doc.paths[p]?.[m], `${m} ${p}`).toBeDefined();
    }
  });
});
