// Replay speed and memory per monitored home. Speed is reported against a baseline measured in
// the same run on the same lines (JSON-parse every line and touch its fields), since machines differ.
import v8 from 'node:v8';
import vm from 'node:vm';
import { HomeDescriptionSchema } from '../../protocol/index.ts';
import { AnomalyCore } from '../../server/src/anomaly/core.ts';
import { VirtualClock } from '../../server/src/clock.ts';
import { mayBeLate, parseReplayLine } from '../../server/src/replay/line.ts';
import { homesFromDescriptions, inferOutages, replay, ReplayRun } from '../../server/src/replay/replay.ts';
import { generateCohort, replayLines } from '../../simulators/src/generate.ts';
import type { BenchResult } from './main.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function best(n: number, fn: () => number): number {
  let b = Infinity;
  for (let i = 0; i < n; i++) b = Math.min(b, fn());
  return b;
}

/** Run the benchmark. */
export async function run(): Promise<BenchResult> {
  const HOMES = Number(process.env.BENCH_REPLAY_HOMES ?? 40);
  const DAYS = Number(process.env.BENCH_REPLAY_DAYS ?? 30);
  const cohort = generateCohort({ homes: HOMES, days: DAYS, seed: 11, incidentRate: 0.05 });
  const lines = replayLines(cohort.homes).map((l) => JSON.stringify(l));
  const descs = cohort.homes.map((h) => HomeDescriptionSchema.parse(h.home));
  const homes = homesFromDescriptions(descs);

  // Baseline: parse every line and touch it.
  const baseline = best(3, () => {
    const t0 = performance.now();
    let sink = 0;
    for (const l of lines) {
      const o = JSON.parse(l) as { hub: string; ts: string; value: unknown };
      sink += o.hub.length + o.ts.length + (o.value === true ? 1 : 0);
    }
    if (sink === 42) console.log('');
    return performance.now() - t0;
  });

  // Replay, end to end from the same lines, streaming as the CLI does: outages from the late lines,
  // then each line parsed, checked and handed to the detectors.
  let alerts = 0;
  const endToEnd = best(3, () => {
    const t0 = performance.now();
    const late = [];
    for (const l of lines) if (mayBeLate(l)) late.push(parseReplayLine(l));
    const run = new ReplayRun(homes, {}, undefined, inferOutages(late, 120_000, homes));
    for (const l of lines) run.push(parseReplayLine(l));
    alerts = run.finish().alerts.length;
    return performance.now() - t0;
  });

  // The detectors alone, on already parsed events.
  const detectors = best(3, () => {
    const events = lines.map(parseReplayLine);
    const t0 = performance.now();
    replay({ homes, events });
    return performance.now() - t0;
  });

  // Memory per monitored home: 10,000 homes each fed six hours of one simulated home's events.
  const MEM_HOMES = Number(process.env.BENCH_MEM_HOMES ?? 10_000);
  const one = cohort.homes[0]!;
  const start = Date.parse(one.events[0]!.ts);
  const sample = one.events.filter((e) => Date.parse(e.ts) < start + 6 * 3_600_000);
  const memHomes = new Map<string, ReturnType<typeof homes.get> & object>();
  const d0 = descs[0]!;
  for (const [i, h] of homesFromDescriptions(Array.from({ length: MEM_HOMES }, (_, i) => ({ ...d0, hub: `mem-${i}` }))).entries()) memHomes.set(i, h);
  const clock = new VirtualClock(start);
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const core = new AnomalyCore({ clock, homes: { get: (id) => memHomes.get(id) }, sink: () => {} });
  for (let i = 0; i < MEM_HOMES; i++) {
    const hubId = `mem-${i}`;
    for (const e of sample) {
      const t = Date.parse(e.ts);
      core.process({ hubId, id: e.id, ts: t, receivedAt: t, sensor: e.sensor, type: e.type, value: e.value, battery: e.battery ?? null, late: false });
    }
  }
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  const perHome = (heap1 - heap0) / MEM_HOMES;
  if (core.homeCount !== MEM_HOMES) throw new Error('not every home was fed');

  const n = lines.length;
  return {
    title: `npm run replay core: ${HOMES} simulated homes x ${DAYS} days (${n.toLocaleString('en-GB')} events), best of 3`,
    figures: {
      'events': n,
      'alerts raised': alerts,
      'baseline: JSON.parse + touch, events/s': Math.round(n / (baseline / 1000)),
      'replay end to end, streaming (parse, check, detect), events/s': Math.round(n / (endToEnd / 1000)),
      'replay detectors only, events/s': Math.round(n / (detectors / 1000)),
      'end to end time / baseline time': +(endToEnd / baseline).toFixed(2),
      'detectors time / baseline time': +(detectors / baseline).toFixed(2),
      [`heap per monitored home (KiB, ${MEM_HOMES.toLocaleString('en-GB')} homes)`]: +(perHome / 1024).toFixed(2),
    },
  };
}
