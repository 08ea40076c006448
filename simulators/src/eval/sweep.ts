// The sensitivity sweep behind the trade-off picture: the plan's false-alarm budget over its
// range, on the recorded homes and a simulated cohort, with fixed timers on the same axes.
import type { DetectorFactory } from '../../../server/src/anomaly/detector.ts';
import { homesFromDescriptions, replay, toReplayEvent } from '../../../server/src/replay/replay.ts';
import { generateCohort, replayLines } from '../generate.ts';
import { fixedTimer } from './fixed-timer.ts';
import { evalDataset, type LoadedDataset } from './real-eval.ts';
import { quantile, scoreCohort } from './score.ts';
import type { TradeoffPoint, TradeoffSeries } from './tradeoff.ts';

/** The budgets swept (false alarms a month the resident's own history may have raised). */
export const BUDGETS = [0.25, 0.5, 1, 2, 4, 8];
/** The fixed timers drawn beside: hours, and whether only waking hours count. */
export const TIMERS: [number, boolean][] = [
  [3, true],
  [4, true],
  [6, false],
  [12, false],
];

const timerLabel = ([h, w]: [number, boolean]): string => `${h} h${w ? ' waking' : ''}`;

/** A simulated cohort, generated once and replayed per point. */
function simulatedRunner(homes: number, days: number, seed: number): (plan: Record<string, unknown>, factories?: DetectorFactory[]) => TradeoffPoint & { label: '' } {
  const cohort = generateCohort({ homes, days, seed, incidentRate: 0.05 });
  const events = replayLines(cohort.homes).map((l) => toReplayEvent(l));
  const labels = cohort.homes.flatMap((h) => h.labels);
  return (plan, factories) => {
    const descs = cohort.homes.map((h) => ({ ...h.home, residents: h.home.residents.map((r) => ({ ...r, plan: { ...r.plan, ...plan } })) }));
    const r = replay({ homes: homesFromDescriptions(descs), events, ...(factories ? { options: { factories } } : {}) });
    const s = scoreCohort({ homes: cohort.homes.map((h) => ({ hub: h.home.hub, timezone: h.home.timezone, days, start: h.period.start, end: h.period.end })), labels, alerts: r.alerts });
    const inact = s.byType.get('inactivity');
    const d = inact?.delays ?? [];
    return { label: '', falsePerMonth: s.normalHomeDays ? (s.falseUrgentHighOnNormalDays / s.normalHomeDays) * 30 : 0, medianDelayMin: d.length ? quantile(d, 0.5) / 60_000 : NaN, caught: inact?.caught ?? 0, of: inact?.incidents ?? 0 };
  };
}

/** Every series of the picture. */
export function sweep(ds: LoadedDataset, sim: { homes: number; days: number; seed: number }, log: (s: string) => void = () => {}): TradeoffSeries[] {
  const real = (plan: Record<string, unknown>, factories?: DetectorFactory[]): Omit<TradeoffPoint, 'label'> => {
    const s = evalDataset(ds, { plan, ...(factories ? { factories } : {}) });
    return { falsePerMonth: s.falsePerHomeMonth, medianDelayMin: s.delays.length ? quantile(s.delays, 0.5) / 60_000 : NaN, caught: s.caught, of: s.collapses };
  };
  const simRun = simulatedRunner(sim.homes, sim.days, sim.seed);
  const series: TradeoffSeries[] = [
    { name: 'Hearth, recorded homes', colour: '#1565c0', line: true, points: [] },
    { name: 'Hearth, simulated', colour: '#2e7d32', line: true, points: [] },
    { name: 'fixed timer, recorded', colour: '#e65100', line: false, points: [] },
    { name: 'fixed timer, simulated', colour: '#8e24aa', line: false, points: [] },
  ];
  for (const b of BUDGETS) {
    series[0]!.points.push({ label: `${b}/mo`, ...real({ falseAlarmBudgetPerMonth: b }) });
    series[1]!.points.push({ ...simRun({ falseAlarmBudgetPerMonth: b }), label: `${b}/mo` });
    log(`budget ${b}: recorded ${JSON.stringify(series[0]!.points.at(-1))} simulated ${JSON.stringify(series[1]!.points.at(-1))}`);
  }
  for (const t of TIMERS) {
    const f = [fixedTimer(t[0], t[1])];
    series[2]!.points.push({ label: timerLabel(t), ...real({}, f) });
    series[3]!.points.push({ ...simRun({}, f), label: timerLabel(t) });
    log(`timer ${timerLabel(t)}: recorded ${JSON.stringify(series[2]!.points.at(-1))} simulated ${JSON.stringify(series[3]!.points.at(-1))}`);
  }
  return series;
}
