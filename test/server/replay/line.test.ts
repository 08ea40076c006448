import { describe, expect, it } from 'vitest';
import { SENSOR_KINDS } from '../../../protocol/index.ts';
import { mayBeLate, parseReplayLine, parseTime, toReplayEvent } from '../../../server/src/replay/line.ts';
import { generateCohort, replayLines } from '../../../simulators/src/generate.ts';

/** What a parse gave: the event, or the error's class and message. */
function outcome(f: () => unknown): unknown {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: (err as Error).constructor.name, message: (err as Error).message };
  }
}

/** The hand-read path and the authority (JSON.parse + toReplayEvent) agree on a line, exactly. */
function expectSame(line: string): void {
  expect(outcome(() => parseReplayLine(line)), line).toStrictEqual(outcome(() => toReplayEvent(JSON.parse(line))));
  expect(mayBeLate(line), line).toBe(line.includes('"receivedAt"'));
}

// A small seeded generator (mulberry32), so the hostile lines are the same on every run.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cohort = generateCohort({ homes: 4, days: 7, seed: 1, incidentRate: 0.3 });
const simulated = replayLines(cohort.homes).map((l) => JSON.stringify(l));
const base = '{"hub":"hub-0001","id":"e1","ts":"2026-03-03T07:02:11.000Z","sensor":"bed-pad","type":"bed","value":"out"}';
const withAll = '{"hub":"hub-0001","id":"e2","ts":"2026-03-03T09:40:00.000Z","sensor":"kitchen-pir","type":"motion","value":true,"battery":55,"receivedAt":"2026-03-03T15:40:02.000Z"}';

describe('replay lines: the hand-read path against JSON.parse + toReplayEvent', () => {
  it('reads every simulated line as the authority does (late ones included)', () => {
    expect(simulated.some((l) => l.includes('"receivedAt"'))).toBe(true);
    for (const l of simulated) expectSame(l);
    expect(parseReplayLine(withAll)).toMatchObject({ battery: 55, receivedAt: Date.parse('2026-03-03T15:40:02.000Z'), late: false });
  });

  it('agrees on hostile lines: escapes, white space, repeated or missing keys, other orders, odd numbers and times', () => {
    const hostile = [
      '',
      ' ',
      'null',
      '[]',
      '{}',
      '"x"',
      '{"hub":"hub-0001"}',
      base.replace('"out"', '"o\\u0075t"'),
      base.replace('"bed-pad"', '"bed\\"pad"'),
      base.replace('"bed-pad"', '"bed\\\\"'),
      base.replace('"e1"', '"e\\n1"'),
      base.replace('"e1"', '"e\t1"'),
      base.replace('"e1"', '"e\u00001"'),
      base.replace('"e1"', '""'),
      base.replace('"e1"', `"${'x'.repeat(64)}"`),
      base.replace('"e1"', `"${'x'.repeat(65)}"`),
      base.replace('"e1"', '"é\ud800"'),
      base.replace('"e1"', '1'),
      base.replace('"hub-0001"', '"HUB-1"'),
      base.replace('"hub-0001"', '"h\\u0075b-0001"'),
      base.replace('"hub-0001"', '"hub-0001\\""'),
      base.replace('"bed"', '"be\\u0064"'),
      base.replace('"bed"', '"laser"'),
      base.replace('"bed"', '"toString"'),
      base.replace('"bed"', '"__proto__"'),
      base.replace('{', ' {'),
      `${base} `,
      `${base}\r`,
      `${base}x`,
      `${base}}`,
      base.replace(',', ' , '),
      base.replace(':', ' : '),
      base.replace('}', ',"value":"in"}'),
      base.replace('}', ',"hub":"hub-0002"}'),
      base.replace('}', ',"extra":{"a":[1,2]}}'),
      base.replace('}', ',"__proto__":{"receivedAt":"x"}}'),
      base.replace('}', ',"battery":null}'),
      base.replace('}', ',"battery":"50"}'),
      base.replace('}', ',"battery":100.0}'),
      base.replace('}', ',"battery":100.5}'),
      base.replace('}', ',"battery":-0}'),
      base.replace('}', ',"battery":1e1}'),
      base.replace('}', ',"receivedAt":null}'),
      base.replace('}', ',"receivedAt":"2026-03-03T07:02:11Z"}'),
      base.replace('}', ',"receivedAt":"2026-03-03T07:02:11.000Z","battery":5}'),
      base.replace('}', ',"receivedAt":"2026-03-03T07:02:11.000Z","receivedAt":"2026-03-04T07:02:11.000Z"}'),
      '{"id":"e1","hub":"hub-0001","ts":"2026-03-03T07:02:11.000Z","sensor":"bed-pad","type":"bed","value":"out"}',
      '{"hub":"hub-0001","id":"e1","ts":"2026-03-03T07:02:11.000Z","sensor":"bed-pad","value":"out","type":"bed"}',
      base.replace('.000Z', 'Z'),
      base.replace('.000Z', '.000+01:00'),
      base.replace('.000Z', '.000z'),
      base.replace('T07', 't07'),
      base.replace('T07', ' 07'),
      base.replace('2026-03-03', '2026-02-29'),
      base.replace('2026-03-03', '2024-02-29'),
      base.replace('2026-03-03', '2026-04-31'),
      base.replace('2026-03-03', '0050-03-03'),
      base.replace('2026-03-03', '0000-03-03'),
      base.replace('2026-03-03', '2026-00-03'),
      base.replace('07:02:11', '24:00:00'),
      base.replace('07:02:11', '07:60:11'),
      base.replace('07:02:11.000', '07:02:60.000'),
      base.replace('.000Z', '.0a0Z'),
      base.replace('"2026-03-03T07:02:11.000Z"', '"2026-03-03T07:02:11.000Z","ts":"2026-03-03T07:02:12.000Z"'),
      base.replace('"2026-03-03T07:02:11.000Z"', '1772521331000'),
    ];
    const temp = base.replace('"bed-pad"', '"lounge-temp"').replace('"bed"', '"temperature"');
    for (const v of ['20', '20.1', '-0', '-0.0', '0', '00', '01', '-', '1.', '.5', '+1', '1e1', '1E-1', '2e0', '-50', '-50.000000000000001', '80', '80.00000000000001', '123456789012345', '1234567890123456', '0.1000000000000000055511151231257827', '19.999999999999999', 'NaN', 'Infinity', 'true', 'null', '"20"', '[20]']) {
      hostile.push(temp.replace('"out"', v));
    }
    for (const l of hostile) expectSame(l);
  });

  it('agrees on thousands of mutated lines (seeded)', () => {
    const next = rng(14);
    const pieces = ['"', '\\', ',', ':', '}', '{', ' ', '\t', '0', '9', '.', '-', 'e', 'Z', 'T', 'n', 't', 'f', '\u0000', 'é', '\ud800', '"x"', '"receivedAt"', ',"battery":5'];
    const seeds = [base, withAll, ...simulated.slice(0, 40), ...simulated.filter((l) => l.includes('"receivedAt"')).slice(0, 10)];
    for (let k = 0; k < 20_000; k++) {
      let l = seeds[Math.floor(next() * seeds.length)]!;
      for (let m = 1 + Math.floor(next() * 2); m > 0; m--) {
        const at = Math.floor(next() * (l.length + 1));
        const piece = pieces[Math.floor(next() * pieces.length)]!;
        const how = next();
        if (how < 0.4) l = l.slice(0, at) + piece + l.slice(at + 1);
        else if (how < 0.7) l = l.slice(0, at) + piece + l.slice(at);
        else l = l.slice(0, at) + l.slice(at + 1 + Math.floor(next() * 3));
      }
      expectSame(l);
    }
  });

  it('accepts a value exactly when its kind\'s zod schema does (the hand-written checks are only a fast path)', () => {
    const values: unknown[] = [true, false, null, 0, -0, 1, 0.5, 1.0001, -1, -50, -50.5, 80, 80.5, 100, 100.5, 101, 'open', 'closed', 'in', 'out', 'pressed', 'cancelled', 'mains', 'battery', 'OPEN', '', '1', [], {}];
    for (const type of Object.keys(SENSOR_KINDS) as (keyof typeof SENSOR_KINDS)[]) {
      for (const value of values) {
        const line = JSON.stringify({ hub: 'hub-0001', id: 'v', ts: '2026-03-03T07:02:11.000Z', sensor: 's1', type, value });
        const got = outcome(() => parseReplayLine(line)) as { ok?: { value: unknown }; message?: string };
        const schema = SENSOR_KINDS[type].value.safeParse(value).success;
        expect(got.ok !== undefined, `${type} ${JSON.stringify(value)}`).toBe(schema);
        if (got.ok) expect(Object.is(got.ok.value, JSON.parse(JSON.stringify(value)))).toBe(true);
        else expect(got.message).toMatch(`is not valid for type "${type}"`);
        expectSame(line);
      }
    }
  });

  it('reads toISOString times as Date.parse does, years before 100 included', () => {
    const next = rng(3);
    for (let k = 0; k < 2000; k++) {
      // Years 0 to 9999; every other one before 100.
      const from = Date.UTC(0, 0, 1) - 1900 * 365.2425 * 86_400_000;
      const to = k % 2 ? Date.UTC(9999, 11, 31) : from + 100 * 365 * 86_400_000;
      const s = new Date(Math.floor(from + next() * (to - from))).toISOString();
      expect(parseTime(s), s).toBe(Date.parse(s));
    }
    for (const s of ['0050-06-01T12:00:00.000Z', '0000-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z', '0100-01-01T00:00:00.000Z']) expect(parseTime(s), s).toBe(Date.parse(s));
  });
});
