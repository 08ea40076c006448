// Replay recorded homes (the neutral format) through the live detectors and score them.
import type { DetectorFactory } from '../../../server/src/anomaly/detector.ts';
import { homesFromDescriptions, replay, type ReplayEvent } from '../../../server/src/replay/replay.ts';
import { describeRealHome, readRealEvents, readRealHomes, type RealHome } from './dataset.ts';
import { scoreRealHomes, type RealScore } from './score-real.ts';

/** A dataset read once, to be replayed many times (a sweep). */
export interface LoadedDataset {
  dir: string;
  homes: { home: RealHome; events: ReplayEvent[]; refused: number }[];
}

/** Read every home of a dataset folder. */
export function loadDataset(dir: string): LoadedDataset {
  return { dir, homes: readRealHomes(dir).map((home) => ({ home, ...readRealEvents(dir, home) })) };
}

/** Replay every home with the given plan overrides (and detectors), and score them by the README's rules. */
export function evalDataset(ds: LoadedDataset, opts: { plan?: Record<string, unknown>; factories?: DetectorFactory[] } = {}): RealScore & { events: number; replayMs: number } {
  const t0 = performance.now();
  const alerts = [];
  let events = 0;
  for (const { home, events: evs } of ds.homes) {
    const homes = homesFromDescriptions([describeRealHome(home, opts.plan ?? {})]);
    // Each event object is reused by every run: the replay fills in `late` and `sensorInfo` itself.
    // The clock runs on to the recording's end: a collapse in the last hours is still seen.
    const until = Date.parse(home.start) + home.spanDays * 86_400_000;
    const r = replay({ homes, events: evs, until, options: { inferOutages: false, ...(opts.factories ? { factories: opts.factories } : {}) } });
    events += r.stats.events;
    for (const a of r.alerts) alerts.push({ type: a.type, hub: a.hub, raisedAt: a.raisedAt, severity: a.severity, summary: a.cause.summary });
  }
  const replayMs = performance.now() - t0;
  const score = scoreRealHomes(
    ds.homes.map(({ home }) => ({ hub: home.hub, start: home.start, end: new Date(Date.parse(home.start) + home.spanDays * 86_400_000).toISOString(), labels: home.labels, masks: home.masks, days: home.days })),
    alerts,
  );
  return { ...score, events, replayMs };
}
