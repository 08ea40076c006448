// The recorded-homes scorer (the dataset README's rules) and the neutral format's mapping, on tiny hand-written fixtures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { describeRealHome, readRealEvents, readRealHomes, type RealHome } from '../../../simulators/src/eval/dataset.ts';
import { evalDataset, loadDataset } from '../../../simulators/src/eval/real-eval.ts';
import { sectionOf, spliceSection } from '../../../simulators/src/eval/real-report.ts';
import { scoreRealHomes } from '../../../simulators/src/eval/score-real.ts';

const home = (over: Partial<RealHome> = {}): RealHome => ({
  hub: 'home-a',
  timeZone: 'UTC',
  start: '2000-01-01T00:00:00.000Z',
  spanDays: 30,
  days: 30,
  sensors: [
    { id: 'hall', type: 'motion', room: 'hall', role: 'presence' },
    { id: 'fridge', type: 'motion', room: 'kitchen', role: 'activity' },
    { id: 'flush', type: 'motion', room: 'bathroom', role: 'activity' },
    { id: 'front', type: 'door', room: 'hall', role: 'exterior-door' },
    { id: 'bath-door', type: 'door', room: 'bathroom', role: 'internal-door' },
    { id: 'bed', type: 'bed', room: 'bedroom', role: 'bed' },
  ],
  labels: [{ incident: 'collapse', onset: '2000-01-20T12:00:00.000Z', expect: ['inactivity', 'long-lie'] }],
  masks: [{ from: '2000-01-25T00:00:00.000Z', to: '2000-01-26T00:00:00.000Z' }],
  events_file: 'home-a.jsonl.gz',
  ...over,
});

describe('recorded homes: scoring by the README', () => {
  const h = home();
  const scored = [{ hub: h.hub, start: h.start, end: '2000-01-31T00:00:00.000Z', labels: h.labels, masks: h.masks, days: 29 }];
  const a = (type: string, raisedAt: string, severity = 'high') => ({ type: type as 'inactivity', hub: 'home-a', raisedAt, severity });

  it('catches a collapse with an expected alert within 8 h, and counts the delay from onset', () => {
    const s = scoreRealHomes(scored, [a('inactivity', '2000-01-20T13:30:00.000Z')]);
    expect(s.caught).toBe(1);
    expect(s.delays).toEqual([90 * 60_000]);
    expect(s.falseAlerts).toBe(0);
  });

  it('counts false urgent/high serious alerts only after 14 days, outside masks and outside 8 h after an onset', () => {
    const s = scoreRealHomes(scored, [
      a('not-up', '2000-01-10T09:00:00.000Z'), // learning: not scored
      a('not-up', '2000-01-16T09:00:00.000Z'), // false
      a('long-lie', '2000-01-17T09:00:00.000Z', 'urgent'), // false
      a('inactivity', '2000-01-20T19:00:00.000Z'), // within 8 h of the onset: not false
      a('inactivity', '2000-01-25T10:00:00.000Z'), // masked
      a('routine-change', '2000-01-27T10:00:00.000Z', 'routine'), // not serious
      a('inactivity', '2000-01-21T01:00:00.000Z'), // 13 h after: false
    ]);
    expect(s.falseAlerts).toBe(3);
    expect(s.falseByType).toEqual({ 'not-up': 1, 'long-lie': 1, inactivity: 1 });
    // Home-days after learning: the recorded days (span less masked) less 14.
    expect(s.scoredDays).toBe(15);
    expect(s.falsePerHomeMonth).toBeCloseTo((3 / 15) * 30);
    expect(s.caught).toBe(1);
  });

  it('a collapse with no expected alert within 8 h is missed', () => {
    const s = scoreRealHomes(scored, [a('inactivity', '2000-01-20T21:00:00.000Z'), a('not-up', '2000-01-20T13:00:00.000Z')]);
    expect(s.caught).toBe(0);
    expect(s.homes[0]!.missed).toEqual(['2000-01-20T12:00:00.000Z']);
  });
});

describe('recorded homes: the neutral format as home descriptions', () => {
  it('maps roles to Hearth roles and evidence (presence or touch), bathroom sensors to the bathroom role', () => {
    const d = describeRealHome(home());
    const by = Object.fromEntries(d.sensors.map((s) => [s.sensor, s]));
    expect(by.hall).toMatchObject({ type: 'motion', room: 'hall', evidence: 'presence' });
    expect(by.fridge).toMatchObject({ room: 'kitchen', role: 'kitchen', evidence: 'touch' });
    expect(by.flush).toMatchObject({ role: 'bathroom', evidence: 'touch' });
    expect(by.front).toMatchObject({ role: 'exterior-door' });
    expect(by['bath-door']).toMatchObject({ role: 'interior-door' });
    expect(by.bed!.evidence).toBeUndefined();
    expect(d.residents).toHaveLength(1);
    expect(d.timezone).toBe('UTC');
  });

  it('reads a dataset folder, refuses bad lines without stopping, and replays it through the live core', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-real-'));
    const h = home();
    fs.writeFileSync(path.join(dir, 'homes.json'), JSON.stringify({ homes: [h] }));
    const lines: string[] = [];
    let n = 0;
    // Twenty ordinary days: up at 07:00, about every 30 min until 22:00 (a touch in the kitchen now and then).
    for (let d = 1; d <= 20; d++) {
      const date = `2000-01-${String(d).padStart(2, '0')}`;
      for (let m = 7 * 60; m <= 22 * 60; m += 30) {
        if (d === 20 && m > 12 * 60) break; // the collapse: nothing after 12:00 on day 20
        const ts = `${date}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00.000Z`;
        lines.push(JSON.stringify({ hub: 'home-a', id: `e${++n}`, ts, sensor: m % 90 ? 'hall' : 'fridge', type: 'motion', value: true }));
      }
    }
    lines.push('not json');
    fs.writeFileSync(path.join(dir, 'home-a.jsonl.gz'), zlib.gzipSync(lines.join('\n')));
    expect(readRealHomes(dir)).toHaveLength(1);
    const { events, refused } = readRealEvents(dir, h);
    expect(refused).toBe(1);
    expect(events.length).toBe(lines.length - 1);
    const s = evalDataset(loadDataset(dir));
    expect(s.collapses).toBe(1);
    expect(s.caught).toBe(1);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the report section is spliced between its markers, and kept by the simulated eval', () => {
    const doc = '# Detection\n\nsimulated part\n';
    const once = spliceSection(doc, 'real part 1');
    expect(sectionOf(once)).toBe('real part 1');
    const twice = spliceSection(once, 'real part 2');
    expect(twice.match(/real-homes:start/g)).toHaveLength(1);
    expect(sectionOf(twice)).toBe('real part 2');
    expect(twice).toContain('simulated part');
  });
});
