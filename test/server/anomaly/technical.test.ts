import { describe, expect, it } from 'vitest';
import { rig } from './harness.ts';

const T0 = Date.parse('2026-02-02T10:00:00Z');

describe('hub offline', () => {
  it('after 3 missed heartbeats, cleared by the next heartbeat', () => {
    const r = rig('2026-02-02T10:00:00Z');
    for (let i = 0; i < 5; i++) {
      r.clock.advanceTo(T0 + i * 60_000);
      r.core.hubHeartbeat('hub-test', i, T0 + i * 60_000);
    }
    const last = T0 + 4 * 60_000;
    r.clock.advanceTo(last + 3 * 60_000);
    expect(r.of('hub-offline')).toHaveLength(0);
    r.clock.advanceTo(last + 3 * 60_000 + 30_000);
    const [a] = r.of('hub-offline', 'raise');
    expect(a?.cause.rule).toBe('hub-missed-heartbeats');
    expect(a?.residentId).toBeNull();
    r.clock.advanceTo(last + 10 * 60_000);
    r.core.hubHeartbeat('hub-test', 5, r.clock.now());
    expect(r.of('hub-offline', 'clear')).toHaveLength(1);
    expect(r.of('hub-offline', 'raise')).toHaveLength(1);
  });

  it('at once on its last will (status offline); online status clears it', () => {
    const r = rig('2026-02-02T10:00:00Z');
    r.core.hubStatus('hub-test', false, T0);
    expect(r.of('hub-offline', 'raise')[0]?.cause.rule).toBe('hub-last-will');
    r.core.hubStatus('hub-test', true, T0 + 60_000);
    expect(r.of('hub-offline', 'clear')).toHaveLength(1);
  });
});

describe('sensor faults', () => {
  it('sensor silent per its own threshold (motion 24 h, door 72 h), cleared when heard again', () => {
    const r = rig('2026-02-02T10:00:00Z');
    r.ev('kitchen-pir', true, '2026-02-02T10:00:00Z');
    r.ev('front-door', 'open', '2026-02-02T10:00:00Z');
    // Keep the kitchen PIR talking; the others fall silent.
    for (let h = 1; h <= 80; h++) r.ev('kitchen-pir', true, new Date(T0 + h * 3_600_000).toISOString());
    const silent = r.of('sensor-silent', 'raise').map((s) => s.cause.sensor);
    expect(silent).toContain('hall-pir');
    expect(silent).toContain('front-door');
    expect(silent).not.toContain('kitchen-pir');
    expect(silent).not.toContain('pendant'); // calls have no silence threshold
    const door = r.of('sensor-silent', 'raise').find((s) => s.cause.sensor === 'front-door')!;
    expect(door.at - T0).toBeGreaterThanOrEqual(72 * 3_600_000);
    expect(door.at - T0).toBeLessThan(72 * 3_600_000 + 60_000);
    const hall = r.of('sensor-silent', 'raise').find((s) => s.cause.sensor === 'hall-pir')!;
    expect(hall.at - T0).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(hall.at - T0).toBeLessThan(24 * 3_600_000 + 60_000);
    r.ev('hall-pir', true, new Date(T0 + 81 * 3_600_000).toISOString());
    expect(r.of('sensor-silent', 'clear')).toHaveLength(1);
  });

  it('low battery from an event battery field or a battery report; tamper; mains power lost', () => {
    const r = rig('2026-02-02T10:00:00Z');
    const h = r.home.sensors;
    h.set('hall-pir-bat', { sensorId: 'hall-pir-bat', type: 'battery', room: 'hall', role: null, commissioned: true });
    r.core.process({ hubId: 'hub-test', id: 'b1', ts: T0, receivedAt: T0, sensor: 'hall-pir', type: 'motion', value: true, battery: 15, late: false });
    expect(r.of('low-battery', 'raise')[0]?.cause.summary).toMatch(/hall-pir .*15%/);
    r.core.process({ hubId: 'hub-test', id: 'b2', ts: T0 + 1000, receivedAt: T0 + 1000, sensor: 'hall-pir', type: 'motion', value: true, battery: 100, late: false });
    expect(r.of('low-battery', 'clear')).toHaveLength(1);
    r.ev('hall-smoke', true, '2026-02-02T10:00:05Z');
    expect(r.of('smoke', 'raise')).toHaveLength(1);
    r.core.process({ hubId: 'hub-test', id: 't1', ts: T0 + 2000, receivedAt: T0 + 2000, sensor: 'kitchen-pir', type: 'tamper', value: true, battery: null, late: false });
    expect(r.of('tamper', 'raise')).toHaveLength(1);
    r.core.process({ hubId: 'hub-test', id: 'p1', ts: T0 + 3000, receivedAt: T0 + 3000, sensor: 'hub', type: 'power', value: 'battery', battery: null, late: false });
    expect(r.of('power', 'raise')[0]?.cause.rule).toBe('mains-lost');
    r.core.hubStatus('hub-test', true, T0 + 4000, 'mains');
    expect(r.of('power', 'clear')).toHaveLength(1);
  });
});

describe('cold home', () => {
  it('below 16 °C for 2 h raises (routine), back above clears', () => {
    const r = rig('2026-02-02T10:00:00Z');
    r.ev('lounge-temp', 17, '2026-02-02T10:00:00Z');
    r.ev('lounge-temp', 15.5, '2026-02-02T11:00:00Z');
    r.ev('lounge-temp', 15, '2026-02-02T12:00:00Z');
    r.to('2026-02-02T12:59:00Z');
    expect(r.of('cold-home')).toHaveLength(0);
    r.ev('lounge-temp', 14.8, '2026-02-02T13:00:30Z');
    r.to('2026-02-02T13:01:00Z');
    const [a] = r.of('cold-home', 'raise');
    expect(a?.cause.summary).toMatch(/below 16 °C for 2 h/);
    expect(a?.occurredAt).toBe(Date.parse('2026-02-02T11:00:00Z'));
    r.ev('lounge-temp', 17, '2026-02-02T15:00:00Z');
    expect(r.of('cold-home', 'clear')).toHaveLength(1);
  });
});
