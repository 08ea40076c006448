// `npm run bench`: runs every test/bench/*.bench.ts in turn (or those named on the command line)
// and prints each one's figures. Each bench file exports `run(args): Promise<BenchResult>`, and reports
// its speed as a ratio against a baseline it measured in the same run, since these machines are noisy.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a benchmark returns: a title and named figures. */
export interface BenchResult {
  title: string;
  figures: Record<string, number | string>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
// Names first, then options for the benchmarks (`npm run bench -- load --hubs 20`).
const argv = process.argv.slice(2);
const firstOption = argv.findIndex((a) => a.startsWith('--'));
const only = firstOption < 0 ? argv : argv.slice(0, firstOption);
const benchArgs = firstOption < 0 ? [] : argv.slice(firstOption);
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const results: BenchResult[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run: (args: string[]) => Promise<BenchResult> };
  process.stdout.write(`\n== ${file}\n`);
  const r = await mod.run(benchArgs);
  results.push(r);
  process.stdout.write(`${r.title}\n`);
  for (const [k, v] of Object.entries(r.figures)) process.stdout.write(`  ${k.padEnd(44)} ${typeof v === 'number' ? v.toLocaleString('en-GB', { maximumFractionDigits: 3 }) : v}\n`);
}
if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
