import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../server/src/clock.ts';
import { openDatabase } from '../../../server/src/db/database.ts';
import type { StoredEvent } from '../../../server/src/events.ts';
import { StoreForwarder } from '../../../server/src/store/forwarder.ts';
import { MemoryStore } from '../../../server/src/store/memory-store.ts';
import { SqliteStore } from '../../../server/src/store/sqlite-store.ts';
import { tempDir } from '../../helpers/hearth.ts';
import { stored } from './contract.ts';

/** A store that answers each write only after a few turns of the event loop, and records how it was called. */
class SlowStore extends MemoryStore {
  inFlight = 0;
  maxInFlight = 0;
  maxBatch = 0;
  order: number[] = [];
  override async append(events: readonly StoredEvent[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.maxBatch = Math.max(this.maxBatch, events.length);
    this.order.push(...events.map((e) => e.ts));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    await super.append(events);
    this.inFlight--;
  }
}

describe('forwarding to a slow store', () => {
  it('keeps one bounded batch in flight while the backlog waits on disk, and delivers it all in order', async () => {
    const tmp = tempDir();
    const { db } = await openDatabase(`${tmp.dir}/hearth.sqlite`);
    await StoreForwarder.enable(db);
    const local = new SqliteStore(db);
    const target = new SlowStore();
    const fwd = new StoreForwarder(db, target, new VirtualClock(0), pino({ level: 'silent' }), { batchSize: 100 });
    fwd.start();
    const T0 = Date.parse('2026-06-01T00:00:00Z');
    for (let k = 0; k < 10; k++) {
      // Events keep arriving (and kicking the forwarder) faster than the store takes them.
      await local.append(Array.from({ length: 100 }, (_, i) => stored({ hubId: 'hub-slow', id: `s-${k}-${i}`, ts: T0 + k * 100 + i })));
      fwd.kick();
    }
    expect(await fwd.pending()).toBeGreaterThan(0);
    await fwd.idle();
    expect(await fwd.pending()).toBe(0);
    expect(target.maxInFlight).toBe(1);
    expect(target.maxBatch).toBe(100);
    expect(target.order).toEqual([...target.order].sort((a, b) => a - b));
    expect(await target.count({ hubId: 'hub-slow', from: T0, to: T0 + 1000 })).toBe(1000);
    await fwd.stop();
    await db.destroy();
    tmp.remove();
  });
});
