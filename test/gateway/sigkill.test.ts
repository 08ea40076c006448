import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { outboxFile } from '../../gateway/src/gateway.ts';
import { ALARM_TYPES, Outbox } from '../../gateway/src/outbox.ts';
import { SystemClock } from '../../server/src/clock.ts';
import type { StoredEvent } from '../../server/src/events.ts';
import { seedOrg, startHearth, tempDir } from '../helpers/hearth.ts';
import { alarmsFirst, sleep, until } from './helpers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOTAL = 1000;

function runGateway(configFile: string): { proc: ChildProcess; stderr: () => string } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts', '--config', configFile, '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { proc, stderr: () => err };
}

function exited(proc: ChildProcess): Promise<void> {
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', () => r()));
}

describe('gateway killed with SIGKILL mid-drain', () => {
  const gwDir = tempDir('hearth-sigkill-');
  let server: Awaited<ReturnType<typeof startHearth>> | undefined;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server?.close();
    gwDir.remove();
  });

  it('loses nothing, and the server absorbs the re-sent events by id', async () => {
    server = await startHearth();
    const fx = await seedOrg(server.hearth, 'Kill Trust', 'hub-kill');
    const arrived: StoredEvent[] = [];
    server.hearth.services.bus.on('events.stored', (evs: StoredEvent[]) => void arrived.push(...evs));
    let hubConnected = false;
    server.hearth.services.bus.on('hub.connection', (c) => void (hubConnected = c.connected));

    // A backlog, as a hub has after an outage: 1000 events written to the outbox.
    const file = outboxFile(gwDir.dir);
    const pre = new Outbox({ file, clock: new SystemClock(), maxEvents: 10_000 });
    const ids: string[] = [];
    const queued: { id: string; sensor: string; type: string }[] = [];
    const t0 = Date.now() - 3600_000;
    for (let i = 0; i < TOTAL; i++) {
      const r = pre.add({ sensor: i % 100 === 50 ? 'hall-fall' : 'kitchen-pir', type: i % 100 === 50 ? 'fall' : 'motion', value: i % 100 === 50 ? true : i % 2 === 0, ts: t0 + i * 1000 });
      if (r.ok) ids.push(r.event.id);
      if (r.ok) queued.push(r.event);
    }
    pre.close();
    expect(ids).toHaveLength(TOTAL);

    const configFile = path.join(gwDir.dir, 'gateway.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        hubId: fx.hub.hubId,
        secret: fx.hub.secret,
        server: { url: `mqtt://127.0.0.1:${server.hearth.ports.mqtt}` },
        dataDir: gwDir.dir,
        outbox: { drainEventsPerSecond: 250, batchSize: 25, inFlight: 3 },
      }),
    );
    const db = server.hearth.services.db;
    const storedCount = async (): Promise<number> =>
      Number((await db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('hub_id', '=', fx.hub.hubId).executeTakeFirstOrThrow()).n);

    // First run: killed without warning a quarter of the way through the drain.
    const first = runGateway(configFile);
    children.push(first.proc);
    await until(async () => (await storedCount()) >= 250, { realMs: 20_000, what: `first drain (${first.stderr()})` });
    first.proc.kill('SIGKILL');
    await exited(first.proc);
    // The server finishes what was already on the wire once it sees the connection gone.
    await until(() => !hubConnected, { what: 'server sees the hub gone' });
    await server.hearth.settle();
    const beforeRestart = await storedCount();
    expect(beforeRestart).toBeLessThan(TOTAL); // truly mid-drain

    // What the killed gateway still holds: events it will re-send, some perhaps already stored.
    const left = new Outbox({ file, clock: new SystemClock(), maxEvents: 10_000 });
    const pending = left.next(0, 10_000).map((r) => r.event.id);
    left.close();
    const storedIds = new Set((await db.selectFrom('events').select('event_id').where('hub_id', '=', fx.hub.hubId).execute()).map((r) => r.event_id));
    const resent = pending.filter((id) => storedIds.has(id)).length;
    expect(pending.length + beforeRestart - resent).toBe(TOTAL); // nothing lost on the gateway side

    // Second run: drains the rest.
    const second = runGateway(configFile);
    children.push(second.proc);
    await until(async () => (await storedCount()) === TOTAL, { realMs: 20_000, what: `second drain (${second.stderr()})` });
    await server.hearth.settle();
    await sleep(200); // any stray re-send would show up as a duplicate now
    second.proc.kill('SIGTERM');
    await exited(second.proc);

    // Every event exactly once, new events stored in their send order (falls first), re-sends absorbed by id.
    const rows = await db.selectFrom('events').select('event_id').where('hub_id', '=', fx.hub.hubId).execute();
    expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
    expect(arrived.map((e) => e.id)).toEqual(alarmsFirst(queued, ALARM_TYPES).map((e) => e.id));
    expect(server.hearth.services.ingest.stats(fx.hub.hubId)[fx.hub.hubId]!.duplicates).toBe(resent);
    const after = new Outbox({ file, clock: new SystemClock(), maxEvents: 10_000 });
    expect(after.size()).toBe(0);
    after.close();
  });
});
