import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import type { Hearth } from '../../../server/src/app.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import { planWithDefaults } from '../../../server/src/care/model.ts';
import type { StoredEvent } from '../../../server/src/events.ts';
import { localTime } from '../../../server/src/trends/local-time.ts';
import { summariseDay } from '../../../server/src/trends/summarise.ts';
import { connectHub, seedOrg, signIn, tempDir, type Fixture } from '../../helpers/hearth.ts';
import { ROUTINE_SENSORS, routine, startWith } from './routine.ts';

const TZ = 'Europe/London';

describe('trend units', () => {
  const tmp = tempDir();
  let h: Hearth;
  let fx: Fixture;

  beforeAll(async () => {
    h = await startWith(tmp.dir, new VirtualClock(Date.parse('2026-10-31T12:00:00Z')));
    fx = await seedOrg(h, 'Alliance', 'hub-1211');
    for (const s of ROUTINE_SENSORS) await h.services.directory.commissionSensor({ hubId: fx.hub.hubId, ...s });
    await h.services.db.updateTable('residents').set({ created_at: localTime(TZ, '2026-10-01', 0) }).where('id', '=', fx.residentId).execute();
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

  it('gives every figure its unit, clock times also as local HH:MM (across the clock change), and time out of the home in minutes', async () => {
    const token = await signIn(h, fx.users.coordinator.username, fx.users.coordinator.password);
    const res = await h.app.inject({ method: 'GET', url: `/api/residents/${fx.residentId}/trends?from=2026-10-24&to=2026-10-26`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.units.figures).toMatchObject({ rising: { unit: 'clock' }, retiring: { unit: 'clock' }, activity: { unit: 'count' }, nightBathroomVisits: { unit: 'count' }, outMinutes: { unit: 'minutes' }, chairMinutes: { unit: 'minutes' }, temperatureMean: { unit: 'celsius' }, hubUptime: { unit: 'ratio' } });
    expect(body.units.rooms).toEqual({ unit: 'minutes' });
    for (const d of body.days) {
      // 07:15 local on both sides of 25 October, when the clocks went back.
      expect(d.figures.rising).toMatchObject({ value: 435, unit: 'clock', local: '07:15', usualLocal: { median: '07:15' } });
      // The last activity of the night: 22:30 in bed, or 03:12 after a night-time bathroom visit (1632 minutes: past midnight).
      expect(d.figures.retiring.unit).toBe('clock');
      expect([[1350, '22:30'], [1632, '03:12']]).toContainEqual([d.figures.retiring.value, d.figures.retiring.local]);
      expect(d.figures.activity.unit).toBe('count');
      expect(d.figures.temperatureMean).toMatchObject({ unit: 'celsius', value: 19 });
      // Out from the door closing at 10:01 to the hall at 12:02.
      expect(d.figures.outMinutes).toMatchObject({ unit: 'minutes', value: 121 });
      expect(d.figures.activity).not.toHaveProperty('local');
      for (const room of Object.values(d.rooms) as { unit: string }[]) expect(room.unit).toBe('minutes');
    }
  });

  it('documents the units in the OpenAPI description', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const text = JSON.stringify(doc.paths['/api/residents/{id}/trends']);
    for (const words of ['unit: clock', 'unit: minutes', 'unit: count', 'unit: celsius', 'local HH:MM', 'degrees Celsius']) expect(text).toContain(words);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/caseload', '/api/residents/{id}/page', '/api/residents/{id}/plan-settings', '/api/residents/{id}/away-mode', '/api/residents/{id}/notes']));
  });

  it('counts time in the chair from the pad, a pad left "in" capped at six hours', () => {
    const day = '2026-11-10';
    const at = (hh: number, mm: number) => localTime(TZ, day, hh * 60 + mm);
    const e = (id: string, ts: number, value: string): StoredEvent => ({ hubId: 'h', id, ts, receivedAt: ts, sensor: 'chair-pad', type: 'chair', value, battery: null, late: false });
    const sensors = new Map([['chair-pad', { sensorId: 'chair-pad', type: 'chair', room: 'lounge', role: 'living', commissioned: true }]]);
    const s = summariseDay({
      day,
      tz: TZ,
      plan: planWithDefaults(),
      sensors,
      events: [e('a', at(9, 0), 'in'), e('b', at(10, 30), 'out'), e('c', at(14, 0), 'in')],
      lastBefore: new Map(),
      hubUptime: 1,
      until: at(23, 59) + 120_000,
    });
    // 90 minutes in the morning; from 14:00 the pad never said "out": six hours at most.
    expect(s.chairMinutes).toBe(90 + 360);
    expect(s.outMinutes).toBe(0);
  });
});
