// Simulator speed: a cohort of homes (default 50 homes × 60 days) generated and merged into
// replay order, as a ratio against writing the same events as JSON lines (the CLI's next step) in the same run.
import { generateCohort, replayLines } from '../../simulators/src/generate.ts';
import type { BenchResult } from './main.ts';

const HOMES = Number(process.env.BENCH_SIM_HOMES ?? 50);
const DAYS = Number(process.env.BENCH_SIM_DAYS ?? 60);

/** Run the simulator benchmark. */
export async function run(): Promise<BenchResult> {
  const t0 = performance.now();
  const cohort = generateCohort({ homes: HOMES, days: DAYS, seed: 1 });
  const t1 = performance.now();
  const lines = replayLines(cohort.homes);
  const t2 = performance.now();
  let bytes = 0;
  for (const l of lines) bytes += JSON.stringify(l).length + 1;
  const t3 = performance.now();
  const generateMs = t1 - t0;
  const mergeMs = t2 - t1;
  const jsonMs = t3 - t2;
  return {
    title: `simulators: ${HOMES} homes × ${DAYS} days`,
    figures: {
      events: lines.length,
      labels: cohort.homes.reduce((n, h) => n + h.labels.length, 0),
      'events per home-day': Math.round(lines.length / (HOMES * DAYS)),
      'generate, ms': Math.round(generateMs),
      'merge into replay order, ms': Math.round(mergeMs),
      'JSON lines baseline, ms': Math.round(jsonMs),
      'JSON MB': Math.round(bytes / 1e5) / 10,
      'generate + merge / JSON baseline': Math.round(((generateMs + mergeMs) / jsonMs) * 100) / 100,
    },
  };
}
