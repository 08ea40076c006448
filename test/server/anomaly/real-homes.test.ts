// Small fixtures shaped like the failures seen on recorded homes (issue 10): an early riser, a long
// afternoon nap, a bathroom left for an unsensed room, two people, an outage. Written by hand.
import { describe, expect, it } from 'vitest';
import { makeHome, rig } from './harness.ts';

const day = (n: number): string => `2026-01-${String(n).padStart(2, '0')}`;

describe('a learned night: the early riser', () => {
  it('a resident up at 05:45 every day is up by 06:00, not "not up" at 07:45; leaving at 06:25 is no night exit', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 14; d++) r.day(day(d), { rise: '05:45', bed: '21:30' });
    // Day 15: up at 05:45 as ever, about until 06:20, out of the front door at 06:25 and back at 07:10.
    r.ev('bed-pad', 'out', '2026-01-15T05:45:00Z');
    r.ev('kitchen-pir', true, '2026-01-15T05:50:00Z');
    r.ev('hall-pir', true, '2026-01-15T06:20:00Z');
    r.ev('front-door', 'open', '2026-01-15T06:25:00Z');
    r.ev('front-door', 'closed', '2026-01-15T06:25:30Z');
    r.to('2026-01-15T07:10:00Z');
    r.ev('front-door', 'open', '2026-01-15T07:10:00Z');
    r.ev('hall-pir', true, '2026-01-15T07:10:30Z');
    r.to('2026-01-15T09:00:00Z');
    expect(r.of('not-up', 'raise')).toEqual([]);
    expect(r.of('night-exit', 'raise')).toEqual([]);
  });

  it('the same resident still gets "not up" when the morning does not come', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 14; d++) r.day(day(d), { rise: '05:45', bed: '21:30' });
    r.to('2026-01-15T10:00:00Z');
    const [a] = r.of('not-up', 'raise');
    expect(a).toBeDefined();
    // Learned rising 05:45 + 2 h margin: raised well before the plan's 08:00 + 2 h.
    expect(a!.at).toBeLessThan(Date.parse('2026-01-15T08:30:00Z'));
    expect(a!.cause.usualRising).toBe('05:45');
  });

  it('a night exit at 02:00 is still raised for the early riser', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 14; d++) r.day(day(d), { rise: '05:45', bed: '21:30' });
    r.ev('front-door', 'open', '2026-01-15T02:00:00Z');
    r.to('2026-01-15T02:20:00Z');
    expect(r.of('night-exit', 'raise')).toHaveLength(1);
  });
});

describe('inactivity as a model: the long afternoon nap', () => {
  /** A day with a nap in the lounge from `napFrom` for `napMin` minutes (no sensor fires). */
  const napDay = (r: ReturnType<typeof rig>, date: string, napFrom: string, napMin: number): void => {
    const from = Date.parse(`${date}T${napFrom}:00Z`);
    const rise = Date.parse(`${date}T07:30:00Z`);
    const bed = Date.parse(`${date}T22:30:00Z`);
    r.ev('bed-pad', 'out', new Date(rise).toISOString());
    const rooms = ['kitchen-pir', 'lounge-pir', 'hall-pir', 'kitchen-pir'];
    let i = 0;
    for (let t = rise + 60_000; t < bed; t += 20 * 60_000) {
      if (t > from && t < from + napMin * 60_000) continue;
      r.ev(t === rise + 60_000 ? 'kitchen-pir' : rooms[i++ % rooms.length]!, true, new Date(t).toISOString());
    }
    r.ev('lounge-pir', true, new Date(from).toISOString());
    r.ev('lounge-pir', true, new Date(from + napMin * 60_000).toISOString());
    r.ev('bedroom-pir', true, new Date(bed).toISOString());
    r.ev('bed-pad', 'in', new Date(bed + 60_000).toISOString());
  };

  it('a nap that began at 15:47 is judged by the naps that began about then, with no step at 16:00', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 14; d++) napDay(r, day(d), d % 2 ? '15:40' : '16:05', 130);
    // Day 15: the nap begins at 15:47 and lasts 2 h 20 min.
    napDay(r, day(15), '15:47', 140);
    r.to('2026-01-15T23:00:00Z');
    expect(r.of('inactivity', 'raise')).toEqual([]);
  });

  it('the same resident quiet from 10:30 (no nap then) is checked on far sooner than after a nap', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 14; d++) napDay(r, day(d), d % 2 ? '15:40' : '16:05', 130);
    r.ev('bed-pad', 'out', '2026-01-15T07:30:00Z');
    for (let m = 0; m < 150; m += 20) r.ev(m % 40 ? 'hall-pir' : 'kitchen-pir', true, new Date(Date.parse('2026-01-15T07:31:00Z') + m * 60_000).toISOString());
    r.ev('lounge-pir', true, '2026-01-15T10:30:00Z');
    r.to('2026-01-15T15:00:00Z');
    const [a] = r.of('inactivity', 'raise');
    expect(a).toBeDefined();
    const delay = (a!.at - Date.parse('2026-01-15T10:30:00Z')) / 60_000;
    expect(delay).toBeLessThan(90);
    expect(a!.cause.learned).toBe(true);
    expect(a!.cause.thresholdMinutes as number).toBeLessThanOrEqual(240);
    expect(a!.cause.summary).toMatch(/usual longest quiet spell starting about 10:30/);
    expect(a!.cause.summary).toMatch(/at most 1 a month/);
  });

  it('the threshold follows the start time smoothly: a spell starting 15:59 and one starting 16:01 are judged alike', async () => {
    const { kernel } = await import('../../../server/src/anomaly/detectors/routine/quiet.ts');
    for (let d = 0; d < 240; d += 1) expect(Math.abs(kernel(d + 1) - kernel(d))).toBeLessThan(0.02);
    expect(kernel(0)).toBe(1);
    expect(kernel(30)).toBe(1);
    expect(kernel(180)).toBe(0);
    expect(kernel(1439)).toBe(1); // a minute before midnight is next to midnight
  });

  it('a larger false-alarm budget in the plan lowers the threshold', () => {
    const run = (budget: number): number => {
      const r = rig('2026-01-01T00:00:00Z', makeHome({ plan: { falseAlarmBudgetPerMonth: budget } }));
      for (let d = 1; d <= 14; d++) napDay(r, day(d), '14:00', d === 3 ? 200 : 60 + (d % 4) * 10);
      r.ev('bed-pad', 'out', '2026-01-15T07:30:00Z');
      r.ev('lounge-pir', true, '2026-01-15T14:00:00Z');
      r.to('2026-01-15T21:00:00Z');
      // The 14:00 spell's (the morning's quiet from 07:30 is judged, and raised, on its own).
      return r.of('inactivity', 'raise').find((x) => String(x.cause.summary).includes('since 14:00'))!.cause.thresholdMinutes as number;
    };
    expect(run(30)).toBeLessThan(run(0.5));
  });
});

describe('presence versus touch: the bathroom left for an unsensed room', () => {
  it('a flush (touch) in the bathroom and then nothing is no bathroom long lie; inactivity watches instead', () => {
    const home = makeHome();
    home.sensors.set('flush', { sensorId: 'flush', type: 'motion', room: 'bathroom', role: 'bathroom', commissioned: true, evidence: 'touch' });
    const r = rig('2026-01-12T06:00:00Z', home);
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    r.ev('flush', true, '2026-01-12T09:00:00Z');
    r.to('2026-01-12T13:05:00Z');
    expect(r.of('long-lie', 'raise')).toEqual([]);
    const [a] = r.of('inactivity', 'raise');
    expect(a?.cause.lastEvidence).toBe('touch');
    expect(a?.cause.summary).toMatch(/last touched something in the bathroom \(they may have moved on/);
  });

  it('a bathroom PIR and then the bathroom door: they left, no long lie', () => {
    const home = makeHome();
    home.sensors.set('bathroom-door', { sensorId: 'bathroom-door', type: 'door', room: 'bathroom', role: 'interior-door', commissioned: true });
    const r = rig('2026-01-12T06:00:00Z', home);
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    r.ev('bathroom-pir', true, '2026-01-12T09:00:00Z');
    r.ev('bathroom-door', 'open', '2026-01-12T09:06:00Z');
    r.to('2026-01-12T10:30:00Z');
    expect(r.of('long-lie', 'raise')).toEqual([]);
  });

  it('a bathroom PIR and nothing after it is still a long lie (the plan default at first)', () => {
    const r = rig('2026-01-12T06:00:00Z');
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    r.ev('bathroom-pir', true, '2026-01-12T09:00:00Z');
    r.to('2026-01-12T10:01:00Z');
    expect(r.of('long-lie', 'raise')[0]?.cause.summary).toMatch(/seen there by a motion sensor/);
  });

  it('going out of the front door ends a bathroom stay: coming back a day later is not a 24-hour visit', () => {
    const r = rig('2026-01-12T06:00:00Z');
    r.ev('bed-pad', 'out', '2026-01-12T07:30:00Z');
    r.ev('bathroom-pir', true, '2026-01-12T12:41:00Z');
    r.ev('front-door', 'open', '2026-01-12T12:45:00Z');
    r.ev('front-door', 'closed', '2026-01-12T12:45:30Z');
    r.to('2026-01-13T13:00:00Z');
    r.ev('bathroom-pir', true, '2026-01-13T13:00:00Z');
    r.to('2026-01-13T13:20:00Z');
    expect(r.of('long-lie', 'raise')).toEqual([]);
  });
});

describe('homes as they are', () => {
  it('two people: one in the bathroom while the other moves about is no long lie', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 8; d++) r.day(day(d));
    r.ev('bed-pad', 'out', '2026-01-09T07:30:00Z');
    for (const t of ['07:35', '08:00', '08:20', '08:40']) r.ev('kitchen-pir', true, `2026-01-09T${t}:00Z`);
    r.ev('bathroom-pir', true, '2026-01-09T09:00:00Z');
    // The other resident, in the kitchen and lounge, while the first is in the bathroom for 90 min.
    for (let m = 5; m <= 90; m += 10) r.ev(m % 20 ? 'kitchen-pir' : 'lounge-pir', true, new Date(Date.parse('2026-01-09T09:00:00Z') + m * 60_000).toISOString());
    r.ev('bathroom-pir', true, '2026-01-09T10:30:00Z');
    r.ev('hall-pir', true, '2026-01-09T10:35:00Z');
    r.to('2026-01-09T11:00:00Z');
    expect(r.raisedCare()).toEqual([]);
  });

  it('an outage (the hub offline for six hours) raises no inactivity or long lie, and hub-offline instead; the spell is not learned', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 8; d++) r.day(day(d));
    r.ev('bed-pad', 'out', '2026-01-09T07:30:00Z');
    for (const t of ['07:35', '08:00', '08:20', '08:40']) r.ev('kitchen-pir', true, `2026-01-09T${t}:00Z`);
    r.ev('bathroom-pir', true, '2026-01-09T09:00:00Z');
    r.core.hubStatus('hub-test', false, Date.parse('2026-01-09T09:01:00Z')); // last will
    r.to('2026-01-09T15:00:00Z');
    expect(r.of('inactivity', 'raise')).toEqual([]);
    expect(r.of('long-lie', 'raise')).toEqual([]);
    expect(r.of('hub-offline', 'raise')).toHaveLength(1);
  });

  it('a recording gap with no hub signal at all is raised by the ceiling at the latest, never hidden longer', () => {
    const r = rig('2026-01-01T00:00:00Z');
    for (let d = 1; d <= 14; d++) r.day(day(d), { every: 45 });
    r.ev('bed-pad', 'out', '2026-01-15T07:30:00Z');
    r.ev('lounge-pir', true, '2026-01-15T09:00:00Z');
    r.to('2026-01-15T13:01:00Z');
    const [a] = r.of('inactivity', 'raise');
    expect(a).toBeDefined();
    expect(a!.at).toBeLessThanOrEqual(Date.parse('2026-01-15T13:01:00Z'));
  });
});
