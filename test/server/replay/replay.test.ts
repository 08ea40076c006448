import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HomeDescriptionSchema } from '../../../protocol/index.ts';
import { homesFromDescriptions, parseTime, replay, toReplayEvent, type ReplayEvent } from '../../../server/src/replay/replay.ts';
import { STANDARD_LAYOUT } from '../../../simulators/src/layout.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

const home = HomeDescriptionSchema.parse({
  hub: 'hub-0001',
  timezone: 'Europe/London',
  residents: [{ id: 'r1', name: 'Ada', plan: { nightStart: '23:00' } }],
  sensors: STANDARD_LAYOUT,
});

/** A line of the replay format. */
function line(ts: string, sensor: string, type: string, value: unknown, receivedAt?: string, id?: string): Record<string, unknown> {
  return { hub: 'hub-0001', id: id ?? `${sensor}-${ts}`, ts, sensor, type, value, ...(receivedAt ? { receivedAt } : {}) };
}

/** A day about the house every 20 min from 07:30 to 22:30 (UTC = London in January). */
function ordinaryDay(date: string, until = '22:30', receivedAt?: (ts: string) => string | undefined): Record<string, unknown>[] {
  const out = [line(`${date}T07:30:00.000Z`, 'bed-pad', 'bed', 'out')];
  const rooms = ['kitchen-pir', 'lounge-pir', 'hall-pir'];
  const end = Date.parse(`${date}T${until}:00Z`);
  let i = 0;
  for (let t = Date.parse(`${date}T07:40:00Z`); t < end; t += 20 * 60_000) {
    const ts = new Date(t).toISOString();
    out.push(line(ts, rooms[i++ % 3]!, 'motion', true, receivedAt?.(ts)));
  }
  return out;
}

describe('replay (library)', () => {
  it('runs the live detectors in virtual time: a fall and its long lie, with raisedAt in virtual time', () => {
    const lines = [line('2026-01-12T09:00:00.000Z', 'kitchen-pir', 'motion', true), line('2026-01-12T09:10:00.000Z', 'pendant-fall', 'fall', true), line('2026-01-12T10:00:00.000Z', 'lounge-temp', 'temperature', 19)];
    const { alerts } = replay({ homes: homesFromDescriptions([home]), events: lines.map(toReplayEvent) });
    expect(alerts.map((a) => a.type)).toEqual(['fall', 'long-lie']);
    expect(alerts[0]).toMatchObject({ severity: 'urgent', hub: 'hub-0001', resident: 'r1', raisedAt: '2026-01-12T09:10:00.000Z', late: false });
    const lie = Date.parse(alerts[1]!.raisedAt) - Date.parse('2026-01-12T09:10:00Z');
    expect(lie).toBeGreaterThanOrEqual(20 * 60_000);
    expect(lie).toBeLessThanOrEqual(20 * 60_000 + 15_000);
  });

  it('a hub back after six hours with its buffer: hub-offline, then no stale alert for the outage', () => {
    const down = Date.parse('2026-01-13T09:00:00Z');
    const back = '2026-01-13T15:00:00.000Z';
    const lines = [
      ...ordinaryDay('2026-01-12'),
      ...ordinaryDay('2026-01-13', '22:30', (ts) => (Date.parse(ts) > down && Date.parse(ts) < Date.parse(back) ? back : undefined)),
    ];
    const events: ReplayEvent[] = lines.map(toReplayEvent);
    const { alerts } = replay({ homes: homesFromDescriptions([home]), events });
    // (Sensors this test never exercises fall silent after their threshold: left out.)
    expect(alerts.map((a) => a.type).filter((t) => t !== 'sensor-silent')).toEqual(['hub-offline']);
    // Offline from the first buffered event plus three missed heartbeats.
    const off = alerts.find((a) => a.type === 'hub-offline')!;
    expect(Date.parse(off.raisedAt)).toBeGreaterThan(down);
    expect(Date.parse(off.raisedAt)).toBeLessThan(down + 30 * 60_000);

    // Without the buffer's arrival times (the events taken as on time) the same day raises nothing either,
    // and with outage inference off, the blind six hours read as inactivity: the inference is what prevents it.
    const blind = replay({ homes: homesFromDescriptions([home]), events: lines.map(toReplayEvent), options: { inferOutages: false } });
    expect(blind.alerts.map((a) => a.type)).toContain('inactivity');
  });

  it('one open alert per (resident, type): repeats fold until the operator is taken to have resolved it', () => {
    const lines = [
      line('2026-01-12T09:00:00.000Z', 'pendant-fall', 'fall', true, undefined, 'f1'),
      line('2026-01-12T09:05:00.000Z', 'pendant-fall', 'fall', true, undefined, 'f2'),
      line('2026-01-12T09:50:00.000Z', 'pendant-fall', 'fall', true, undefined, 'f3'),
      line('2026-01-12T09:50:30.000Z', 'kitchen-pir', 'motion', true),
    ];
    const r = replay({ homes: homesFromDescriptions([home]), events: lines.map(toReplayEvent), options: { resolveAfterMinutes: 30 } });
    expect(r.alerts.filter((a) => a.type === 'fall').map((a) => a.raisedAt)).toEqual(['2026-01-12T09:00:00.000Z', '2026-01-12T09:50:00.000Z']);
    expect(r.stats.repeats).toBeGreaterThanOrEqual(1);
  });

  it('reads RFC 3339 times exactly as Date.parse does, and refuses what is not one', () => {
    for (const t of ['2026-03-29T00:59:59.999Z', '2026-03-29T01:00:00Z', '2024-02-29T12:00:00.000Z', '2026-10-25T01:30:00+01:00', '2026-10-25T01:30:00.5-05:30', '1999-12-31T23:59:59.000Z', '2026-11-26T08:15:02.123Z']) {
      expect(parseTime(t)).toBe(Date.parse(t));
    }
    for (const t of ['2026-02-31T00:00:00.000Z', '2025-02-29T10:00:00.000Z', '2026-11-00T08:15:02.123Z', '2026-11-26T08:15:02.12aZ', '2026-13-01T00:00:00Z', '2026-01-01 00:00:00Z', '2026', 'Jan 1 2026', '20/6-01-01T00:00:00Z']) {
      expect(parseTime(t)).toBeNaN();
    }
  });

  it('refuses a bad line with a clear reason', () => {
    expect(() => toReplayEvent({ hub: 'hub-0001', id: 'x', ts: 'yesterday', sensor: 's', type: 'motion', value: true })).toThrow(/"ts" is not a time/);
    expect(() => toReplayEvent({ hub: 'hub-0001', id: 'x', ts: '2026-01-01T00:00:00Z', sensor: 's', type: 'door', value: 'ajar' })).toThrow(/not valid for type "door"/);
    expect(() => toReplayEvent({ hub: 'hub-0001', id: 'x', ts: '2026-01-01T00:00:00Z', sensor: 's', type: 'laser', value: 1 })).toThrow(/unknown event type/);
    expect(toReplayEvent({ hub: 'hub-0001', id: 'x', ts: '2026-01-01T00:00:00+01:00', sensor: 's', type: 'temperature', value: 12.5 }).ts).toBe(Date.parse('2025-12-31T23:00:00Z'));
  });
});

describe('npm run replay (CLI)', () => {
  it('reads homes.json and events.jsonl, writes one JSON line per alert, and reports refused lines without losing the rest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-replay-'));
    try {
      fs.writeFileSync(path.join(dir, 'homes.json'), JSON.stringify([home]));
      const lines = [
        JSON.stringify(line('2026-01-12T03:00:00.000Z', 'front-door', 'door', 'open')),
        '{not json',
        JSON.stringify(line('2026-01-12T03:00:20.000Z', 'front-door', 'door', 'ajar')),
        JSON.stringify(line('2026-01-12T03:20:00.000Z', 'lounge-temp', 'temperature', 18)),
      ];
      fs.writeFileSync(path.join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
      const out = path.join(dir, 'alerts.jsonl');
      const { stderr } = await run(process.execPath, ['--import', 'tsx', 'server/src/replay/main.ts', '--homes', path.join(dir, 'homes.json'), '--events', path.join(dir, 'events.jsonl'), '--out', out], { cwd: ROOT });
      expect(stderr).toMatch(/events\.jsonl:2: refused: not JSON/);
      expect(stderr).toMatch(/events\.jsonl:3: refused: value "ajar" is not valid for type "door"/);
      const alerts = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ type: 'night-exit', severity: 'urgent', hub: 'hub-0001', resident: 'r1', occurredAt: '2026-01-12T03:00:00.000Z', late: false });
      expect(Date.parse(alerts[0]!.raisedAt as string)).toBeGreaterThanOrEqual(Date.parse('2026-01-12T03:15:00Z'));
      expect((alerts[0]!.cause as { summary: string }).summary).toMatch(/opened at 03:00/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streams a six-hour outage drained late: hub-offline from the first pass, no inactivity for the blind hours', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-replay-'));
    try {
      const down = Date.parse('2026-01-13T09:00:00Z');
      const back = '2026-01-13T15:00:00.000Z';
      const lines = [...ordinaryDay('2026-01-12'), ...ordinaryDay('2026-01-13', '22:30', (ts) => (Date.parse(ts) > down && Date.parse(ts) < Date.parse(back) ? back : undefined))];
      // In arrival order, as the simulator writes them.
      lines.sort((a, b) => Date.parse((a.receivedAt ?? a.ts) as string) - Date.parse((b.receivedAt ?? b.ts) as string));
      fs.writeFileSync(path.join(dir, 'homes.json'), JSON.stringify([home]));
      fs.writeFileSync(path.join(dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/src/replay/main.ts', '--homes', path.join(dir, 'homes.json'), '--events', path.join(dir, 'events.jsonl')], { cwd: ROOT });
      const types = stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
      expect(types).toContain('hub-offline');
      expect(types.filter((t) => ['inactivity', 'not-up', 'long-lie', 'night-exit', 'not-home'].includes(t))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails clearly on a homes file that is not home descriptions', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-replay-'));
    try {
      fs.writeFileSync(path.join(dir, 'homes.json'), JSON.stringify([{ hub: 'X' }]));
      fs.writeFileSync(path.join(dir, 'events.jsonl'), '');
      const err = await run(process.execPath, ['--import', 'tsx', 'server/src/replay/main.ts', '--homes', path.join(dir, 'homes.json'), '--events', path.join(dir, 'events.jsonl')], { cwd: ROOT }).catch((e: { stderr: string; code: number }) => e);
      expect((err as { code: number }).code).toBe(1);
      expect((err as { stderr: string }).stderr).toMatch(/not an array of home descriptions: 0\.hub/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
