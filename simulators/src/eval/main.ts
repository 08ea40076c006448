// `npm run eval`: generate a labelled cohort of simulated homes, run the live server's detectors
// over it in virtual time (the replay), score every detector against the labels, and write
// docs/detection.md. Deterministic for a given seed.
import fs from 'node:fs';
import { Command } from 'commander';
import { homesFromDescriptions, replay, toReplayEvent } from '../../../server/src/replay/replay.ts';
import { ALERT_TYPES, type AlertType } from '../../../server/src/care/model.ts';
import { generateCohort, replayLines } from '../generate.ts';
import { evalDataset, loadDataset } from './real-eval.ts';
import { realReport, sectionOf, spliceSection } from './real-report.ts';
import { quantile, scoreCohort, type CohortScore } from './score.ts';
import { sweep } from './sweep.ts';
import { tradeoffSvg, type TradeoffSeries } from './tradeoff.ts';

const program = new Command()
  .name('eval')
  .description('Score the detectors on a simulated, labelled cohort and write docs/detection.md')
  .option('--homes <n>', 'homes', (v) => Number(v), 50)
  .option('--days <n>', 'days per home', (v) => Number(v), 60)
  .option('--seed <n>', 'seed', (v) => Number(v), 1)
  .option('--incident-rate <p>', 'chance per home-day of an acute incident', (v) => Number(v), 0.05)
  .option('--out <file>', 'report file (markdown)', 'docs/detection.md')
  .option('--json <file>', 'also write the figures as JSON')
  .option('--dataset <dir>', 'score recorded homes in the neutral format (e.g. ../shared/datasets/real-homes) instead, into their own section of the report')
  .option('--no-sweep', 'with --dataset: skip the sensitivity sweep and the trade-off picture')
  .option('--svg <file>', 'with --dataset: the trade-off picture', 'docs/detection-tradeoff.svg');

const fmtDelay = (ms: number): string => {
  if (Number.isNaN(ms)) return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 86_400_000).toFixed(1)} days`;
};

function report(score: CohortScore, meta: { command: string; homes: number; days: number; seed: number; rate: number; events: number; genMs: number; replayMs: number; labels: number }): string {
  const rows = [...score.byType.values()].sort((a, b) => Object.keys(ALERT_TYPES).indexOf(a.type) - Object.keys(ALERT_TYPES).indexOf(b.type));
  const per30 = (n: number) => (score.normalHomeDays ? (n / score.normalHomeDays) * 30 : 0);
  const t = (type: AlertType) => score.byType.get(type);
  const allCaught = (type: AlertType) => {
    const s = t(type);
    return !s || s.caught === s.incidents;
  };
  const within1s = (type: AlertType) => (t(type)?.delays ?? []).every((d) => d <= 1000);
  const inactivityDelays = [...(t('inactivity')?.delays ?? [])];
  const medInactivity = quantile(inactivityDelays, 0.5);
  const falsePer30 = per30(score.falseUrgentHighOnNormalDays);
  const ok = (b: boolean) => (b ? 'met' : '**not met**');
  const lines = [
    '# Detection: how well the detectors do on simulated homes',
    '',
    `Produced by \`${meta.command}\` (${new Date().toISOString().slice(0, 10)}): ${meta.homes} homes × ${meta.days} days, seed ${meta.seed}, acute-incident rate ${meta.rate} per home-day; ${meta.events.toLocaleString('en-GB')} events, ${meta.labels} labelled incidents; generation ${(meta.genMs / 1000).toFixed(1)} s, replay ${(meta.replayMs / 1000).toFixed(1)} s.`,
    '',
    'The simulated residents and incidents are described in docs/simulators.md, the rules in docs/detection-rules.md. The replay runs the live server\'s detectors (one code path) on a virtual clock. An expected alert is *caught* when the first alert of that type in that home is raised inside the incident\'s window (from 2 min before onset to 6 h after its end, or 24 h after an open-ended onset, and never before its slowest expected alert was due); alerts after a home\'s simulated period ended are not scored; its delay is from the onset. Any other alert is *false* unless an incident in that window expects or allows its type. Normal days are home-days with no incident.',
    '',
    '## Targets',
    '',
    '| target | figure | |',
    '|---|---|---|',
    `| falls and calls all caught within 1 s of the event | fall ${t('fall')?.caught ?? 0}/${t('fall')?.incidents ?? 0}, call ${t('call')?.caught ?? 0}/${t('call')?.incidents ?? 0}; slowest ${fmtDelay(Math.max(0, ...(t('fall')?.delays ?? []), ...(t('call')?.delays ?? [])))} | ${ok(allCaught('fall') && allCaught('call') && within1s('fall') && within1s('call'))} |`,
    `| long lie, not up, night exit and inactivity incidents all caught | ${(['long-lie', 'not-up', 'night-exit', 'inactivity'] as AlertType[]).map((x) => `${x} ${t(x)?.caught ?? 0}/${t(x)?.incidents ?? 0}`).join(', ')} | ${ok((['long-lie', 'not-up', 'night-exit', 'inactivity'] as AlertType[]).every(allCaught))} |`,
    `| inactivity and collapse: median delay under 90 min from onset | median ${fmtDelay(medInactivity)} | ${ok(!Number.isNaN(medInactivity) && medInactivity < 90 * 60_000)} |`,
    `| false urgent or high alerts at most 1 per home per 30 days on normal days | ${score.falseUrgentHighOnNormalDays} in ${score.normalHomeDays} normal home-days = ${falsePer30.toFixed(2)} per home per 30 days | ${ok(falsePer30 <= 1)} |`,
    '',
    '## By alert type',
    '',
    '| alert | severity | incidents | caught | on time | median delay | p90 delay | false alerts | false on normal days | false per home-day |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (s) =>
        `| ${s.type} | ${ALERT_TYPES[s.type].severity} | ${s.incidents} | ${s.caught} | ${s.onTime} | ${fmtDelay(quantile(s.delays, 0.5))} | ${fmtDelay(quantile(s.delays, 0.9))} | ${s.falseAlerts} | ${s.falseOnNormalDays} | ${(s.falseOnNormalDays / Math.max(1, score.normalHomeDays)).toFixed(4)} |`,
    ),
    '',
  ];
  if (score.missed.length) {
    lines.push('## Missed', '', '| hub | incident | alert | onset |', '|---|---|---|---|');
    for (const m of score.missed.slice(0, 40)) lines.push(`| ${m.hub} | ${m.incident} | ${m.type} | ${m.onset} |`);
    if (score.missed.length > 40) lines.push(`| … | ${score.missed.length - 40} more | | |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** `--dataset DIR`: replay and score recorded homes, sweep the budget, and write their section and the picture. */
function datasetEval(o: { dataset: string; sweep: boolean; svg: string; out: string; homes: number; days: number; seed: number; json?: string }): void {
  const command = `npm run eval -- --dataset ${o.dataset}${o.sweep ? '' : ' --no-sweep'}`;
  const ds = loadDataset(o.dataset);
  const score = evalDataset(ds);
  let series: TradeoffSeries[] | null = null;
  if (o.sweep) {
    series = sweep(ds, { homes: o.homes, days: o.days, seed: o.seed }, (l) => process.stderr.write(`${l}\n`));
    fs.writeFileSync(o.svg, tradeoffSvg(series, 'Median collapse delay against false urgent/high alerts per home-month'));
  }
  const svgRel = o.svg.startsWith('docs/') ? o.svg.slice(5) : o.svg;
  const sweepNote = series
    ? `The sensitivity setting swept is the plan's \`falseAlarmBudgetPerMonth\` (${series[0]!.points.map((p) => p.label).join(', ')}); Hearth's points count every serious type, the fixed timers (inactivity only, the plan's night 23:00 to 07:00 for "waking") count theirs. Simulated: ${o.homes} homes × ${o.days} days, seed ${o.seed}, inactivity incidents' median delay and false urgent/high alerts on normal days.\n\n| series | point | false per home-month | median delay | caught |\n|---|---|---|---|---|\n${series
        .flatMap((s) => s.points.map((p) => `| ${s.name} | ${p.label} | ${p.falsePerMonth.toFixed(2)} | ${Number.isFinite(p.medianDelayMin) ? `${Math.round(p.medianDelayMin)} min` : '–'} | ${p.caught}/${p.of} |`))
        .join('\n')}`
    : undefined;
  const md = realReport(score, { command, dir: o.dataset, events: score.events, replayMs: score.replayMs, ...(series ? { svg: svgRel, sweepNote } : {}) });
  const doc = fs.existsSync(o.out) ? fs.readFileSync(o.out, 'utf8') : '# Detection\n';
  fs.writeFileSync(o.out, spliceSection(doc, md));
  if (o.json) fs.writeFileSync(o.json, JSON.stringify({ score, series }, null, 2));
  process.stdout.write(`${md}\n`);
}

program.action((o: { homes: number; days: number; seed: number; incidentRate: number; out: string; json?: string; dataset?: string; sweep: boolean; svg: string }) => {
  if (o.dataset) {
    datasetEval({ ...o, dataset: o.dataset });
    return;
  }
  const command = `npm run eval -- --homes ${o.homes} --days ${o.days} --seed ${o.seed} --incident-rate ${o.incidentRate}`;
  const t0 = performance.now();
  const cohort = generateCohort({ homes: o.homes, days: o.days, seed: o.seed, incidentRate: o.incidentRate });
  const lines = replayLines(cohort.homes);
  const events = lines.map((l) => toReplayEvent(l));
  const t1 = performance.now();
  const result = replay({ homes: homesFromDescriptions(cohort.homes.map((h) => h.home)), events });
  const t2 = performance.now();
  const labels = cohort.homes.flatMap((h) => h.labels);
  const score = scoreCohort({
    homes: cohort.homes.map((h) => ({ hub: h.home.hub, timezone: h.home.timezone, days: o.days, start: h.period.start, end: h.period.end })),
    labels,
    alerts: result.alerts,
  });
  const md = report(score, { command, homes: o.homes, days: o.days, seed: o.seed, rate: o.incidentRate, events: events.length, genMs: t1 - t0, replayMs: t2 - t1, labels: labels.length });
  // The recorded homes' section (npm run eval -- --dataset) is kept as it was.
  const kept = fs.existsSync(o.out) ? sectionOf(fs.readFileSync(o.out, 'utf8')) : '';
  fs.writeFileSync(o.out, kept ? spliceSection(`${md}\n`, kept) : `${md}\n`);
  if (o.json) {
    fs.writeFileSync(o.json, JSON.stringify({ ...score, byType: Object.fromEntries(score.byType) }, null, 2));
  }
  process.stdout.write(`${md}\n`);
});

await program.parseAsync(process.argv);
