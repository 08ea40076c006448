import { describe, expect, it } from 'vitest';
import { makeHome, rig } from './harness.ts';

const H = 3_600_000;

describe('inactivity', () => {
  it('cold start: raises after the plan ceiling (4 h) of quiet in waking hours, and clears on movement', () => {
    const r = rig('2026-01-12T06:00:00Z');
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    r.ev('kitchen-pir', true, '2026-01-12T08:00:00Z');
    r.to('2026-01-12T11:59:00Z');
    expect(r.of('inactivity')).toHaveLength(0);
    r.to('2026-01-12T12:01:00Z');
    const [a] = r.of('inactivity', 'raise');
    expect(a).toBeDefined();
    expect(a!.occurredAt).toBe(Date.parse('2026-01-12T08:00:00Z'));
    expect(a!.cause.thresholdMinutes).toBe(240);
    expect(a!.cause.learned).toBe(false);
    expect(a!.cause.summary).toMatch(/No movement for 4 h.*since 08:00.*ceiling 4 h/);
    r.ev('lounge-pir', true, '2026-01-12T12:10:00Z');
    expect(r.of('inactivity', 'clear')).toHaveLength(1);
  });

  it('learned: a resident who is never quiet long is checked on sooner, and the cause names the norm and by how much', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 7; d++) r.day(`2026-01-0${d}`, { every: 20 });
    expect(r.raisedCare()).toEqual([]);
    // Day 8: up as usual, about until 10:00 in the lounge, then nothing.
    r.ev('bed-pad', 'out', '2026-01-08T07:30:00Z');
    for (const [s, t] of [['kitchen-pir', '08:00'], ['hall-pir', '08:40'], ['kitchen-pir', '09:20'], ['lounge-pir', '10:00']] as const) r.ev(s, true, `2026-01-08T${t}:00Z`);
    expect(r.of('inactivity', 'raise')).toHaveLength(0);
    r.to('2026-01-08T14:30:00Z');
    const [a] = r.of('inactivity', 'raise');
    expect(a).toBeDefined();
    const delayMin = (a!.at - Date.parse('2026-01-08T10:00:00Z')) / 60_000;
    expect(delayMin).toBeLessThan(90);
    expect(a!.cause.learned).toBe(true);
    expect(a!.cause.usualMinutes).toBeGreaterThan(0);
    expect(a!.cause.exceededByMinutes).toBeGreaterThanOrEqual(0);
    expect(a!.cause.summary).toMatch(/usual longest quiet spell starting about 10:00 there \d+ min/);
    expect(a!.cause.summary).toMatch(/ceiling 4 h/);
  });

  it('a learned norm longer than the plan ceiling is capped by it', () => {
    const r = rig('2026-01-01T00:00:00Z', makeHome({ plan: { inactivityCeilingMinutes: 90 } }));
    for (let d = 1; d <= 8; d++) r.day(`2026-01-0${d}`, { every: 80 }); // quiet spells of over an hour
    r.ev('bed-pad', 'out', '2026-01-09T07:30:00Z');
    r.ev('kitchen-pir', true, '2026-01-09T08:00:00Z');
    r.to('2026-01-09T09:29:00Z');
    expect(r.of('inactivity', 'raise').filter((s) => s.at > Date.parse('2026-01-09T00:00:00Z'))).toHaveLength(0);
    r.to('2026-01-09T09:31:00Z');
    const [a] = r.of('inactivity', 'raise').filter((s) => s.at > Date.parse('2026-01-09T00:00:00Z'));
    expect(a?.cause.learned).toBe(true);
    expect(a?.cause.thresholdMinutes).toBe(90);
    // Uncapped, the learned threshold (usual × scale + 20 min) would have been longer than the ceiling.
    expect((a!.cause.usualMinutes as number) * (a!.cause.scale as number) + 20).toBeGreaterThan(90);
    expect(a!.cause.summary).toMatch(/capped at the ceiling 1 h 30 min/);
  });

  it('pauses in away mode and while the resident is out', () => {
    const home = makeHome({ away: true });
    const r = rig('2026-01-12T06:00:00Z', home);
    r.ev('kitchen-pir', true, '2026-01-12T08:00:00Z');
    r.to('2026-01-12T20:00:00Z');
    expect(r.raisedCare()).toEqual([]);

    const r2 = rig('2026-01-12T06:00:00Z');
    r2.ev('kitchen-pir', true, '2026-01-12T08:00:00Z');
    r2.ev('front-door', 'open', '2026-01-12T09:00:00Z');
    r2.ev('front-door', 'closed', '2026-01-12T09:00:30Z');
    r2.to('2026-01-12T20:00:00Z');
    expect(r2.of('inactivity')).toEqual([]);
    // Back home at 20:00: movement after the door.
    r2.ev('front-door', 'open', '2026-01-12T20:05:00Z');
    r2.ev('hall-pir', true, '2026-01-12T20:05:30Z');
    r2.to('2026-01-12T22:00:00Z');
    expect(r2.raisedCare()).toEqual([]);
  });
});

describe('not up', () => {
  it('raises at usual rising time plus the margin when there is no activity, and clears when the resident gets up', () => {
    const r = rig('2026-01-12T06:00:00Z');
    r.ev('bed-pad', 'in', '2026-01-11T22:30:00Z');
    r.to('2026-01-12T09:59:00Z');
    expect(r.of('not-up')).toHaveLength(0);
    r.to('2026-01-12T10:00:30Z');
    const [a] = r.of('not-up', 'raise');
    expect(a).toBeDefined();
    expect(a!.cause.summary).toMatch(/usual rising time 08:00 .*margin 2 h = 10:00/);
    r.ev('bed-pad', 'out', '2026-01-12T10:20:00Z');
    expect(r.of('not-up', 'clear')).toHaveLength(1);
  });

  it('does not call a resident "not up" for a morning it never watched (watching began after the deadline)', () => {
    // The server (or a new home) starts at 15:00; the resident is about, as the first event shows.
    const r = rig('2026-01-12T15:00:00Z');
    r.ev('kitchen-pir', true, '2026-01-12T15:00:05Z');
    r.to('2026-01-12T22:00:00Z');
    expect(r.of('not-up')).toHaveLength(0);
    // Watching began at 11:00 with only the hub's heartbeat and no sign of anyone up:
    // "not up" is raised after a margin of watching (2 h), not at once.
    const q = rig('2026-01-12T11:00:00Z');
    const beatUntil = (iso: string) => {
      for (let seq = 1; q.clock.now() < Date.parse(iso); seq++) {
        q.core.hubHeartbeat(q.home.hubId, seq, q.clock.now());
        q.clock.advance(60_000);
      }
    };
    beatUntil('2026-01-12T12:59:00Z');
    expect(q.of('not-up')).toHaveLength(0);
    beatUntil('2026-01-12T13:01:00Z');
    expect(q.of('not-up', 'raise')).toHaveLength(1);
  });

  it('uses the learned rising time (median of recent mornings)', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 6; d++) r.day(`2026-01-0${d}`, { rise: '06:30' });
    r.to('2026-01-07T08:29:00Z');
    expect(r.of('not-up')).toHaveLength(0);
    r.to('2026-01-07T08:30:30Z');
    const [a] = r.of('not-up', 'raise');
    expect(a?.cause.usualRising).toBe('06:30');
    expect(a?.cause.learned).toBe(true);
  });
});

describe('long lie', () => {
  it('after a fall: no movement for 20 min', () => {
    const r = rig('2026-01-12T09:00:00Z');
    r.ev('kitchen-pir', true, '2026-01-12T09:00:00Z');
    r.ev('pendant-fall', true, '2026-01-12T09:10:00Z');
    expect(r.of('fall', 'raise')).toHaveLength(1);
    r.to('2026-01-12T09:29:00Z');
    expect(r.of('long-lie')).toHaveLength(0);
    r.to('2026-01-12T09:31:00Z');
    const [a] = r.of('long-lie', 'raise');
    expect(a!.cause.rule).toBe('long-lie-after-fall');
    expect(a!.occurredAt).toBe(Date.parse('2026-01-12T09:10:00Z'));
  });

  it('after a call, unless the resident pressed "I\'m OK" or moved', () => {
    const r = rig('2026-01-12T09:00:00Z');
    r.ev('pendant', 'pressed', '2026-01-12T09:10:00Z');
    r.ev('pendant', 'cancelled', '2026-01-12T09:11:00Z');
    expect(r.of('call', 'raise')).toHaveLength(1);
    expect(r.of('call', 'cancel')).toHaveLength(1); // within the 2 min cancel window
    r.to('2026-01-12T10:00:00Z');
    expect(r.of('long-lie')).toHaveLength(0);
    r.ev('pendant', 'pressed', '2026-01-12T10:10:00Z');
    r.ev('lounge-pir', true, '2026-01-12T10:15:00Z');
    r.to('2026-01-12T11:00:00Z');
    expect(r.of('long-lie')).toHaveLength(0);
    r.ev('pendant', 'pressed', '2026-01-12T11:10:00Z');
    r.to('2026-01-12T11:31:00Z');
    expect(r.of('long-lie', 'raise')[0]?.cause.rule).toBe('long-lie-after-call');
  });

  it('bathroom dwell beyond the usual: the plan default (60 min) at first, then the learned usual', () => {
    const r = rig('2026-01-12T09:00:00Z');
    r.ev('bathroom-pir', true, '2026-01-12T09:00:00Z');
    r.to('2026-01-12T09:59:00Z');
    expect(r.of('long-lie')).toHaveLength(0);
    r.to('2026-01-12T10:00:30Z');
    expect(r.of('long-lie', 'raise')[0]?.cause.rule).toBe('bathroom-dwell');
    r.ev('hall-pir', true, '2026-01-12T10:05:00Z');
    expect(r.of('long-lie', 'clear')).toHaveLength(1);

    // A resident who, after the bathroom, is usually quiet for 25 min (an unsensed room): learned from that quiet.
    const l = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 8; d++) {
      l.day(`2026-01-0${d}`);
      l.ev('bathroom-pir', true, `2026-01-0${d}T23:00:00Z`);
      l.ev('hall-pir', true, `2026-01-0${d}T23:25:00Z`);
    }
    l.ev('bed-pad', 'out', '2026-01-09T22:00:00Z');
    l.ev('bathroom-pir', true, '2026-01-09T23:00:00Z');
    l.to('2026-01-09T23:40:00Z');
    expect(l.of('long-lie')).toHaveLength(0);
    l.to('2026-01-09T23:46:00Z');
    const [a] = l.of('long-lie', 'raise');
    expect(a?.cause.learned).toBe(true);
    expect(a?.cause.usualMinutes).toBe(25);
    expect(a?.cause.thresholdMinutes).toBe(45);
    expect(a?.cause.summary).toMatch(/usual longest quiet after a bathroom event at about this time 25 min/);
  });
});

describe('night exit and not home', () => {
  it('night exit: exterior door opened in the night, no movement inside for 15 min', () => {
    const r = rig('2026-01-12T01:00:00Z');
    r.ev('bedroom-pir', true, '2026-01-12T02:55:00Z');
    r.ev('hall-pir', true, '2026-01-12T02:59:40Z');
    r.ev('front-door', 'open', '2026-01-12T03:00:00Z');
    r.ev('hall-pir', true, '2026-01-12T03:00:10Z'); // leaving, still at the door
    r.ev('front-door', 'closed', '2026-01-12T03:00:30Z');
    r.to('2026-01-12T03:14:00Z');
    expect(r.of('night-exit')).toHaveLength(0);
    r.to('2026-01-12T03:16:00Z');
    expect(r.of('night-exit', 'raise')).toHaveLength(1);
    expect(r.of('not-home')).toHaveLength(0);
    r.ev('front-door', 'open', '2026-01-12T03:40:00Z');
    r.ev('hall-pir', true, '2026-01-12T03:40:20Z');
    r.ev('bedroom-pir', true, '2026-01-12T03:42:00Z');
    expect(r.of('night-exit', 'clear')).toHaveLength(1);
  });

  it('a door opened at night followed by movement inside raises nothing', () => {
    const r = rig('2026-01-12T01:00:00Z');
    r.ev('front-door', 'open', '2026-01-12T03:00:00Z');
    r.ev('front-door', 'closed', '2026-01-12T03:00:20Z');
    r.ev('bedroom-pir', true, '2026-01-12T03:01:00Z');
    r.to('2026-01-12T04:00:00Z');
    expect(r.raisedCare()).toEqual([]);
  });

  it('not home: out since the afternoon and not back an hour into the night window', () => {
    const r = rig('2026-01-12T12:00:00Z');
    r.ev('hall-pir', true, '2026-01-12T15:00:00Z');
    r.ev('front-door', 'open', '2026-01-12T15:01:00Z');
    r.ev('front-door', 'closed', '2026-01-12T15:01:20Z');
    r.to('2026-01-12T23:59:00Z');
    expect(r.raisedCare()).toEqual([]);
    r.to('2026-01-13T00:01:00Z');
    const [a] = r.of('not-home', 'raise');
    expect(a?.cause.summary).toMatch(/Out since 15:01/);
    r.ev('front-door', 'open', '2026-01-13T00:30:00Z');
    r.ev('hall-pir', true, '2026-01-13T00:30:30Z');
    expect(r.of('not-home', 'clear')).toHaveLength(1);
    expect(r.of('night-exit')).toHaveLength(0);
  });
});

describe('edge cases', () => {
  it('a night window that starts after midnight (01:30 to 09:00): a door at 00:30 is evening, at 02:00 it is night', () => {
    const plan = { nightStart: '01:30', nightEnd: '09:00', usualRising: '09:30' };
    const evening = rig('2026-01-12T22:00:00Z', makeHome({ plan }));
    evening.ev('front-door', 'open', '2026-01-13T00:30:00Z');
    evening.to('2026-01-13T01:00:00Z');
    expect(evening.of('night-exit')).toHaveLength(0);
    const night = rig('2026-01-12T22:00:00Z', makeHome({ plan }));
    night.ev('front-door', 'open', '2026-01-13T02:00:00Z');
    night.to('2026-01-13T02:16:00Z');
    expect(night.of('night-exit', 'raise')).toHaveLength(1);
  });

  it('a hub clock running ahead does not hold off inactivity', () => {
    const r = rig('2026-01-12T06:00:00Z');
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    // Seen "at 18:00" by a hub whose clock is ten hours fast, received at 08:00.
    r.ev('kitchen-pir', true, '2026-01-12T18:00:00Z', '2026-01-12T08:00:00Z');
    r.to('2026-01-12T12:01:00Z');
    expect(r.of('inactivity', 'raise')).toHaveLength(1);
  });
});

describe('routine change over days', () => {
  it('night-time bathroom visits rising over a week against the weeks before', () => {
    const r = rig('2026-01-01T00:00:00Z');
    const date = (d: number) => new Date(Date.UTC(2026, 0, d)).toISOString().slice(0, 10);
    for (let d = 1; d <= 21; d++) r.day(date(d), { nightBathroom: d % 2 ? ['03:00'] : [] });
    expect(r.of('routine-change')).toHaveLength(0);
    for (let d = 22; d <= 28; d++) r.day(date(d), { nightBathroom: ['01:00', '03:00', '05:00'] });
    r.to(`${date(29)}T01:00:00Z`);
    const [a] = r.of('routine-change', 'raise');
    expect(a).toBeDefined();
    expect(a!.cause.summary).toMatch(/night-time bathroom visits up to [23]\.\d a night from 0\.\d/);
    expect(a!.at).toBeGreaterThan(Date.parse(`${date(22)}T00:00:00Z`));
    expect(r.raisedCare().filter((s) => s.type !== 'routine-change')).toEqual([]);
  });

  it('total activity falling and rising later', () => {
    const r = rig('2026-01-01T00:00:00Z');
    const date = (d: number) => new Date(Date.UTC(2026, 0, d)).toISOString().slice(0, 10);
    for (let d = 1; d <= 14; d++) r.day(date(d), { every: 20, rise: '07:00' });
    for (let d = 15; d <= 21; d++) r.day(date(d), { every: 60, rise: '08:30' });
    r.to(`${date(22)}T01:00:00Z`);
    const raised = r.of('routine-change', 'raise');
    expect(raised.length).toBeGreaterThan(0);
    const text = raised.map((s) => s.cause.summary).join(' | ');
    expect(text).toMatch(/daily activity down/);
    expect(text).toMatch(/rising later: 0[78]:\d\d lately against 07:00 before/);
  });
});

describe('normal days raise nothing', () => {
  it('thirty ordinary days: no urgent or high alert', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 30; d++) {
      const date = new Date(Date.UTC(2026, 0, d)).toISOString().slice(0, 10);
      r.day(date, { rise: d % 3 ? '07:10' : '07:50', every: 15 + (d % 4) * 5, nightBathroom: d % 2 ? ['03:10'] : [] });
    }
    r.to('2026-01-31T06:00:00Z');
    expect(r.raisedCare()).toEqual([]);
    void H;
  });
});

describe('learning leaves incidents out', () => {
  it('catches a second bathroom collapse as fast as the first: a long lie is not learned as a usual visit', () => {
    const r = rig('2026-01-01T00:00:00Z');
    const collapse = (date: string) => {
      r.day(date, { bed: '11:00' }); // a normal morning, then...
      r.ev('bathroom-pir', true, `${date}T12:00:00Z`);
      r.to(`${date}T17:00:00Z`);
      r.ev('hall-pir', true, `${date}T17:00:00Z`); // help arrives
      r.ev('bed-pad', 'in', `${date}T22:30:00Z`);
    };
    for (let d = 1; d <= 8; d++) r.day(`2026-01-0${d}`);
    collapse('2026-01-09');
    const first = r.of('long-lie', 'raise');
    expect(first).toHaveLength(1);
    const firstDelay = first[0]!.at - Date.parse('2026-01-09T12:00:00Z');
    for (let d = 10; d <= 13; d++) r.day(`2026-01-${d}`);
    collapse('2026-01-14');
    const second = r.of('long-lie', 'raise');
    expect(second).toHaveLength(2);
    const secondDelay = second[1]!.at - Date.parse('2026-01-14T12:00:00Z');
    expect(secondDelay).toBeLessThanOrEqual(firstDelay + 60_000);
    expect(secondDelay).toBeLessThan(90 * 60_000);
  });
});

