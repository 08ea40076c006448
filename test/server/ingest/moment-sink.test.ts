import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDb } from '../../../server/src/db/database.ts';
import { InlineSink, ThreadSink, type MomentSink } from '../../../server/src/ingest/moment-sink.ts';
import { EVENT_FIELDS, type PackedMoment } from '../../../server/src/ingest/moment-store.ts';
import { tempDir } from '../../helpers/hearth.ts';

const T0 = Date.parse('2026-12-02T09:00:00Z');

/** Open a fresh store with the one hub the moments name. */
async function openStore(dir: string): Promise<OpenedDb> {
  const opened = await openDatabase(path.join(dir, 'hearth.sqlite'));
  opened.raw.prepare("INSERT INTO organisations (id, name, created_at) VALUES ('org-sink', 'Sink', 0)").run();
  opened.raw.prepare("INSERT INTO hubs (id, org_id, name, secret_hash, created_at) VALUES ('hub-sink', 'org-sink', 'Sink hub', 'x', 0)").run();
  return opened;
}

/** A moment of `ids` (one event each, of sensor `sensor`), and a checkpoint when given. */
function moment(ids: string[], opts: { sensor?: string | null; checkpoint?: number } = {}): PackedMoment {
  const events: PackedMoment['events'] = [];
  ids.forEach((id, i) => events.push('hub-sink', id, T0 + i, T0 + i, opts.sensor === undefined ? 'kitchen-pir' : opts.sensor, 'motion', 'true', null, 0, null));
  return { events, rejections: [], statuses: [], heartbeats: [], checkpoints: opts.checkpoint === undefined ? [] : [['sink-test', opts.checkpoint, T0]] };
}

// Both sinks keep one contract: the thread is the server's, the inline one is for an in-memory database.
describe.each([
  ['writer thread', (o: OpenedDb) => new ThreadSink(o.file, pino({ level: 'silent' }))],
  ['main connection', (o: OpenedDb) => new InlineSink(o.db, o.raw)],
] as const)('moments stored on the %s', (_name, make) => {
  const tmp = tempDir();
  let opened: OpenedDb;
  let sink: MomentSink;
  beforeAll(async () => {
    opened = await openStore(tmp.dir);
    sink = make(opened);
  });
  afterAll(async () => {
    await sink.close();
    await opened.db.destroy();
    tmp.remove();
  });

  const stored = () => opened.raw.prepare('SELECT event_id AS id, seq FROM events ORDER BY seq').all() as { id: string; seq: number }[];

  it('stores each moment once, in order, numbering its events; a repeat is reported and not stored again', async () => {
    const [a, b] = await Promise.all([sink.write(moment(['e1', 'e2'])), sink.write(moment(['e2', 'e3'], { checkpoint: 7 }))]);
    expect(a.firstSeq).toBe(1);
    expect([...a.inserted]).toEqual([1, 1]);
    expect(b.firstSeq).toBe(3);
    expect([...b.inserted]).toEqual([0, 1]);
    // Read on the main connection: the other connection's commit is there before the promise resolved.
    expect(stored()).toEqual([
      { id: 'e1', seq: 1 },
      { id: 'e2', seq: 2 },
      { id: 'e3', seq: 4 },
    ]);
    expect(opened.raw.prepare("SELECT value FROM checkpoints WHERE name = 'sink-test'").get()).toEqual({ value: 7 });
    // A checkpoint only ever moves forward.
    await sink.write(moment([], { checkpoint: 5 }));
    expect(opened.raw.prepare("SELECT value FROM checkpoints WHERE name = 'sink-test'").get()).toEqual({ value: 7 });
    expect(opened.raw.prepare("SELECT sensor_id, last_seen_at FROM sensors WHERE hub_id = 'hub-sink'").all()).toEqual([{ sensor_id: 'kitchen-pir', last_seen_at: T0 + 1 }]);
  });

  it('refuses a moment that fails as a whole (nothing of it stored), and goes on with the next', async () => {
    const bad = moment(['e4', 'e5']);
    bad.events[EVENT_FIELDS + 4] = null; // the second event has no sensor: NOT NULL
    await expect(sink.write(bad)).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    const next = await sink.write(moment(['e6']));
    expect([...next.inserted]).toEqual([1]);
    expect(stored().map((r) => r.id)).toEqual(['e1', 'e2', 'e3', 'e6']);
    // The failed moment's numbers are read again from the store, not skipped twice.
    expect(next.firstSeq).toBe(5);
  });

  it('is closed and, written to again, starts over where the store is', async () => {
    await sink.close();
    const again = await sink.write(moment(['e7']));
    expect(again.firstSeq).toBe(6);
    expect(stored().at(-1)).toEqual({ id: 'e7', seq: 6 });
  });
});

describe('the writer thread stopping with moments unanswered', () => {
  const tmp = tempDir();
  let opened: OpenedDb;
  beforeAll(async () => {
    opened = await openStore(tmp.dir);
  });
  afterAll(async () => {
    await opened.db.destroy();
    tmp.remove();
  });

  it('refuses them (so nothing is acknowledged), and the next write starts a new thread', async () => {
    const sink = new ThreadSink(opened.file, pino({ level: 'silent' }));
    await sink.write(moment(['s1']));
    // The thread is killed while a large moment is still being written or not yet taken.
    const big = Array.from({ length: 20_000 }, (_, i) => `big-${i}`);
    const pending = sink.write(moment(big));
    await (sink as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(pending).rejects.toThrow(/writer thread stopped/);
    const after = await sink.write(moment(['s2']));
    expect([...after.inserted]).toEqual([1]);
    const ids = (opened.raw.prepare('SELECT event_id AS id FROM events').all() as { id: string }[]).map((r) => r.id);
    // All or none of the killed moment: a transaction never half-lands.
    expect([0, 20_000]).toContain(ids.filter((id) => id.startsWith('big-')).length);
    expect(ids).toContain('s2');
    await sink.close();
  });
});
