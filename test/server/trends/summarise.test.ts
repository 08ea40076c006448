import { describe, expect, it } from 'vitest';
import type { SensorInfo } from '../../../server/src/care/directory.ts';
import { planWithDefaults } from '../../../server/src/care/model.ts';
import type { StoredEvent } from '../../../server/src/events.ts';
import { localTime } from '../../../server/src/trends/local-time.ts';
import { dayWindow, summariseDay } from '../../../server/src/trends/summarise.ts';

const plan = planWithDefaults({});
const sensors = new Map<string, SensorInfo>([
  ['bedroom-pir', { sensorId: 'bedroom-pir', type: 'motion', room: 'bedroom', role: 'bedroom', commissioned: true }],
  ['kitchen-pir', { sensorId: 'kitchen-pir', type: 'motion', room: 'kitchen', role: 'kitchen', commissioned: true }],
  ['front-door', { sensorId: 'front-door', type: 'door', room: 'hall', role: 'exterior-door', commissioned: true }],
]);
let n = 0;
const at = (tz: string, day: string, hhmm: string, sensor: string, type: StoredEvent['type'], value: unknown): StoredEvent => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const ts = localTime(tz, day, h * 60 + m);
  return { hubId: 'hub-x', id: `e${n++}`, ts, receivedAt: ts, sensor, type, value, battery: null, late: false };
};
const summarise = (tz: string, day: string, events: StoredEvent[], until = Date.parse('2030-01-01')) =>
  summariseDay({ day, tz, plan, sensors, events: events.sort((a, b) => a.ts - b.ts), lastBefore: new Map(), hubUptime: null, until });

describe('a day summary in local time', () => {
  it('puts activity in local hours on the day the clocks go forward (23-hour day)', () => {
    const tz = 'Europe/London';
    const day = '2026-03-29';
    const s = summarise(tz, day, [at(tz, day, '00:30', 'kitchen-pir', 'motion', true), at(tz, day, '02:30', 'kitchen-pir', 'motion', true), at(tz, day, '07:15', 'bedroom-pir', 'motion', true)]);
    expect(s.hourly[0]).toBe(1);
    expect(s.hourly[1]).toBe(0); // 01:00 to 02:00 does not exist that day
    expect(s.hourly[2]).toBe(1);
    expect(s.hourly[7]).toBe(1);
    expect(s.rising).toBe(435);
    const w = dayWindow(tz, plan, day);
    expect(w.dayTo - w.dayFrom).toBe(23 * 3600_000);
  });

  it('counts both 01:30s in hour 1 on the day the clocks go back (25-hour day)', () => {
    const tz = 'Europe/London';
    const day = '2026-10-25';
    const first = localTime(tz, day, 90);
    const mk = (ts: number): StoredEvent => ({ hubId: 'hub-x', id: `e${n++}`, ts, receivedAt: ts, sensor: 'kitchen-pir', type: 'motion', value: true, battery: null, late: false });
    const s = summarise(tz, day, [mk(first), mk(first + 3600_000)]);
    expect(s.hourly[1]).toBe(2);
    expect(s.activity).toBe(2);
    const w = dayWindow(tz, plan, day);
    expect(w.dayTo - w.dayFrom).toBe(25 * 3600_000);
  });

  it('follows a zone half an hour off UTC', () => {
    const tz = 'Asia/Kolkata';
    const s = summarise(tz, '2026-06-01', [at(tz, '2026-06-01', '06:45', 'bedroom-pir', 'motion', true), at(tz, '2026-06-01', '23:55', 'kitchen-pir', 'motion', true)]);
    expect(s.hourly[6]).toBe(1);
    expect(s.hourly[23]).toBe(1);
    expect(s.rising).toBe(405);
    expect(s.retiring).toBe(23 * 60 + 55);
  });

  it('caps time in a room, counts an exit only without movement after the door, and ignores cleared motion', () => {
    const tz = 'Europe/London';
    const day = '2026-06-01';
    const s = summarise(tz, day, [
      at(tz, day, '09:00', 'kitchen-pir', 'motion', true),
      at(tz, day, '09:10', 'kitchen-pir', 'motion', false),
      at(tz, day, '09:20', 'bedroom-pir', 'motion', true), // kitchen 20 min, then bedroom until the cap
      at(tz, day, '11:00', 'front-door', 'door', 'closed'), // out: no movement for 10 min
      at(tz, day, '14:00', 'front-door', 'door', 'closed'),
      at(tz, day, '14:03', 'kitchen-pir', 'motion', true), // came in: not an exit
    ]);
    expect(s.rooms).toEqual({ bedroom: 30, kitchen: 50 });
    expect(s.exits).toBe(1);
    expect(s.activity).toBe(5);
  });

  it('measures sensor uptime against the sensor kind\'s silence threshold, only up to now', () => {
    const tz = 'UTC';
    const day = '2026-06-01';
    const dayFrom = Date.parse('2026-06-01T00:00:00Z');
    const s = summariseDay({
      day,
      tz,
      plan,
      sensors,
      events: [],
      // motion goes silent after 24 h: last heard 18 h before midnight, so up for the first 6 h
      lastBefore: new Map([['kitchen-pir', dayFrom - 18 * 3600_000]]),
      hubUptime: 0.5,
      until: dayFrom + 12 * 3600_000,
    });
    expect(s.sensorUptime['kitchen-pir']).toBe(0.5);
    expect(s.sensorUptime['bedroom-pir']).toBe(0);
    expect(s.hubUptime).toBe(0.5);
    expect(s.hasData).toBe(true);
  });
});
