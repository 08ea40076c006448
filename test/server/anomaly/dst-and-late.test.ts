import { describe, expect, it } from 'vitest';
import { rig } from './harness.ts';

const MIN = 60_000;

describe('local time across daylight-saving changes (Europe/London)', () => {
  it('not up on the spring-forward day is judged at 10:00 local, which is 09:00 UTC', () => {
    const r = rig('2026-03-28T06:00:00Z');
    r.ev('bed-pad', 'in', '2026-03-28T22:30:00Z');
    r.to('2026-03-29T08:59:00Z');
    expect(r.of('not-up')).toHaveLength(0);
    r.to('2026-03-29T09:00:30Z');
    const [a] = r.of('not-up', 'raise');
    expect(a?.cause.summary).toMatch(/= 10:00/);
  });

  it('not up on the autumn day is judged at 10:00 local, which is 10:00 UTC again', () => {
    const r = rig('2026-10-24T06:00:00Z');
    r.ev('bed-pad', 'in', '2026-10-24T21:30:00Z');
    r.to('2026-10-25T09:59:00Z');
    expect(r.of('not-up')).toHaveLength(0);
    r.to('2026-10-25T10:00:30Z');
    expect(r.of('not-up', 'raise')).toHaveLength(1);
  });

  it('the night window follows local time: a door at 22:30 UTC is night exit on a BST day, not on a GMT day', () => {
    const gmt = rig('2026-03-28T20:00:00Z');
    gmt.ev('front-door', 'open', '2026-03-28T22:30:00Z'); // 22:30 GMT: evening
    gmt.to('2026-03-28T23:00:00Z');
    expect(gmt.of('night-exit')).toHaveLength(0);

    const bst = rig('2026-03-29T20:00:00Z');
    bst.ev('front-door', 'open', '2026-03-29T22:30:00Z'); // 23:30 BST: night
    bst.to('2026-03-29T23:00:00Z');
    expect(bst.of('night-exit', 'raise')[0]?.cause.summary).toMatch(/opened at 23:30/);
  });

  it('a learned rising time of 07:00 stays 07:00 local across the change; no false alerts on the short day', () => {
    const r = rig('2026-03-20T00:00:00Z');
    for (let d = 21; d <= 28; d++) r.day(`2026-03-${d}`, { rise: '07:00', offset: 'Z' });
    r.day('2026-03-29', { rise: '07:00', offset: '+01:00' });
    expect(r.raisedCare()).toEqual([]);
    // 30 March: nobody up. Usual rising 07:00 local + 2 h = 09:00 BST = 08:00 UTC.
    r.to('2026-03-30T07:59:00Z');
    expect(r.of('not-up')).toHaveLength(0);
    r.to('2026-03-30T08:00:30Z');
    const [a] = r.of('not-up', 'raise');
    expect(a?.cause.usualRising).toBe('07:00');
    expect(a?.cause.summary).toMatch(/= 09:00/);
  });
});

describe('a hub back after six hours with its buffer', () => {
  /** Heartbeats every minute from `from` to `to` (ms). */
  const beat = (r: ReturnType<typeof rig>, from: number, to: number): void => {
    for (let t = from; t <= to; t += MIN) {
      r.clock.advanceTo(t);
      r.core.hubHeartbeat('hub-test', t / MIN, t);
    }
  };

  it('raises no stale care alert for the outage, marks the drain late, and clears hub-offline', () => {
    const r = rig('2026-01-12T06:00:00Z');
    const t9 = Date.parse('2026-01-12T09:00:00Z');
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    beat(r, Date.parse('2026-01-12T07:31:00Z'), t9);
    r.ev('kitchen-pir', true, '2026-01-12T09:00:00Z');
    // The uplink drops at 09:00; the hub keeps buffering for six hours; no heartbeats arrive.
    r.to('2026-01-12T15:00:00Z');
    expect(r.of('hub-offline', 'raise')).toHaveLength(1);
    expect(r.raisedCare()).toEqual([]); // blind, not inactive: the ceiling (4 h) passed at 13:00
    // Back at 15:00: status online, then the buffer (the resident was about all along).
    r.core.hubStatus('hub-test', true, Date.parse('2026-01-12T15:00:00Z'));
    for (let t = t9 + 30 * MIN; t < Date.parse('2026-01-12T15:00:00Z'); t += 30 * MIN) {
      r.ev(t % (60 * MIN) ? 'lounge-pir' : 'kitchen-pir', true, new Date(t).toISOString(), '2026-01-12T15:00:05Z');
    }
    beat(r, Date.parse('2026-01-12T15:01:00Z'), Date.parse('2026-01-12T16:00:00Z'));
    expect(r.of('hub-offline', 'clear')).toHaveLength(1);
    expect(r.raisedCare()).toEqual([]);
  });

  it('a pending alert is cleared by buffered movement; the clear is marked late', () => {
    const r = rig('2026-01-12T06:00:00Z');
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    r.ev('kitchen-pir', true, '2026-01-12T08:00:00Z');
    beat(r, Date.parse('2026-01-12T08:00:00Z'), Date.parse('2026-01-12T12:05:00Z'));
    expect(r.of('inactivity', 'raise')).toHaveLength(1); // 4 h of quiet at 12:00
    r.core.hubStatus('hub-test', false, Date.parse('2026-01-12T12:05:00Z')); // last will
    r.to('2026-01-12T18:05:00Z');
    r.core.hubStatus('hub-test', true, Date.parse('2026-01-12T18:05:00Z'));
    r.ev('lounge-pir', true, '2026-01-12T12:30:00Z', '2026-01-12T18:05:01Z');
    const [c] = r.of('inactivity', 'clear');
    expect(c?.late).toBe(true);
    expect(c?.occurredAt).toBe(Date.parse('2026-01-12T12:30:00Z'));
    r.ev('lounge-pir', true, '2026-01-12T17:50:00Z', '2026-01-12T18:05:01Z');
    r.to('2026-01-12T19:00:00Z');
    expect(r.of('inactivity', 'raise')).toHaveLength(1);
  });

  it('a condition the buffer shows had already ended is not raised; one still going on is raised, marked late', () => {
    const ended = rig('2026-01-12T06:00:00Z');
    ended.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    ended.core.hubStatus('hub-test', false, Date.parse('2026-01-12T10:00:00Z'));
    ended.to('2026-01-12T16:00:00Z');
    ended.core.hubStatus('hub-test', true, Date.parse('2026-01-12T16:00:00Z'));
    ended.ev('bathroom-pir', true, '2026-01-12T11:00:00Z', '2026-01-12T16:00:01Z');
    ended.ev('hall-pir', true, '2026-01-12T12:30:00Z', '2026-01-12T16:00:01Z'); // 90 min in the bathroom, then out
    ended.ev('lounge-pir', true, '2026-01-12T15:55:00Z', '2026-01-12T16:00:01Z');
    ended.to('2026-01-12T17:00:00Z');
    expect(ended.raisedCare()).toEqual([]);

    const ongoing = rig('2026-01-12T06:00:00Z');
    ongoing.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    ongoing.core.hubStatus('hub-test', false, Date.parse('2026-01-12T10:00:00Z'));
    ongoing.to('2026-01-12T16:00:00Z');
    ongoing.core.hubStatus('hub-test', true, Date.parse('2026-01-12T16:00:00Z'));
    ongoing.ev('bathroom-pir', true, '2026-01-12T15:30:00Z', '2026-01-12T16:00:01Z');
    ongoing.to('2026-01-12T16:00:20Z');
    expect(ongoing.raisedCare()).toEqual([]); // the buffer may still be draining
    ongoing.to('2026-01-12T16:31:00Z');
    const [a] = ongoing.of('long-lie', 'raise');
    expect(a?.cause.rule).toBe('bathroom-dwell');
    expect(a?.late).toBe(true);
    expect(a?.occurredAt).toBe(Date.parse('2026-01-12T15:30:00Z'));
  });
});
