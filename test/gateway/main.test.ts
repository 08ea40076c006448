import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../gateway/src/outbox.ts';
import { SystemClock } from '../../server/src/clock.ts';
import { tempDir } from '../helpers/hearth.ts';
import { until } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('npm run gateway (gateway/src/main.ts)', () => {
  const d = tempDir('hearth-gwmain-');
  afterAll(() => d.remove());
  const write = (name: string, body: unknown): string => {
    const f = path.join(d.dir, name);
    fs.writeFileSync(f, JSON.stringify(body));
    return f;
  };

  it('npm run gateway refuses a bad config with exit code 2 and never prints the secret', () => {
    const f = write('cli.json', { hubId: 'hub-0042', secret: 'do-not-print-me', server: { url: 'mqtt://127.0.0.1:1' }, heartbeatSeconds: 1 });
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts', '--config', f], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/heartbeatSeconds/);
    expect(r.stderr + r.stdout).not.toContain('do-not-print-me');
  });

  it('--walk-test shows each sensor event as it happens, and keeps it for the server', async () => {
    const f = write('walk.json', {
      hubId: 'hub-0042',
      secret: 'walk-secret',
      server: { url: 'mqtt://127.0.0.1:1' }, // unreachable: the walk test works before broadband does
      dataDir: 'walk-data',
      adapters: [{ kind: 'simulator', stepSeconds: 0, script: [{ afterSeconds: 0, sensor: 'front-door', type: 'door', value: 'open' }, { afterSeconds: 0, sensor: 'pendant', type: 'call', value: 'pressed' }] }],
    });
    const proc = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts', '--config', f, '--walk-test', '--log-level', 'silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
    try {
      await until(() => /pendant\s+call\s+"pressed"/.test(out), { realMs: 15_000, what: `walk-test output (${out})` });
      expect(out).toMatch(/walk test: hub hub-0042/);
      expect(out).toMatch(/front-door\s+door\s+"open"/);
      // With the server unreachable the gateway keeps running (retrying), it does not just exit.
      await new Promise((r) => setTimeout(r, 1500));
      expect({ code: proc.exitCode, signal: proc.signalCode }).toEqual({ code: null, signal: null });
    } finally {
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
    }
    expect({ code: proc.exitCode, signal: proc.signalCode, err }).toEqual({ code: 0, signal: null, err: '' });
    // Still queued for the server, after a graceful stop.
    const ob = new Outbox({ file: path.join(d.dir, 'walk-data', 'outbox.sqlite'), clock: new SystemClock(), maxEvents: 100 });
    expect(ob.next(0, 10).map((r) => r.event.sensor)).toEqual(['front-door', 'pendant']);
    ob.close();
  });
});
