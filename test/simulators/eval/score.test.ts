import { describe, expect, it } from 'vitest';
import type { Label } from '../../../simulators/src/generate.ts';
import { quantile, scoreCohort } from '../../../simulators/src/eval/score.ts';

const label = (over: Partial<Label>): Label => ({
  hub: 'hub-0001',
  resident: 'r1',
  incident: 'fall-long-lie',
  day: '2026-03-10',
  onset: '2026-03-10T10:00:00.000Z',
  end: '2026-03-10T11:00:00.000Z',
  expect: ['fall', 'long-lie'],
  deadlines: { fall: '2026-03-10T10:00:01.000Z', 'long-lie': '2026-03-10T10:25:00.000Z' },
  allow: ['inactivity'],
  detail: {},
  ...over,
});

describe('eval scoring', () => {
  const homes = [
    { hub: 'hub-0001', timezone: 'Europe/London', days: 30, start: '2026-03-01' },
    { hub: 'hub-0002', timezone: 'Europe/London', days: 30, start: '2026-03-01' },
  ];

  it('matches expected alerts to incidents, measures delay from onset and checks deadlines', () => {
    const s = scoreCohort({
      homes,
      labels: [label({})],
      alerts: [
        { type: 'fall', hub: 'hub-0001', raisedAt: '2026-03-10T10:00:00.000Z', severity: 'urgent' },
        { type: 'long-lie', hub: 'hub-0001', raisedAt: '2026-03-10T10:30:00.000Z', severity: 'urgent' }, // after its deadline
        { type: 'inactivity', hub: 'hub-0001', raisedAt: '2026-03-10T11:30:00.000Z', severity: 'high' }, // allowed
      ],
    });
    expect(s.byType.get('fall')).toMatchObject({ incidents: 1, caught: 1, onTime: 1, delays: [0], falseAlerts: 0 });
    expect(s.byType.get('long-lie')).toMatchObject({ incidents: 1, caught: 1, onTime: 0, delays: [30 * 60_000] });
    expect(s.byType.get('inactivity')).toBeUndefined();
    expect(s.falseUrgentHighOnNormalDays).toBe(0);
    expect(s.missed).toEqual([]);
  });

  it('counts a miss, and alerts outside any incident window as false, on normal days only when the day is normal', () => {
    const s = scoreCohort({
      homes,
      labels: [label({})],
      alerts: [
        { type: 'fall', hub: 'hub-0002', raisedAt: '2026-03-10T10:00:00.000Z', severity: 'urgent' }, // wrong home
        { type: 'inactivity', hub: 'hub-0001', raisedAt: '2026-03-20T15:00:00.000Z', severity: 'high' }, // normal day
        { type: 'night-exit', hub: 'hub-0001', raisedAt: '2026-03-10T18:00:00.000Z', severity: 'urgent' }, // incident day, not allowed
        { type: 'sensor-silent', hub: 'hub-0002', raisedAt: '2026-03-21T15:00:00.000Z', severity: 'technical' },
      ],
    });
    expect(s.missed.map((m) => m.type).sort()).toEqual(['fall', 'long-lie']);
    expect(s.byType.get('fall')).toMatchObject({ caught: 0, falseAlerts: 1, falseOnNormalDays: 1 });
    expect(s.byType.get('night-exit')).toMatchObject({ falseAlerts: 1, falseOnNormalDays: 0 });
    // urgent/high false alerts on normal days: the wrong-home fall and the inactivity; not the technical one
    expect(s.falseUrgentHighOnNormalDays).toBe(2);
    expect(s.homeDays).toBe(60);
  });

  it('takes quantiles by nearest rank', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(Number.isNaN(quantile([], 0.5))).toBe(true);
  });
});

describe('eval scoring windows', () => {
  it('keeps a slow incident open until its deadline, and ignores alerts after a home period ended', () => {
    const decline = label({
      incident: 'decline',
      onset: '2026-03-05T00:00:00.000Z',
      end: null,
      expect: ['routine-change'],
      deadlines: { 'routine-change': '2026-03-30T00:00:00.000Z' },
      allow: [],
    });
    const s = scoreCohort({
      homes: [{ hub: 'hub-0001', timezone: 'Europe/London', days: 30, start: '2026-03-01T00:00:00.000Z', end: '2026-03-31T00:00:00.000Z' }],
      labels: [decline],
      alerts: [
        { type: 'routine-change', hub: 'hub-0001', raisedAt: '2026-03-25T08:00:00.000Z', severity: 'routine' },
        { type: 'not-up', hub: 'hub-0001', raisedAt: '2026-03-31T09:00:00.000Z', severity: 'high' }, // after the data ended
      ],
    });
    expect(s.byType.get('routine-change')).toMatchObject({ incidents: 1, caught: 1, onTime: 1 });
    expect(s.byType.get('not-up')).toBeUndefined();
    expect(s.falseUrgentHighOnNormalDays).toBe(0);
  });
});
