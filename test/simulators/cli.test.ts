import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HomeDescriptionSchema, ReplayLineSchema } from '../../protocol/index.ts';
import { tempDir } from '../helpers/hearth.ts';

const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');
const cli = path.resolve('simulators/src/cli.ts');

describe('npm run simulate', () => {
  const tmp = tempDir('hearth-sim-');
  afterAll(() => tmp.remove());

  it('writes homes.json, a time-ordered events.jsonl in the replay format, and labels.jsonl', async () => {
    const out = path.join(tmp.dir, 'cohort');
    const { stdout } = await run(tsx, [cli, '--homes', '3', '--days', '8', '--seed', '1', '--incident-rate', '0.4', '--out', out]);
    expect(stdout).toMatch(/wrote 3 homes, \d+ events, \d+ labels/);
    const homes = z.array(HomeDescriptionSchema).parse(JSON.parse(fs.readFileSync(path.join(out, 'homes.json'), 'utf8')));
    expect(homes.map((h) => h.hub)).toEqual(['hub-0001', 'hub-0002', 'hub-0003']);
    const lines = fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8').trimEnd().split('\n');
    let prev = '';
    const seen = new Set<string>();
    let late = 0;
    for (const text of lines) {
      const raw = JSON.parse(text) as { hub: string; id: string; ts: string; receivedAt?: string };
      expect(ReplayLineSchema.safeParse(raw).success).toBe(true);
      const key = `${raw.hub}/${raw.id}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      // In arrival order: a late event sits where it arrived, after the time it carries.
      const arrival = raw.receivedAt ?? raw.ts;
      if (raw.receivedAt) {
        late++;
        expect(raw.receivedAt > raw.ts).toBe(true);
      }
      expect(arrival >= prev).toBe(true);
      prev = arrival;
    }
    expect(lines.length).toBeGreaterThan(3 * 8 * 300);
    const labels = fs.readFileSync(path.join(out, 'labels.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { hub: string; incident: string; onset: string });
    expect(labels.length).toBeGreaterThan(3);
    for (const l of labels) expect(homes.map((h) => h.hub)).toContain(l.hub);
    if (labels.some((l) => l.incident === 'hub-outage')) expect(late).toBeGreaterThan(0);
    // Same seed, same files.
    const again = path.join(tmp.dir, 'again');
    await run(tsx, [cli, '--homes', '3', '--days', '8', '--seed', '1', '--incident-rate', '0.4', '--out', again]);
    expect(fs.readFileSync(path.join(again, 'events.jsonl'), 'utf8')).toBe(lines.join('\n') + '\n');
  });

  it('refuses bad arguments with a clear message and writes nothing', async () => {
    const out = path.join(tmp.dir, 'bad');
    const err = await run(tsx, [cli, '--homes', 'lots', '--out', out]).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).not.toBe(0);
    expect((err as { stderr: string }).stderr).toMatch(/homes must be a whole number/);
    const err2 = await run(tsx, [cli, '--start', '1 March', '--out', out]).catch((e: { code: number; stderr: string }) => e);
    expect((err2 as { stderr: string }).stderr).toMatch(/YYYY-MM-DD/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
