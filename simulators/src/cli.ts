// `npm run simulate -- --homes 3 --days 30 --seed 1 --out <dir>`: write a
// simulated cohort as homes.json, events.jsonl (replay format) and labels.jsonl.
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { generateCohort, replayLines } from './generate.ts';

function int(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function rate(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('incident rate must be between 0 and 1');
  return n;
}

/** Write a cohort to `out` (created if missing); returns the counts it wrote. */
export async function writeCohort(opts: { homes: number; days: number; seed: number; incidentRate: number; start: string; timezones?: string[] | undefined; out: string }): Promise<{ homes: number; events: number; labels: number }> {
  const cohort = generateCohort({ homes: opts.homes, days: opts.days, seed: opts.seed, incidentRate: opts.incidentRate, start: opts.start, ...(opts.timezones ? { timezones: opts.timezones } : {}) });
  fs.mkdirSync(opts.out, { recursive: true });
  fs.writeFileSync(path.join(opts.out, 'homes.json'), `${JSON.stringify(cohort.homes.map((h) => h.home), null, 2)}\n`);
  const labels = cohort.homes.flatMap((h) => h.labels).sort((a, b) => a.onset.localeCompare(b.onset));
  fs.writeFileSync(path.join(opts.out, 'labels.jsonl'), labels.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const lines = replayLines(cohort.homes);
  const stream = fs.createWriteStream(path.join(opts.out, 'events.jsonl'));
  // Written in chunks: a large cohort is over a hundred megabytes of text.
  for (let i = 0; i < lines.length; i += 10_000) {
    const chunk = lines.slice(i, i + 10_000).map((l) => `${JSON.stringify(l)}\n`).join('');
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { homes: cohort.homes.length, events: lines.length, labels: labels.length };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const program = new Command()
    .name('simulate')
    .description('Simulate homes (residents, sensors, incidents) and write homes.json, events.jsonl and labels.jsonl')
    .requiredOption('--out <dir>', 'output folder')
    .option('--homes <n>', 'number of homes', int('homes', 1, 10_000), 3)
    .option('--days <n>', 'days per home', int('days', 1, 3650), 30)
    .option('--seed <n>', 'seed (same seed, same output)', int('seed', 0, 2 ** 32 - 1), 1)
    .option('--incident-rate <p>', 'chance per home and day of an acute incident', rate, 0.05)
    .option('--start <date>', 'first local date, YYYY-MM-DD', '2026-03-01')
    .option('--timezones <list>', 'comma-separated IANA zones to draw homes from (default: mostly Europe/London)')
    .action(async (o: { out: string; homes: number; days: number; seed: number; incidentRate: number; start: string; timezones?: string }) => {
      const t0 = performance.now();
      try {
        const r = await writeCohort({ ...o, timezones: o.timezones?.split(',').map((s) => s.trim()).filter(Boolean) });
        process.stdout.write(`wrote ${r.homes} homes, ${r.events} events, ${r.labels} labels to ${o.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      } catch (err) {
        process.stderr.write(`simulate: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
  await program.parseAsync();
}
