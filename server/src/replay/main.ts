// `npm run replay -- --homes homes.json --events events.jsonl [--out alerts.jsonl]`: run the live
// server's detectors over recorded events in virtual time and write the alerts as JSON lines (docs/replay.md).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { HomeDescriptionSchema } from '../../../protocol/index.ts';
import type { HomeInfo } from '../care/directory.ts';
import { mayBeLate, parseReplayLine, ReplayLineError } from './line.ts';
import { homesFromDescriptions, inferOutages, ReplayRun, type ReplayAlert, type ReplayEvent, type ReplayOptions, type ReplayOutage, type ReplayResult } from './replay.ts';

/** Largest number of refused lines described one by one on stderr. */
const MAX_REPORTED = 20;

/** Read and check a homes file: a JSON array of home descriptions. */
export function readHomes(file: string): ReturnType<typeof homesFromDescriptions> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not readable JSON (${(err as Error).message})`);
  }
  const parsed = z.array(HomeDescriptionSchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: not an array of home descriptions: ${issue.path.join('.')}: ${issue.message}`);
  }
  return homesFromDescriptions(parsed.data);
}

/** Each line of a file, with its number. */
async function* linesOf(file: string): AsyncGenerator<[string, number]> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) yield [line, ++n];
}

/**
 * First pass: the outages read from late drains. Only lines carrying "receivedAt" are
 * parsed (the rest cannot be late), so this pass costs little more than reading the file.
 */
async function outagesOf(file: string, homes: Map<string, HomeInfo>, lateMs: number): Promise<ReplayOutage[]> {
  const late: ReplayEvent[] = [];
  for await (const [line] of linesOf(file)) {
    if (!mayBeLate(line)) continue;
    try {
      const e = parseReplayLine(line);
      if (e.receivedAt - e.ts > lateMs) late.push(e);
    } catch {
      // Refused lines are reported by the second pass.
    }
  }
  return inferOutages(late, lateMs, homes);
}

/**
 * Replay a file, streaming: each line is parsed, checked and handed to the detectors in
 * turn, so memory stays flat however long the file. Refused lines are counted and
 * described, never fatal.
 */
export async function replayFile(
  file: string,
  homes: Map<string, HomeInfo>,
  options: ReplayOptions,
  onAlert: (a: ReplayAlert) => void,
): Promise<{ result: ReplayResult; refused: { line: number; reason: string }[]; outOfOrder: number }> {
  const lateMs = (options.lateSeconds ?? 120) * 1000;
  const outages = options.inferOutages === false ? [] : await outagesOf(file, homes, lateMs);
  const run = new ReplayRun(homes, options, onAlert, outages);
  const refused: { line: number; reason: string }[] = [];
  for await (const [line, n] of linesOf(file)) {
    if (line.trim() === '') continue;
    let e: ReplayEvent;
    try {
      e = parseReplayLine(line);
    } catch (err) {
      refused.push({ line: n, reason: err instanceof ReplayLineError ? err.message : `not JSON (${(err as Error).message})` });
      continue;
    }
    run.push(e);
  }
  return { result: run.finish(), refused, outOfOrder: run.outOfOrder };
}

function positive(v: string): number {
  const n = Number(v);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number of minutes, 0 or more');
  return n;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);

const program = new Command()
  .name('replay')
  .description('Run the detectors over a home description and JSON-lines events in virtual time; write the alerts as JSON lines')
  .requiredOption('--homes <file>', 'JSON array of home descriptions (protocol HomeDescriptionSchema)')
  .requiredOption('--events <file>', 'JSON lines: {"hub","id","ts","sensor","type","value","receivedAt"?}')
  .option('--out <file>', 'where to write alerts (default: standard output)')
  .option('--resolve-after <minutes>', 'an open alert counts as resolved by the operator this long after it was raised', positive, 30)
  .action(async (o: { homes: string; events: string; out?: string; resolveAfter: number }) => {
    const t0 = performance.now();
    const homes = readHomes(o.homes);
    const out = o.out ? fs.createWriteStream(o.out) : process.stdout;
    let buf = '';
    const write = (a: ReplayAlert): void => {
      buf += `${JSON.stringify(a)}\n`;
      if (buf.length > 1 << 16) {
        out.write(buf);
        buf = '';
      }
    };
    const { result, refused, outOfOrder } = await replayFile(o.events, homes, { resolveAfterMinutes: o.resolveAfter }, write);
    out.write(buf);
    if (o.out) await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
    for (const r of refused.slice(0, MAX_REPORTED)) process.stderr.write(`replay: ${o.events}:${r.line}: refused: ${r.reason}\n`);
    if (refused.length > MAX_REPORTED) process.stderr.write(`replay: ... and ${refused.length - MAX_REPORTED} more refused lines\n`);
    if (outOfOrder) process.stderr.write(`replay: ${outOfOrder} events arrived before the line above them (the file is not in arrival order); each was taken at the virtual time it was read\n`);
    const t1 = performance.now();
    const s = result.stats;
    process.stderr.write(
      `replay: ${s.events} events of ${s.homes} homes (${refused.length} lines refused, ${s.unknownHub} events of unknown hubs) -> ${result.alerts.length} alerts` +
        ` (${s.repeats} repeats folded) in ${((t1 - t0) / 1000).toFixed(2)} s` +
        ` (${Math.round(s.events / Math.max(1e-3, (t1 - t0) / 1000)).toLocaleString('en-GB')} events/s, reading included)\n`,
    );
    if (s.detectorFailures) process.stderr.write(`replay: ${s.detectorFailures} detector failures\n`);
  });

if (isMain) {
  program.parseAsync().catch((err: unknown) => {
    process.stderr.write(`replay: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
