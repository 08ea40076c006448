import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../protocol/index.ts';
import { generateHome, localTime, type IncidentSpec, type IncidentType, type Label } from '../../simulators/src/generate.ts';
import { PERSONAS } from '../../simulators/src/personas.ts';
import { hhmmToMinutes } from '../../simulators/src/tz.ts';
import { at, isActivity, risings } from './util.ts';

const MIN = 60_000;

function withIncident(type: IncidentType, extra: Partial<IncidentSpec> = {}, seed = 3, days = 8) {
  const g = generateHome({ hubId: 'hub-0009', seed, start: '2026-03-02', days, persona: 'steady', incidents: [{ type, day: 4, ...extra }] });
  const labels = g.labels.filter((l) => l.incident === type);
  expect(labels).toHaveLength(1);
  return { g, label: labels[0]!, onset: Date.parse(labels[0]!.onset), end: labels[0]!.end ? Date.parse(labels[0]!.end) : undefined };
}

const between = (events: readonly HubEvent[], from: number, to: number): HubEvent[] => events.filter((e) => at(e) > from && at(e) < to);

describe('incident signatures', () => {
  for (const seed of [1, 2, 3]) {
    it(`fall with a quick recovery: a fall event, then motion within minutes (seed ${seed})`, () => {
      const { g, label, onset, end } = withIncident('fall-recovered', {}, seed);
      expect(label.expect).toEqual(['fall']);
      const fall = g.events.find((e) => e.type === 'fall')!;
      expect(at(fall)).toBe(onset);
      const moved = g.events.find((e) => e.type === 'motion' && e.value === true && at(e) > onset)!;
      expect(at(moved) - onset).toBeLessThan(6 * MIN);
      expect(at(moved)).toBeGreaterThanOrEqual(end!);
    });

    it(`fall then a long lie: no activity at all from the fall until help comes in by the front door (seed ${seed})`, () => {
      const { g, label, onset, end } = withIncident('fall-long-lie', {}, seed);
      expect(label.expect).toEqual(['fall', 'long-lie']);
      expect(g.events.find((e) => e.type === 'fall')!.ts).toBe(label.onset);
      expect(end! - onset).toBeGreaterThanOrEqual(45 * MIN);
      expect(between(g.events, onset, end!).filter(isActivity)).toEqual([]);
      const after = g.events.filter((e) => at(e) >= end! && isActivity(e))[0]!;
      expect(after).toMatchObject({ type: 'door', value: 'open', sensor: 'front-door' });
      expect(Date.parse(label.deadlines['long-lie']!)).toBeLessThan(end!);
    });

    it(`collapse without a fall sensor: activity just stops in waking hours, for hours (seed ${seed})`, () => {
      const { g, label, onset, end } = withIncident('collapse', {}, seed);
      expect(label.expect).toContain('inactivity');
      expect(g.events.some((e) => e.type === 'fall' || e.type === 'call')).toBe(false);
      expect(between(g.events, onset, end!).filter(isActivity)).toEqual([]);
      expect(end! - onset).toBeGreaterThan(4.5 * 60 * MIN);
      const local = localTime('Europe/London', label.onset).minutes;
      expect(local).toBeGreaterThan(hhmmToMinutes(PERSONAS.steady.plan.usualRising));
      expect(local).toBeLessThan(17 * 60);
      // Still in waking hours when a detector with the default ceiling should speak.
      expect(localTime('Europe/London', label.deadlines.inactivity!).minutes).toBeLessThan(hhmmToMinutes(PERSONAS.steady.plan.nightStart));
      // The last activity before the silence is in the labelled room.
      const last = g.events.filter((e) => at(e) <= onset && e.type === 'motion' && e.value === true).pop()!;
      expect(last.sensor.startsWith(label.detail.room === 'lounge' ? 'lounge' : String(label.detail.room))).toBe(true);
    });
  }

  it('not up: in bed, no movement from before usual rising until past rising plus the margin', () => {
    const { g, label, onset, end } = withIncident('not-up');
    const rising = hhmmToMinutes(PERSONAS.steady.plan.usualRising);
    expect(localTime('Europe/London', label.onset).minutes).toBe(rising);
    expect(end! - onset).toBeGreaterThan(120 * MIN + 30 * MIN - 1);
    expect(between(g.events, onset - 60 * MIN, end!).filter(isActivity)).toEqual([]);
    const bedOut = g.events.find((e) => e.type === 'bed' && e.value === 'out' && at(e) >= onset - 60 * MIN)!;
    expect(at(bedOut)).toBe(end);
    // On the other days the resident is up well before the margin runs out.
    const rise = risings(g.events, 'Europe/London');
    for (const [date, r] of rise) if (date !== label.day) expect(r.minutes).toBeLessThan(rising + 90);
  });

  it('night exit: the front door opens in the night window and nothing moves inside until the return', () => {
    const { g, label, onset, end } = withIncident('night-exit');
    const door = g.events.find((e) => at(e) === onset)!;
    expect(door).toMatchObject({ sensor: 'front-door', type: 'door', value: 'open' });
    const m = localTime('Europe/London', label.onset).minutes;
    const ns = hhmmToMinutes(PERSONAS.steady.plan.nightStart);
    const ne = hhmmToMinutes(PERSONAS.steady.plan.nightEnd);
    expect(m >= ns || m < ne).toBe(true);
    const inside = between(g.events, onset, end!).filter((e) => (e.type === 'motion' && e.value === true) || e.type === 'bed' || e.type === 'chair');
    expect(inside).toEqual([]);
    expect(end! - onset).toBeGreaterThan(40 * MIN);
    expect(g.events.find((e) => at(e) === end)).toMatchObject({ sensor: 'front-door', value: 'open' });
  });

  it('cold home: the room stays below 16 °C for over two hours from the onset, warm otherwise', () => {
    const { g, label, onset, end } = withIncident('cold-home');
    const temps = g.events.filter((e): e is Extract<HubEvent, { type: 'temperature' }> => e.type === 'temperature');
    const during = temps.filter((e) => at(e) >= onset && at(e) < end!);
    expect(end! - onset).toBeGreaterThan(2.5 * 60 * MIN);
    for (const e of during) expect(e.value).toBeLessThan(16);
    expect(temps.find((e) => at(e) === end)!.value).toBeGreaterThanOrEqual(16);
    const heatingOff = Date.parse(String(label.detail.heatingOff));
    for (const e of temps) if (at(e) < heatingOff || at(e) > end! + 6 * 60 * MIN) expect(e.value).toBeGreaterThanOrEqual(16.5);
  });

  it('hub outage: exactly the events of the outage arrive late, drained in order when the hub is back', () => {
    const { g, onset, end } = withIncident('hub-outage');
    const inside = g.events.filter((e) => at(e) >= onset && at(e) < end!);
    expect(inside.length).toBeGreaterThan(5);
    expect(Object.keys(g.late).sort()).toEqual(inside.map((e) => e.id).sort());
    let prev = end! - 1;
    for (const e of inside) {
      const arrived = Date.parse(g.late[e.id]!);
      expect(arrived).toBeGreaterThan(prev);
      prev = arrived;
    }
  });

  it('flat battery: the sensor reports a falling battery down to 0, falls silent, and is back once replaced', () => {
    const { g, label, onset, end } = withIncident('flat-battery', { sensor: 'kitchen-pir' }, 3, 14);
    expect(label.expect).toEqual(['low-battery', 'sensor-silent']);
    const silentFrom = Date.parse(String(label.detail.silentFrom));
    expect(end).toBe(Date.parse(String(label.detail.replacedAt)));
    // Silent for longer than the motion sensors' 24 h threshold, and the deadline falls in the silence.
    expect(end! - silentFrom).toBeGreaterThan(36 * 3600_000);
    expect(Date.parse(label.deadlines['sensor-silent']!)).toBeGreaterThan(silentFrom + 24 * 3600_000);
    expect(Date.parse(label.deadlines['sensor-silent']!)).toBeLessThan(end!);
    const kitchen = g.events.filter((e) => e.sensor === 'kitchen-pir');
    const battery = kitchen.filter((e) => e.type === 'battery');
    expect(battery.filter((e) => at(e) >= onset && at(e) <= silentFrom).map((e) => e.value)).toEqual([18, 11, 6, 2, 0]);
    const before = battery.filter((e) => at(e) < onset).map((e) => e.value as number);
    for (let i = 1; i < before.length; i++) expect(before[i]!).toBeLessThanOrEqual(before[i - 1]!);
    expect(before[0]!).toBeGreaterThan(20);
    // Nothing at all from the sensor while dead, though the resident still uses the kitchen.
    expect(kitchen.filter((e) => at(e) > silentFrom && at(e) < end!)).toEqual([]);
    expect(g.events.filter((e) => at(e) > silentFrom && at(e) < end! && e.type === 'motion').length).toBeGreaterThan(100);
    // With a new battery it reports again: motion, and a full battery.
    const after = kitchen.filter((e) => at(e) >= end!);
    expect(after.some((e) => e.type === 'motion')).toBe(true);
    expect(after.find((e) => e.type === 'battery')!.value).toBeGreaterThan(95);
  });

  it('pendant call with "I\'m OK": pressed, then cancelled within the two-minute window', () => {
    const { g, label, onset } = withIncident('call-cancelled');
    const calls = g.events.filter((e) => e.type === 'call');
    expect(calls.map((e) => e.value)).toEqual(['pressed', 'cancelled']);
    expect(at(calls[0]!)).toBe(onset);
    expect(at(calls[1]!) - onset).toBeLessThan(120_000);
    expect(label.expect).toEqual(['call']);
  });

  it('gradual decline: over weeks, less activity, more night bathroom visits and later rising', () => {
    const g = generateHome({ hubId: 'hub-0010', seed: 12, start: '2026-04-06', days: 63, persona: 'steady', incidents: [{ type: 'decline', day: 7 }] });
    const label: Label = g.labels.find((l) => l.incident === 'decline')!;
    expect(label.expect).toEqual(['routine-change']);
    expect(label.end).toBeNull();
    const tz = g.home.timezone;
    const week = (w: number) => {
      const from = Date.parse('2026-04-06T00:00:00+01:00') + w * 7 * 86_400_000;
      const evs = g.events.filter((e) => at(e) >= from && at(e) < from + 7 * 86_400_000);
      const motion = evs.filter((e) => e.type === 'motion' && e.value === true).length;
      const nightBath = evs.filter((e) => e.sensor === 'bathroom-pir' && e.value === true && localTime(tz, e.ts).minutes < 5 * 60).length;
      const rise = [...risings(evs, tz).values()].map((r) => r.minutes);
      return { motion, nightBath, rise: rise.reduce((a, b) => a + b, 0) / rise.length };
    };
    const before = week(0);
    const after = week(8);
    expect(after.motion).toBeLessThan(before.motion * 0.75);
    expect(after.nightBath).toBeGreaterThan(before.nightBath * 1.5);
    expect(after.rise - before.rise).toBeGreaterThan(30);
  });
});
