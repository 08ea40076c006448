// `npm run cli -- ...`: the admin CLI, the way an operator scripts a deployment.
// It opens the same SQLite file as the server (WAL allows both at once).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { SENSOR_TYPES, type SensorType } from '../../protocol/index.ts';
import { Directory } from './care/directory.ts';
import { ROLES, type Role } from './care/model.ts';
import { loadConfig } from './config.ts';
import { openDatabase, type OpenedDb } from './db/database.ts';
import { HearthError } from './errors.ts';

/** Extra command groups registered by other capabilities (each a function adding commands). */
export type CliExtension = (program: Command, ctx: CliContext) => void;

/** What a command needs: the directory, an output function, and the database. */
export interface CliContext {
  open(): Promise<{ opened: OpenedDb; directory: Directory }>;
  out(human: string, data: unknown): void;
}

function readStdin(): string {
  return fs.readFileSync(0, 'utf8').replace(/\r?\n$/, '');
}

/** Build the CLI program; `extensions` add command groups. */
export function buildCli(extensions: CliExtension[] = []): Command {
  const program = new Command();
  program
    .name('hearth')
    .description('Hearth admin CLI: organisations, neighbourhoods, users, residents, hubs and sensors')
    .option('--json', 'print machine-readable JSON')
    .option('--data-dir <dir>', 'data folder (default: HEARTH_DATA_DIR or ./data)')
    .showHelpAfterError();

  let opened: OpenedDb | undefined;
  const ctx: CliContext = {
    async open() {
      const dataDir = (program.opts().dataDir as string | undefined) ?? loadConfig().dataDir;
      opened ??= await openDatabase(path.join(path.resolve(dataDir), 'hearth.sqlite'));
      return { opened, directory: new Directory(opened.db, () => Date.now()) };
    },
    out(human, data) {
      process.stdout.write(program.opts().json ? `${JSON.stringify(data)}\n` : `${human}\n`);
    },
  };

  const orgOf = async (d: Directory, ref: string) => {
    const org = await d.findOrganisation(ref);
    if (!org) throw new HearthError('HEARTH_ERR_NOT_FOUND', `no organisation "${ref}"`);
    return org;
  };

  const org = program.command('org').description('organisations (tenants)');
  org
    .command('add')
    .argument('<name>', 'organisation name')
    .action(async (name: string) => {
      const { directory } = await ctx.open();
      const o = await directory.addOrganisation(name);
      ctx.out(`organisation ${o.name} added (id ${o.id})`, o);
    });

  program
    .command('neighbourhood')
    .description('neighbourhoods and their urgent response team')
    .command('add')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--name <name>', 'neighbourhood name')
    .option('--urgent-start <HH:MM>', "urgent response team's service start, local time", '08:00')
    .option('--urgent-end <HH:MM>', "urgent response team's service end, local time", '20:00')
    .option('--timezone <tz>', 'IANA time zone', 'Europe/London')
    .option('--out-of-hours <route>', 'where urgent alerts go outside those hours', '')
    .action(async (o: { org: string; name: string; urgentStart: string; urgentEnd: string; timezone: string; outOfHours: string }) => {
      const { directory } = await ctx.open();
      const organisation = await orgOf(directory, o.org);
      const n = await directory.addNeighbourhood({
        orgId: organisation.id,
        name: o.name,
        urgentStart: o.urgentStart,
        urgentEnd: o.urgentEnd,
        timezone: o.timezone,
        outOfHoursRoute: o.outOfHours,
      });
      ctx.out(`neighbourhood ${n.name} added (id ${n.id})`, n);
    });

  program
    .command('user')
    .description('people who sign in')
    .command('add')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--username <username>', 'sign-in name')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .option('--name <displayName>', 'display name')
    .option('--neighbourhood <neighbourhood>', 'neighbourhood id or name')
    .option('--password-stdin', 'read the password from standard input (else HEARTH_PASSWORD, else one is generated and printed once)')
    .action(async (o: { org: string; username: string; role: Role; name?: string; neighbourhood?: string; passwordStdin?: boolean }) => {
      const { directory } = await ctx.open();
      const organisation = await orgOf(directory, o.org);
      const nb = o.neighbourhood ? await directory.findNeighbourhood(organisation.id, o.neighbourhood) : undefined;
      if (o.neighbourhood && !nb) throw new HearthError('HEARTH_ERR_NOT_FOUND', `no neighbourhood "${o.neighbourhood}"`);
      // Passwords are never taken as arguments: the process list would show them.
      const given = o.passwordStdin ? readStdin() : process.env.HEARTH_PASSWORD;
      const password = given || crypto.randomBytes(12).toString('base64url');
      const u = await directory.addUser({
        orgId: organisation.id,
        username: o.username,
        password,
        role: o.role,
        displayName: o.name ?? o.username,
        neighbourhoodId: nb?.id ?? null,
      });
      const shown = given ? undefined : password;
      ctx.out(`user ${u.username} (${u.role}) added (id ${u.id})${shown ? `\npassword (shown once): ${shown}` : ''}`, { ...u, ...(shown ? { password: shown } : {}) });
    });

  program
    .command('resident')
    .description('monitored people')
    .command('add')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--neighbourhood <neighbourhood>', 'neighbourhood id or name')
    .requiredOption('--name <name>', "resident's name")
    .option('--hub <hubId>', 'the hub of their home')
    .option('--timezone <tz>', 'IANA time zone', 'Europe/London')
    .option('--coordinator <username>', 'their named care coordinator (username)')
    .option('--plan <json>', 'monitoring plan overrides as JSON, e.g. {"usualRising":"09:00"}', '{}')
    .action(async (o: { org: string; neighbourhood: string; name: string; hub?: string; timezone: string; coordinator?: string; plan: string }) => {
      const { directory } = await ctx.open();
      const organisation = await orgOf(directory, o.org);
      const nb = await directory.findNeighbourhood(organisation.id, o.neighbourhood);
      if (!nb) throw new HearthError('HEARTH_ERR_NOT_FOUND', `no neighbourhood "${o.neighbourhood}"`);
      const coordinator = o.coordinator ? await directory.findUser(organisation.id, o.coordinator) : undefined;
      if (o.coordinator && coordinator?.role !== 'coordinator') throw new HearthError('HEARTH_ERR_NOT_FOUND', `no coordinator "${o.coordinator}"`);
      let plan: Record<string, unknown>;
      try {
        plan = JSON.parse(o.plan) as Record<string, unknown>;
      } catch {
        throw new HearthError('HEARTH_ERR_VALIDATION', '--plan must be JSON');
      }
      const r = await directory.addResident({
        orgId: organisation.id,
        neighbourhoodId: nb.id,
        name: o.name,
        hubId: o.hub ?? null,
        timezone: o.timezone,
        coordinatorId: coordinator?.id ?? null,
        plan,
      });
      ctx.out(`resident ${r.name} added (id ${r.id})`, r);
    });

  const hub = program.command('hub').description('home hubs');
  hub
    .command('add')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--id <hubId>', 'hub id: 3 to 64 of a-z, 0-9, -')
    .option('--name <name>', 'a name for the installer')
    .action(async (o: { org: string; id: string; name?: string }) => {
      const { directory } = await ctx.open();
      const organisation = await orgOf(directory, o.org);
      const h = await directory.addHub({ orgId: organisation.id, hubId: o.id, ...(o.name ? { name: o.name } : {}) });
      ctx.out(`hub ${h.hubId} added\nsecret (shown once, store it in the hub's config): ${h.secret}`, h);
    });
  hub
    .command('rotate-secret')
    .argument('<hubId>', 'hub id')
    .action(async (hubId: string) => {
      const { directory } = await ctx.open();
      const secret = await directory.rotateHubSecret(hubId);
      ctx.out(`new secret for ${hubId} (shown once; the old one no longer works): ${secret}`, { hubId, secret });
    });

  program
    .command('sensor')
    .description("a hub's sensors")
    .command('add')
    .requiredOption('--hub <hubId>', 'hub id')
    .requiredOption('--sensor <sensorId>', "the sensor's id within the hub")
    .addOption(new Option('--type <type>', 'sensor kind').choices([...SENSOR_TYPES]).makeOptionMandatory())
    .requiredOption('--room <room>', 'room')
    .option('--role <role>', 'what it watches: exterior-door, bathroom, bedroom, ...')
    .action(async (o: { hub: string; sensor: string; type: SensorType; room: string; role?: string }) => {
      const { directory } = await ctx.open();
      await directory.commissionSensor({ hubId: o.hub, sensorId: o.sensor, type: o.type, room: o.room, ...(o.role ? { role: o.role } : {}) });
      ctx.out(`sensor ${o.sensor} on ${o.hub} commissioned (${o.type}, ${o.room})`, o);
    });

  for (const extend of extensions) extend(program, ctx);
  program.hook('postAction', async () => {
    await opened?.db.destroy();
    opened = undefined;
  });
  return program;
}

/** Run the CLI with process arguments; errors print their catalogue code and exit 1. */
export async function runCli(argv: string[], extensions: CliExtension[] = []): Promise<void> {
  try {
    await buildCli(extensions).parseAsync(argv);
  } catch (err) {
    const code = err instanceof HearthError ? err.code : 'HEARTH_ERR_INTERNAL';
    process.stderr.write(`${code}: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/src/cli.ts')) {
  const { routingCli } = await import('./cli/routing.ts');
  await runCli(process.argv, [routingCli]);
}
