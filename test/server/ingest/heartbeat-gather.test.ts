// Heartbeats gathered: a heartbeat waits up to HEARTBEAT_GATHER_MS for a moment to ride in, so
// thousands of hubs' minutes cost a moment a second, not one each; an event takes them along at
// once, drain() does not wait, and nothing is lost (issue 14, the connected-hubs CPU).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { topics } from '../../../protocol/index.ts';
import { EventBus } from '../../../server/src/bus.ts';
import { VirtualClock } from '../../../server/src/clock.ts';
import type { HearthEvents } from '../../../server/src/events.ts';
import { HEARTBEAT_GATHER_MS, Ingest } from '../../../server/src/ingest/ingest.ts';
import type { MomentSink } from '../../../server/src/ingest/moment-sink.ts';
import type { MomentOutcome, PackedMoment } from '../../../server/src/ingest/moment-store.ts';
import { ev } from '../../helpers/hearth.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A sink that records what each moment held. */
class RecordingSink implements MomentSink {
  readonly moments: PackedMoment[] = [];
  async write(m: PackedMoment): Promise<MomentOutcome> {
    this.moments.push(m);
    return { firstSeq: 1, inserted: new Uint8Array(m.events.length).fill(1) };
  }
  async close(): Promise<void> {}
}

function rig() {
  const log = pino({ level: 'silent' });
  const clock = new VirtualClock(Date.parse('2026-12-03T12:00:00Z'));
  const bus = new EventBus<HearthEvents>(log);
  const sink = new RecordingSink();
  const ingest = new Ingest(bus, clock, log, { lateSeconds: 300, sink });
  const beats: string[] = [];
  bus.on('hub.heartbeat', (h) => void beats.push(`${h.hubId}#${h.seq}`));
  const beat = (hub: string, seq: number) => ingest.submitHeartbeat(hub, topics.heartbeat(hub), JSON.stringify({ seq, ts: new Date(clock.now()).toISOString() }));
  return { clock, ingest, beats, beat, sink };
}

describe('heartbeats ride in a moment, gathered for up to a second', () => {
  it('heartbeats of many hubs within a second are one moment, taken when the second is up', async () => {
    const r = rig();
    const answered: string[] = [];
    for (let i = 0; i < 50; i++) void r.beat(`hub-${i}`, 1).then(() => answered.push(`hub-${i}`));
    await nextTurn();
    await nextTurn();
    expect(r.beats).toEqual([]); // still gathering
    r.clock.advance(HEARTBEAT_GATHER_MS - 1);
    await nextTurn();
    expect(r.beats).toEqual([]);
    r.clock.advance(1);
    await nextTurn();
    await nextTurn();
    expect(r.beats).toHaveLength(50); // every one, in one turn
    expect(answered).toHaveLength(50);
  });

  it('an event takes the waiting heartbeats along at once, in the order they came', async () => {
    const r = rig();
    void r.beat('hub-a', 7);
    const stored: string[] = [];
    await r.ingest.submitEvents('hub-a', topics.events('hub-a'), JSON.stringify(ev({ id: 'e1' }))).then(() => stored.push('e1'));
    expect(stored).toEqual(['e1']); // no clock moved: the event did not wait for the gathering
    expect(r.beats).toEqual(['hub-a#7']);
    // The gathering timer went with them: a second later, nothing more is taken.
    const before = r.beats.length;
    r.clock.advance(HEARTBEAT_GATHER_MS);
    await nextTurn();
    expect(r.beats).toHaveLength(before);
  });

  it('drain() takes waiting heartbeats without waiting for the second; a refused heartbeat is answered at once', async () => {
    const r = rig();
    void r.beat('hub-b', 3);
    await r.ingest.drain();
    expect(r.beats).toEqual(['hub-b#3']);
    // Not a heartbeat: refused, counted, and answered without waiting.
    await r.ingest.submitHeartbeat('hub-b', topics.heartbeat('hub-b'), '{"seq":"x"}');
    expect(r.ingest.stats('hub-b')['hub-b']?.rejected).toMatchObject({ HEARTH_ERR_INGEST_SCHEMA: 1 });
  });
});
