// The hand-over between moments: the next moment goes to the writer as soon as the one before is
// written, before that one is answered, so the writer commits while the main thread answers; and
// never more than one ahead, so an alarm waits behind at most the moment under way.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { EventBus } from '../../../server/src/bus.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import type { HearthEvents } from '../../../server/src/events.ts';
import { ALARM_HOLD_MAX_MS, Ingest } from '../../../server/src/ingest/ingest.ts';
import type { MomentSink } from '../../../server/src/ingest/moment-sink.ts';
import { EVENT_FIELDS, type MomentOutcome, type PackedMoment } from '../../../server/src/ingest/moment-store.ts';
import { ev } from '../../helpers/hearth.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A sink that keeps each moment until the test lets it commit, and logs what happens. */
class GatedSink implements MomentSink {
  readonly log: string[] = [];
  private readonly gates: { ids: string[]; commit: () => void }[] = [];
  write(m: PackedMoment): Promise<MomentOutcome> {
    const ids: string[] = [];
    for (let o = 0; o < m.events.length; o += EVENT_FIELDS) ids.push(String(m.events[o + 1]));
    this.log.push(`write ${ids.join(',')}`);
    return new Promise((resolve) => this.gates.push({ ids, commit: () => resolve({ firstSeq: 1, inserted: new Uint8Array(ids.length).fill(1) }) }));
  }
  /** Commit the oldest moment handed over. */
  commitNext(): void {
    this.gates.shift()!.commit();
  }
  async close(): Promise<void> {}
}

describe('ingest hands moments to the writer one ahead', () => {
  it('hands over the next moment before answering the one just written, and no more than one at a time', async () => {
    const sink = new GatedSink();
    const log = pino({ level: 'silent' });
    const ingest = new Ingest(new EventBus<HearthEvents>(log), new VirtualClock(Date.parse('2026-12-02T12:00:00Z')), log, { lateSeconds: 300, sink });
    const hub = 'hub-ahead';
    const submit = (id: string, extra: Record<string, unknown> = {}) =>
      ingest.submitEvents(hub, topics.events(hub), JSON.stringify(ev({ id, ...extra }))).then(() => sink.log.push(`ack ${id}`));
    const acks = [submit('m1')];
    await nextTurn();
    acks.push(submit('m2'));
    await nextTurn();
    acks.push(submit('m3'));
    await nextTurn();
    // m1 is with the writer; m2 and m3 wait their turn.
    expect(sink.log).toEqual(['write m1']);
    // A fall taken now goes next, ahead of m2 and m3, behind only the moment under way.
    acks.push(submit('fall', { sensor: 'hall-fall', type: 'fall', value: true }));
    await null;
    await null;
    sink.commitNext();
    await nextTurn();
    expect(sink.log).toEqual(['write m1', 'write fall', 'ack m1']);
    sink.commitNext();
    await nextTurn();
    sink.commitNext();
    await nextTurn();
    sink.commitNext();
    await Promise.all(acks);
    expect(sink.log).toEqual(['write m1', 'write fall', 'ack m1', 'write m2', 'ack fall', 'write m3', 'ack m2', 'ack m3']);
    await ingest.close();
  });

  it('after an alarm moment, waits for its alerts to be durable before the next routine moment (at most ALARM_HOLD_MAX_MS)', async () => {
    const sink = new GatedSink();
    const log = pino({ level: 'silent' });
    const bus = new EventBus<HearthEvents>(log);
    const ingest = new Ingest(bus, new VirtualClock(Date.parse('2026-12-03T12:00:00Z')), log, { lateSeconds: 300, sink });
    bus.on('events.stored', (events) => {
      sink.log.push(`stored ${events.map((e) => e.id).join(',')}`);
    });
    let durable!: () => void;
    let asked = 0;
    ingest.afterAlarm = () => {
      asked++;
      sink.log.push('alerts?');
      return new Promise<void>((resolve) => (durable = resolve));
    };
    const hub = 'hub-hold';
    const submit = (id: string, extra: Record<string, unknown> = {}) =>
      ingest.submitEvents(hub, topics.events(hub), JSON.stringify(ev({ id, ...extra }))).then(() => sink.log.push(`ack ${id}`));
    const acks = [submit('fall', { sensor: 'hall-fall', type: 'fall', value: true })];
    await null;
    await null;
    acks.push(submit('m1'));
    await nextTurn();
    expect(sink.log).toEqual(['write fall']);
    sink.commitNext();
    await nextTurn();
    await nextTurn();
    // The fall is answered and handed on; m1 waits until its alerts are durable.
    expect([...sink.log].sort()).toEqual(['ack fall', 'alerts?', 'stored fall', 'write fall']);
    durable();
    await nextTurn();
    expect(sink.log.slice(4)).toEqual(['write m1']);
    sink.commitNext();
    await Promise.all(acks);
    // A routine moment is not held.
    expect(asked).toBe(1);

    // An answer that never comes holds routine work for ALARM_HOLD_MAX_MS only.
    ingest.afterAlarm = () => new Promise<void>(() => {});
    const late = [submit('fall-2', { sensor: 'hall-fall', type: 'fall', value: true })];
    await null;
    await null;
    late.push(submit('m2'));
    await nextTurn();
    sink.commitNext();
    const heldSince = performance.now();
    while (!sink.log.includes('write m2')) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(performance.now() - heldSince).toBeGreaterThanOrEqual(ALARM_HOLD_MAX_MS - 5);
    sink.commitNext();
    await Promise.all(late);
    await ingest.close();
  });
});

describe('ingest answers each submitter of a moment', () => {
  it('answers the others, and the bus, when one answer throws, and hands a failed write\'s error to each', async () => {
    const sink = new GatedSink();
    const lines: string[] = [];
    const log = pino({ level: 'error' }, { write: (l: string) => void lines.push(l) });
    const bus = new EventBus<HearthEvents>(log);
    const stored: string[] = [];
    bus.on('events.stored', (events) => void stored.push(...events.map((e) => e.id)));
    const ingest = new Ingest(bus, new VirtualClock(Date.parse('2026-12-02T12:00:00Z')), log, { lateSeconds: 300, sink });
    const answers: (string | null)[] = [];
    const payload = (id: string) => JSON.stringify(ev({ id, sensor: 'kitchen-pir', type: 'motion', value: true }));
    ingest.takeEvents('hub-answers', topics.events('hub-answers'), payload('a'), () => {
      throw new Error('an answer that throws');
    });
    ingest.takeEvents('hub-answers', topics.events('hub-answers'), payload('b'), (err) => void answers.push(err?.message ?? null));
    await nextTurn();
    sink.commitNext();
    await nextTurn();
    expect(answers).toEqual([null]);
    expect(stored).toEqual(['a', 'b']);
    expect(lines.some((l) => l.includes('answering an ingest submitter failed'))).toBe(true);

    // A write that fails: every submitter hears why (the hub re-sends; nothing was acknowledged).
    const failing: MomentSink = { write: () => Promise.reject(new Error('disk gone')), close: async () => {} };
    const broken = new Ingest(bus, new VirtualClock(Date.parse('2026-12-02T12:00:00Z')), log, { lateSeconds: 300, sink: failing });
    const heard: (string | null)[] = [];
    for (const id of ['c', 'd']) broken.takeEvents('hub-answers', topics.events('hub-answers'), payload(id), (err) => void heard.push(err?.message ?? null));
    await nextTurn();
    await nextTurn();
    expect(heard).toEqual(['disk gone', 'disk gone']);
  });
});
