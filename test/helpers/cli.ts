import { buildCli, type CliExtension } from '../../server/src/cli.ts';

/** Run the admin CLI in-process with --json (and any command extensions); returns the printed output parsed. */
export async function runCliJson(dataDir: string, args: string[], extensions: CliExtension[] = []): Promise<any> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await buildCli(extensions).exitOverride().parseAsync(['node', 'hearth', '--data-dir', dataDir, '--json', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return JSON.parse(lines.join('').trim());
}
