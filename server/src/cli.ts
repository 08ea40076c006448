// `npm run cli -- ...`: the admin CLI, the way an operator scripts a deployment (docs/cli.md).
// It opens the same SQLite file as the server (WAL allows both at once).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { Directory } from './care/directory.ts';
import { addCli } from './cli/add-commands.ts';
import { channelTestCli } from './cli/channel-test.ts';
import { recordsCli } from './cli/records.ts';
import { routingCli } from './cli/routing.ts';
import { residentRecordCli } from './cli/resident-record.ts';
import { loadConfig } from './config.ts';
import { openDatabase, type OpenedDb } from './db/database.ts';
import { HearthError, type ErrorCode } from './errors.ts';

/** Extra command groups registered by other capabilities (each a function adding commands). */
export type CliExtension = (program: Command, ctx: CliContext) => void;

/** What a command needs: the directory, an output function, the database, standard input and a question. */
export interface CliContext {
  open(): Promise<{ opened: OpenedDb; directory: Directory }>;
  out(human: string, data: unknown): void;
  /** Standard input, whole, without its last newline. */
  readStdin(): string;
  /** Ask a person at a terminal; null when nobody can answer (no terminal, or --json). */
  ask(question: string): Promise<string | null>;
}

/** Where the CLI writes and reads; the process's streams unless a test gives its own. */
export interface CliIo {
  write(text: string): void;
  error(text: string): void;
  readStdin(): string;
  ask(question: string): Promise<string | null>;
}

/** Exit codes (docs/cli.md): 0 done, 1 refused (a HEARTH_ERR_* of the catalogue), 2 usage, 3 internal fault. */
export const EXIT = { ok: 0, refused: 1, usage: 2, internal: 3 } as const;

const VERSION = (JSON.parse(fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json'), 'utf8')) as { version: string }).version;

const processIo: CliIo = {
  write: (t) => void process.stdout.write(t),
  error: (t) => void process.stderr.write(t),
  readStdin: () => fs.readFileSync(0, 'utf8').replace(/\r?\n$/, ''),
  async ask(question) {
    if (!process.stdin.isTTY) return null;
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

/** The commands every CLI has; others are added as extensions (the routing commands, resident records, ...). */
const BUILT_IN: CliExtension[] = [addCli, routingCli, recordsCli, residentRecordCli, channelTestCli];

/** Build the CLI program; `extensions` add command groups. Commander errors are thrown, never exit the process. */
export function buildCli(extensions: CliExtension[] = [], io: CliIo = processIo): Command {
  const program = new Command();
  const json = (): boolean => Boolean(program.opts().json);
  program
    .name('hearth')
    .description('Hearth admin CLI: organisations, neighbourhoods, users, residents, hubs, sensors and channels')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--json', 'print machine-readable JSON (errors too)')
    .option('--data-dir <dir>', 'data folder (default: HEARTH_DATA_DIR or ./data)')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.write(t), writeErr: (t) => (json() ? undefined : io.error(t)), outputError: () => undefined })
    .showHelpAfterError('(add --help for the options)');

  let opened: OpenedDb | undefined;
  const ctx: CliContext = {
    async open() {
      const dataDir = (program.opts().dataDir as string | undefined) ?? loadConfig().dataDir;
      opened ??= await openDatabase(path.join(path.resolve(dataDir), 'hearth.sqlite'));
      return { opened, directory: new Directory(opened.db, () => Date.now()) };
    },
    out(human, data) {
      io.write(json() ? `${JSON.stringify(data)}\n` : `${human}\n`);
    },
    readStdin: () => io.readStdin(),
    ask: (q) => (json() ? Promise.resolve(null) : io.ask(q)),
  };

  for (const extend of new Set([...BUILT_IN, ...extensions])) extend(program, ctx);
  const close = async (): Promise<void> => {
    await opened?.db.destroy();
    opened = undefined;
  };
  program.hook('postAction', close);
  // Subcommands inherit the error handling and output set above.
  const inherit = (c: Command): void => {
    for (const sub of c.commands) {
      sub.exitOverride().configureOutput({ writeOut: (t) => io.write(t), writeErr: (t) => (json() ? undefined : io.error(t)), outputError: () => undefined });
      sub.showHelpAfterError('(add --help for the options)');
      inherit(sub);
    }
  };
  inherit(program);
  (program as Command & { closeDb?: () => Promise<void> }).closeDb = close;
  return program;
}

/** File errors of options that name a file (`--config`, `--file`), in words. */
const FILE_ERRORS: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a folder, not a file' };

/** A thrown error as the CLI reports it: a catalogue code, a sentence, and the exit code. */
export function describeError(err: unknown): { code: ErrorCode; message: string; exit: number } {
  if (err instanceof CommanderError) return { code: 'HEARTH_ERR_USAGE', message: err.message.replace(/^error: /, ''), exit: EXIT.usage };
  if (err instanceof HearthError) return { code: err.code, message: err.message, exit: EXIT.refused };
  const e = err as { code?: string; message?: string; path?: string; name?: string; issues?: { path: PropertyKey[]; message: string }[] };
  if (e?.name === 'ZodError' && Array.isArray(e.issues)) {
    return { code: 'HEARTH_ERR_VALIDATION', message: e.issues.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; '), exit: EXIT.refused };
  }
  if (e?.code && FILE_ERRORS[e.code]) return { code: 'HEARTH_ERR_VALIDATION', message: `cannot read "${e.path ?? 'the file'}": ${FILE_ERRORS[e.code]}`, exit: EXIT.refused };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) {
    return { code: 'HEARTH_ERR_CONFLICT', message: `the database refused the change (${e.message}); a record it names may not exist, or one it would remove is still used`, exit: EXIT.refused };
  }
  return { code: 'HEARTH_ERR_INTERNAL', message: `unexpected fault: ${e?.message ?? String(err)} (nothing was changed by this command unless it said so; please report it)`, exit: EXIT.internal };
}

/** Run the CLI; errors print their catalogue code and a sentence (as JSON with --json). Returns the exit code. */
export async function runCli(argv: string[], extensions: CliExtension[] = [], io: CliIo = processIo): Promise<number> {
  const program = buildCli(extensions, io);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    await (program as Command & { closeDb?: () => Promise<void> }).closeDb?.();
    if (err instanceof CommanderError && err.exitCode === 0) return EXIT.ok; // --help, --version
    const { code, message, exit } = describeError(err);
    if (argv.slice(2).includes('--json')) io.write(`${JSON.stringify({ error: { code, message, exitCode: exit } })}\n`);
    else io.error(`${code}: ${message}\n`);
    return exit;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/src/cli.ts')) {
  process.exitCode = await runCli(process.argv);
}
