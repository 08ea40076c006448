import type { Command } from 'commander';

/**
 * Find or create a command group: the add commands, the record commands and other capabilities'
 * commands share groups (`resident add`, `resident list`, `resident record ...`), and commander
 * would otherwise register a second group of the same name that is never reached.
 */
export function group(program: Command, name: string, description?: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) {
    if (description && !existing.description()) existing.description(description);
    return existing;
  }
  const g = program.command(name);
  if (description) g.description(description);
  return g;
}
