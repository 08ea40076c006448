import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { seedDemoRecords } from '../../../server/src/demo/records.ts';
import { seedDemo } from '../../../server/src/demo/seed.ts';
import { runCliJson } from '../../helpers/cli.ts';
import { seedOrg, startHearth, type Fixture } from '../../helpers/hearth.ts';
import { apiAs, hubOf, openAlert, type Api } from '../routing/fixture.ts';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const RECORD = {
  address: { line1: '14 Willow Lane', town: 'Riverside', postcode: 'RV1 4WL' },
  phone: '01632 960 101',
  keySafe: { code: '4821', location: 'left of the front door' },
  accessNotes: 'Door sticks: lift and push',
  gp: { name: 'Dr A. Rahman', phone: '01632 960 500' },
  conditions: ['Atrial fibrillation'],
  medications: [{ name: 'Apixaban', warning: 'bleeding risk' }],
  allergies: ['Penicillin'],
  language: 'English',
  hazards: ['Home oxygen'],
  carePlan: 'Carer visits 08:30 and 18:00',
};

describe('the resident record: data model, API (role-checked, access-logged) and CLI', () => {
  const clock = new VirtualClock(T0);
  let h: Awaited<ReturnType<typeof startHearth>>;
  let fx: Fixture;
  let operator: Api;
  let responder: Api;
  let coordinator: Api;
  let installer: Api;

  beforeAll(async () => {
    h = await startHearth({ clock });
    fx = await seedOrg(h.hearth, 'Record Alliance', 'hub-rec-1');
    operator = await apiAs(h.hearth, fx.users.operator);
    responder = await apiAs(h.hearth, fx.users.responder);
    coordinator = await apiAs(h.hearth, fx.users.coordinator);
    installer = await apiAs(h.hearth, fx.users.installer);
  });
  afterAll(async () => h.close());

  const accessRows = async (action: string) => h.hearth.services.db.selectFrom('access_log').selectAll().where('action', '=', action).execute();

  it('is written by the coordinator, read by the operator, and every read and change is in the access log', async () => {
    const put = await coordinator.call('PUT', `/api/residents/${fx.residentId}/record`, RECORD);
    expect(put.status, put.body).toBe(200);
    expect(put.json.record.record).toEqual(RECORD);
    const bad = await coordinator.call('PUT', `/api/residents/${fx.residentId}/record`, { ...RECORD, shoeSize: 9 });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('HEARTH_ERR_VALIDATION');
    const got = await operator.call('GET', `/api/residents/${fx.residentId}/record`);
    expect(got.status).toBe(200);
    expect(got.json.record).toMatchObject({ name: 'Resident of hub-rec-1', record: RECORD, updatedBy: fx.users.coordinator.id });
    expect((await accessRows('residents.record.update')).map((r) => r.user_id)).toEqual([fx.users.coordinator.id]);
    expect((await accessRows('residents.record.read')).map((r) => [r.user_id, JSON.parse(r.subject)])).toEqual([[fx.users.operator.id, [fx.residentId]]]);
  });

  it('is refused to an installer, to another organisation, and to a responder without a job there', async () => {
    expect((await installer.call('GET', `/api/residents/${fx.residentId}/record`)).status).toBe(403);
    expect((await responder.call('GET', `/api/residents/${fx.residentId}/record`)).status).toBe(404);
    expect((await responder.call('PUT', `/api/residents/${fx.residentId}/record`, {})).status).toBe(403);
    const other = await seedOrg(h.hearth, 'Other Record Alliance', 'hub-rec-other');
    const stranger = await apiAs(h.hearth, other.users.operator);
    expect((await stranger.call('GET', `/api/residents/${fx.residentId}/record`)).status).toBe(404);
    expect((await stranger.call('PUT', `/api/residents/${fx.residentId}/record`, {})).status).toBe(404);
    const otherCoordinator = await apiAs(h.hearth, other.users.coordinator);
    expect((await otherCoordinator.call('GET', `/api/residents/${fx.residentId}/record`)).status).toBe(404);
  });

  it('is readable by the responder while a job for that resident is dispatched to their team, and not after', async () => {
    const hub = await hubOf(h.hearth, fx.hub, clock);
    await hub.fall('rec-fall-1');
    const fall = await openAlert(operator, fx.residentId);
    expect((await responder.call('GET', `/api/residents/${fx.residentId}/record`)).status).toBe(404);
    await operator.call('POST', `/api/alerts/${fall.id}/dispatch`, { to: 'team' });
    const got = await responder.call('GET', `/api/residents/${fx.residentId}/record`);
    expect(got.status).toBe(200);
    expect(got.json.record.record.keySafe).toEqual(RECORD.keySafe);
    await operator.call('POST', `/api/alerts/${fall.id}/cancel`, { reason: 'test' });
    expect((await responder.call('GET', `/api/residents/${fx.residentId}/record`)).status).toBe(404);
    hub.client.end(true);
  });

  it('is set and shown from the CLI', async () => {
    const file = path.join(h.dataDir, 'record.json');
    fs.writeFileSync(file, JSON.stringify({ phone: '01632 960 999', language: 'Welsh' }));
    const set = await runCliJson(h.dataDir, ['resident', 'record', 'set', '--org', 'Record Alliance', '--resident', 'Resident of hub-rec-1', '--file', file, '--merge']);
    expect(set.record).toMatchObject({ ...RECORD, phone: '01632 960 999', language: 'Welsh' });
    const shown = await runCliJson(h.dataDir, ['resident', 'record', 'show', '--org', 'Record Alliance', '--resident', fx.residentId]);
    expect(shown.record.phone).toBe('01632 960 999');
  });

  it('gives every demo resident a full record and contacts', async () => {
    const demoDir = path.join(h.dataDir, 'demo');
    const demo = await seedDemo(h.hearth.services.directory, demoDir, 3);
    await seedDemoRecords(h.hearth.services.db, h.hearth.services.directory, demo.organisation);
    const residents = await h.hearth.services.db.selectFrom('residents').innerJoin('organisations', 'organisations.id', 'residents.org_id').select(['residents.id', 'residents.org_id']).where('organisations.name', '=', demo.organisation).execute();
    expect(residents).toHaveLength(3);
    const { ResidentRecords } = await import('../../../server/src/care/resident-record.ts');
    const records = new ResidentRecords(h.hearth.services.db, clock);
    for (const r of residents) {
      const view = await records.get(r.org_id, r.id);
      for (const key of ['address', 'phone', 'keySafe', 'accessNotes', 'gp', 'conditions', 'medications', 'language', 'hazards', 'carePlan']) expect(view.record, key).toHaveProperty(key);
      expect(view.contacts.some((c) => c.relation === 'next-of-kin')).toBe(true);
    }
  });
});
