// The write gate: the main connection and the ingest writer thread take turns at SQLite's one write
// lock inside the process, so the main connection never waits in SQLite's busy handler, which sleeps
// on the event loop.
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDb } from '../../../server/src/db/database.ts';
import { WriteGate } from '../../../server/src/db/write-gate.ts';
import { ThreadSink } from '../../../server/src/ingest/moment-sink.ts';
import type { PackedMoment } from '../../../server/src/ingest/moment-store.ts';
import { tempDir } from '../../helpers/hearth.ts';

const T0 = Date.parse('2026-12-03T09:00:00Z');

describe('write gate turns', () => {
  it('lets thread writes through together, and the main connection only when none is under way', async () => {
    const gate = new WriteGate();
    const log: string[] = [];
    gate.enterThread(() => log.push('t1'));
    gate.enterThread(() => log.push('t2'));
    let mainIn = false;
    const main = gate.acquireMain(5_000).then(() => {
      mainIn = true;
      log.push('main');
    });
    // A thread write asked for after the main turn waits behind it: neither side starves the other.
    gate.enterThread(() => log.push('t3'));
    await null;
    expect(log).toEqual(['t1', 't2']);
    gate.leaveThread();
    await null;
    expect(mainIn).toBe(false);
    gate.leaveThread();
    await main;
    expect(log).toEqual(['t1', 't2', 'main']);
    gate.releaseMain();
    expect(log).toEqual(['t1', 't2', 'main', 't3']);
    gate.leaveThread();
    expect(gate.busy).toBe(false);
  });

  it('fails a main write that waits too long as SQLite would, and lets the thread writes behind it go', async () => {
    const gate = new WriteGate();
    gate.enterThread(() => {});
    const main = gate.acquireMain(20);
    const log: string[] = [];
    gate.enterThread(() => log.push('behind'));
    await expect(main).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(log).toEqual(['behind']);
  });
});

describe('the main connection and the writer thread on one file', () => {
  const tmp = tempDir();
  let opened: OpenedDb | undefined;
  let sink: ThreadSink | undefined;
  afterEach(async () => {
    await sink?.close();
    await opened?.db.destroy();
    tmp.remove();
  });

  it('a transaction asked for while the thread writes begins after that commit, and the event loop turns meanwhile', async () => {
    opened = await openDatabase(path.join(tmp.dir, 'hearth.sqlite'));
    const o = opened;
    o.raw.prepare("INSERT INTO organisations (id, name, created_at) VALUES ('org-gate', 'Gate', 0)").run();
    o.raw.prepare("INSERT INTO hubs (id, org_id, name, secret_hash, created_at) VALUES ('hub-gate', 'org-gate', 'Gate hub', 'x', 0)").run();
    sink = new ThreadSink(o.file, pino({ level: 'silent' }), o.gate);
    // Start the thread, so the big moment below is not also waiting for it to boot.
    await sink.write({ events: [], rejections: [], statuses: [], heartbeats: [], checkpoints: [['gate-test', 1, T0]] });

    const n = 20_000;
    const events: PackedMoment['events'] = [];
    for (let i = 0; i < n; i++) events.push('hub-gate', `e${i}`, T0 + i, T0 + i, 'kitchen-pir', 'motion', 'true', null, 0, null);
    const big = sink.write({ events, rejections: [], statuses: [], heartbeats: [], checkpoints: [] });

    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      if (!ticking) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    let turnsAtBegin = -1;
    const seen = await o.db.transaction().execute(async (trx) => {
      turnsAtBegin = turns;
      const row = await trx.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await trx.updateTable('hubs').set({ name: 'Gate hub, renamed' }).where('id', '=', 'hub-gate').execute();
      return Number(row.n);
    });
    ticking = false;
    const written = await big;
    expect([...written.inserted].every((x) => x === 1)).toBe(true);
    // It took its turn after the thread's commit: it saw every event of it.
    expect(seen).toBe(n);
    // While it waited, the event loop went on (SQLite's busy handler would have slept on it instead).
    expect(turnsAtBegin).toBeGreaterThan(0);
    // A write on its own (no transaction) takes its turn the same way.
    const after = sink.write({ events: ['hub-gate', 'late-1', T0, T0, 'kitchen-pir', 'motion', 'true', null, 0, null], rejections: [], statuses: [], heartbeats: [], checkpoints: [] });
    await o.db.updateTable('hubs').set({ name: 'Gate hub' }).where('id', '=', 'hub-gate').execute();
    expect((await after).inserted[0]).toBe(1);
    expect(o.gate.busy).toBe(false);
  });
});
