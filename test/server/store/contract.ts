import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../server/src/events.ts';
import type { EventStore } from '../../../server/src/store/event-store.ts';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const MIN = 60_000;

let seq = 0;
/** A stored event with defaults. */
export function stored(over: Partial<StoredEvent> & { hubId: string }): StoredEvent {
  seq++;
  return { id: `ev-${seq}`, ts: T0, receivedAt: T0 + 5, sensor: 'kitchen-pir', type: 'motion', value: true, battery: null, late: false, ...over };
}

/**
 * The one contract every EventStore backend passes: run it with a factory
 * for each backend (memory, SQLite, InfluxDB). Each test uses its own hub ids,
 * so one store serves the whole suite.
 */
export function eventStoreContract(name: string, open: () => Promise<{ store: EventStore; close: () => Promise<void> }>, enabled = true): void {
  describe.runIf(enabled)(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await open());
    });
    afterAll(async () => close?.());

    it('keeps every field of every kind of value, oldest first', async () => {
      const hubId = 'hub-fields';
      const events = [
        stored({ hubId, id: 'b', ts: T0 + 2 * MIN, sensor: 'front-door', type: 'door', value: 'open', battery: 87 }),
        stored({ hubId, id: 'a', ts: T0 + MIN, sensor: 'lounge-temp', type: 'temperature', value: 19.5, late: true, receivedAt: T0 + 3 * 3600_000 }),
        stored({ hubId, id: 'c', ts: T0 + 3 * MIN, sensor: 'pendant-fall', type: 'fall', value: 0.75, battery: 12.5 }),
        stored({ hubId, id: 'd', ts: T0 + 4 * MIN, sensor: 'kitchen-pir', type: 'motion', value: false }),
      ];
      await store.append(events);
      const got = await store.range({ hubId, from: T0, to: T0 + 10 * MIN });
      expect(got).toEqual([...events].sort((x, y) => x.ts - y.ts));
    });

    it('stores a re-sent event once, and keeps two events of the same millisecond', async () => {
      const hubId = 'hub-dupes';
      const a = stored({ hubId, id: 'same-ms-1', ts: T0 + 500 });
      const b = stored({ hubId, id: 'same-ms-2', ts: T0 + 500 });
      await store.append([a, b]);
      await store.append([a]);
      await store.append([{ ...a }, { ...b }]);
      const got = await store.range({ hubId, from: T0, to: T0 + MIN });
      expect(got.map((e) => e.id)).toEqual(['same-ms-1', 'same-ms-2']);
      expect(await store.count({ hubId, from: T0, to: T0 + MIN })).toBe(2);
    });

    it('reads [from, to) of one hub, optionally only some sensors or types', async () => {
      const hubId = 'hub-range';
      await store.append([
        stored({ hubId, id: 'r1', ts: T0 - 1, sensor: 'hall-pir' }),
        stored({ hubId, id: 'r2', ts: T0, sensor: 'hall-pir' }),
        stored({ hubId, id: 'r3', ts: T0 + MIN, sensor: 'bathroom-pir' }),
        stored({ hubId, id: 'r4', ts: T0 + 2 * MIN, sensor: 'front-door', type: 'door', value: 'closed' }),
        stored({ hubId, id: 'r5', ts: T0 + 3 * MIN, sensor: 'hall-pir' }),
        stored({ hubId: 'hub-range-other', id: 'x1', ts: T0 + MIN, sensor: 'hall-pir' }),
      ]);
      const ids = async (q: Parameters<EventStore['range']>[0]) => (await store.range(q)).map((e) => e.id);
      expect(await ids({ hubId, from: T0, to: T0 + 3 * MIN })).toEqual(['r2', 'r3', 'r4']);
      expect(await ids({ hubId, from: T0 - 1, to: T0 + 4 * MIN, sensors: ['hall-pir'] })).toEqual(['r1', 'r2', 'r5']);
      expect(await ids({ hubId, from: T0, to: T0 + 4 * MIN, types: ['door'] })).toEqual(['r4']);
      expect(await ids({ hubId, from: T0, to: T0 + 4 * MIN, sensors: ['hall-pir', 'bathroom-pir'], types: ['motion'] })).toEqual(['r2', 'r3', 'r5']);
      expect(await ids({ hubId, from: T0, to: T0 + 4 * MIN, sensors: [] })).toEqual([]);
      expect(await ids({ hubId: 'hub-range-none', from: T0, to: T0 + 4 * MIN })).toEqual([]);
      expect(await store.count({ hubId, from: T0, to: T0 + 4 * MIN, types: ['motion'] })).toBe(3);
    });

    it('counts per time bucket and finds each sensor\'s latest event', async () => {
      const hubId = 'hub-buckets';
      const q = 15 * MIN;
      await store.append([
        stored({ hubId, ts: T0 + 1 * MIN, sensor: 'hall-pir' }),
        stored({ hubId, ts: T0 + 14 * MIN, sensor: 'hall-pir' }),
        stored({ hubId, ts: T0 + 15 * MIN, sensor: 'bathroom-pir' }),
        stored({ hubId, ts: T0 + 61 * MIN, sensor: 'hall-pir' }),
        stored({ hubId, ts: T0 + 62 * MIN, sensor: 'lounge-temp', type: 'temperature', value: 20 }),
      ]);
      expect(await store.countPerBucket({ hubId, from: T0, to: T0 + 2 * 3600_000, bucketMs: q })).toEqual([
        { start: T0, count: 2 },
        { start: T0 + q, count: 1 },
        { start: T0 + 4 * q, count: 2 },
      ]);
      expect(await store.countPerBucket({ hubId, from: T0, to: T0 + 2 * 3600_000, bucketMs: q, types: ['motion'] })).toEqual([
        { start: T0, count: 2 },
        { start: T0 + q, count: 1 },
        { start: T0 + 4 * q, count: 1 },
      ]);
      const last = await store.lastPerSensor({ hubId, from: T0, to: T0 + 61 * MIN });
      expect(Object.fromEntries(last)).toEqual({ 'hall-pir': T0 + 14 * MIN, 'bathroom-pir': T0 + 15 * MIN });
    });

    it('keeps sensor ids and event ids with spaces, commas, quotes and equals signs intact', async () => {
      const hubId = 'hub-odd';
      const odd = stored({ hubId, id: 'id "with", = and \\ back', sensor: "Mum's chair, left=1", type: 'chair', value: 'in' });
      await store.append([odd]);
      expect(await store.range({ hubId, from: T0, to: T0 + 1, sensors: ["Mum's chair, left=1"] })).toEqual([odd]);
    });

    it('deletes events older than a time, for one hub or all', async () => {
      const day = 86_400_000;
      await store.append([
        stored({ hubId: 'hub-del-a', id: 'old', ts: T0 - 10 * day }),
        stored({ hubId: 'hub-del-a', id: 'new', ts: T0 }),
        stored({ hubId: 'hub-del-b', id: 'old', ts: T0 - 10 * day }),
        stored({ hubId: 'hub-del-b', id: 'new', ts: T0 }),
      ]);
      expect(await store.firstEventAt('hub-del-a')).toBe(T0 - 10 * day);
      expect(await store.firstEventAt('hub-del-none')).toBeNull();
      await store.deleteBefore(T0 - day, 'hub-del-a');
      expect(await store.firstEventAt('hub-del-a')).toBe(T0);
      const ids = async (hubId: string) => (await store.range({ hubId, from: T0 - 20 * day, to: T0 + day })).map((e) => e.id);
      expect(await ids('hub-del-a')).toEqual(['new']);
      expect(await ids('hub-del-b')).toEqual(['old', 'new']);
      await store.deleteBefore(T0 - day);
      expect(await ids('hub-del-b')).toEqual(['new']);
    });
  });
}
