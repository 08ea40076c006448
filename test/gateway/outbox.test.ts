import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../server/src/clock.ts';
import { CRITICAL_TYPES, Outbox } from '../../gateway/src/outbox.ts';
import { tempDir } from '../helpers/hearth.ts';

const T0 = Date.parse('2026-11-26T08:00:00Z');
const dirs: { remove: () => void }[] = [];
function open(maxEvents = 1000, clock = new VirtualClock(T0)): { outbox: Outbox; file: string; clock: VirtualClock } {
  const d = tempDir('hearth-outbox-');
  dirs.push(d);
  const file = `${d.dir}/outbox.sqlite`;
  return { outbox: new Outbox({ file, clock, maxEvents }), file, clock };
}
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

describe('gateway outbox', () => {
  it('assigns unique, time-ordered ids once and keeps events, in order, across a reopen', () => {
    const { outbox, file, clock } = open();
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      // Several events in the same virtual millisecond: ids must still differ and increase.
      if (i % 10 === 0) clock.advance(1000);
      const r = outbox.add({ sensor: 'kitchen-pir', type: 'motion', value: i % 2 === 0 });
      expect(r.ok).toBe(true);
      if (r.ok) ids.push(r.event.id);
    }
    expect(new Set(ids).size).toBe(50);
    expect([...ids].sort()).toEqual(ids);
    outbox.close();

    const again = new Outbox({ file, clock, maxEvents: 1000 });
    const rows = again.next(0, 100);
    expect(rows.map((r) => r.event.id)).toEqual(ids);
    // A re-read (a re-send) carries the very same ids; only an acknowledgement removes rows.
    expect(again.next(0, 100).map((r) => r.event.id)).toEqual(ids);
    again.remove(rows.slice(0, 20).map((r) => r.seq));
    expect(again.size()).toBe(30);
    expect(again.next(0, 1)[0]!.event.id).toBe(ids[20]);
    again.close();
  });

  it('refuses an invalid reading with a reason, and queues nothing for it', () => {
    const { outbox } = open();
    const r = outbox.add({ sensor: 'front-door', type: 'door', value: 'ajar' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('invalid');
      expect(r.detail).toMatch(/value/);
    }
    expect(outbox.add({ sensor: 'x/y', type: 'motion', value: true }).ok).toBe(false);
    expect(outbox.size()).toBe(0);
    expect(outbox.stats().invalid).toBe(2);
    outbox.close();
  });

  it('when full, drops the oldest routine events first and never an alarm, fall or call', () => {
    const { outbox, clock } = open(10);
    const critical = ['fall', 'call', 'smoke', 'water', 'tamper'] as const;
    const values = { fall: true, call: 'pressed', smoke: true, water: true, tamper: true } as const;
    const kept: string[] = [];
    // Interleave: routine, critical, routine, critical...
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      if (i % 2 === 0) outbox.add({ sensor: 'kitchen-pir', type: 'motion', value: true });
      else {
        const type = critical[(i - 1) / 2]!;
        const r = outbox.add({ sensor: `${type}-sensor`, type, value: values[type] });
        if (r.ok) kept.push(r.event.id);
      }
    }
    expect(outbox.size()).toBe(10);
    // Five more routine events: each evicts the oldest routine one.
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      const r = outbox.add({ sensor: 'lounge-pir', type: 'motion', value: true });
      expect(r.ok && r.evicted).toBe(1);
    }
    let rows = outbox.next(0, 100);
    expect(rows.filter((r) => r.event.sensor === 'kitchen-pir')).toHaveLength(0);
    // Now only critical and the newest routine remain; an alarm beyond the bound is still queued.
    for (let i = 0; i < 5; i++) outbox.add({ sensor: 'lounge-pir', type: 'motion', value: false }); // evict the 5 lounge 'true'
    rows = outbox.next(0, 100);
    expect(rows.filter((r) => CRITICAL_TYPES.has(r.event.type)).map((r) => r.event.id)).toEqual(kept);
    // Fill the rest with critical events until nothing routine is left, then go past the bound.
    for (let i = 0; i < 8; i++) {
      const r = outbox.add({ sensor: 'hall-smoke', type: 'smoke', value: true });
      expect(r.ok).toBe(true);
      if (r.ok) kept.push(r.event.id);
    }
    expect(outbox.size()).toBe(13); // 10 allowed, 3 alarms kept beyond the bound
    const routine = outbox.add({ sensor: 'lounge-pir', type: 'motion', value: true });
    expect(routine.ok).toBe(false);
    if (!routine.ok) expect(routine.reason).toBe('full');
    const alarm = outbox.add({ sensor: 'pendant', type: 'call', value: 'pressed' });
    expect(alarm.ok).toBe(true);
    if (alarm.ok) kept.push(alarm.event.id);
    rows = outbox.next(0, 100);
    expect(rows.map((r) => r.event.id)).toEqual(kept);
    expect(rows.every((r) => CRITICAL_TYPES.has(r.event.type))).toBe(true);
    // 5 kitchen + 5 lounge evicted by routine, 5 evicted by smoke alarms, 1 refused.
    expect(outbox.stats().droppedRoutine).toBe(16);
    outbox.close();
  });
});
