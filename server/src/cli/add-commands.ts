// The `add` commands of the admin CLI: organisations, neighbourhoods, users, residents, hubs and sensors.
import crypto from 'node:crypto';
import { Option, type Command } from 'commander';
import { SENSOR_TYPES, type SensorType } from '../../../protocol/index.ts';
import { ROLES, type Role } from '../care/model.ts';
import type { CliContext, CliExtension } from '../cli.ts';
import { HearthError } from '../errors.ts';
import { group } from './group.ts';
import { resolveHub, resolveNeighbourhood, resolveOrg, resolveUser } from './resolve.ts';

const hhmmHelp = '24-hour local time HH:MM, e.g. 08:00';

/** Ask for consent, or refuse: consent to monitoring is never recorded without someone saying so. */
async function confirmConsent(ctx: CliContext, name: string, given: boolean | undefined): Promise<void> {
  if (given) return;
  const answer = await ctx.ask(`Has ${name} (or their representative) consented to monitoring? Type "yes" to record it: `);
  if (answer === null) {
    throw new HearthError('HEARTH_ERR_VALIDATION', `consent to monitoring is not recorded without asking: pass --confirm-consent once ${name} (or their representative) has agreed, with --consent-recorded-by`);
  }
  if (answer.trim().toLowerCase() !== 'yes') throw new HearthError('HEARTH_ERR_VALIDATION', `consent was not confirmed, so ${name} was not added`);
}

/** Register the add commands. */
export const addCli: CliExtension = (program: Command, ctx: CliContext) => {
  group(program, 'org', 'organisations (tenants)')
    .command('add')
    .description('add an organisation; names are unique')
    .argument('<name>', 'organisation name')
    .action(async (name: string) => {
      const { directory } = await ctx.open();
      const o = await directory.addOrganisation(name);
      ctx.out(`organisation ${o.name} added (id ${o.id})`, o);
    });

  group(program, 'neighbourhood', 'neighbourhoods and their urgent response team')
    .command('add')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--name <name>', 'neighbourhood name (unique in the organisation)')
    .option('--urgent-start <HH:MM>', `urgent response team's service start, ${hhmmHelp} (default: the organisation's, 08:00)`)
    .option('--urgent-end <HH:MM>', `urgent response team's service end, ${hhmmHelp} (default: the organisation's, 20:00)`)
    .option('--timezone <tz>', "IANA time zone (default: the organisation's, Europe/London)")
    .option('--out-of-hours <route>', 'where urgent alerts go outside those hours', '')
    .action(async (o: { org: string; name: string; urgentStart?: string; urgentEnd?: string; timezone?: string; outOfHours: string }) => {
      const { opened, directory } = await ctx.open();
      const org = await resolveOrg(opened.db, o.org);
      const n = await directory.addNeighbourhood({
        orgId: org.id,
        name: o.name,
        outOfHoursRoute: o.outOfHours,
        ...(o.urgentStart ? { urgentStart: o.urgentStart } : {}),
        ...(o.urgentEnd ? { urgentEnd: o.urgentEnd } : {}),
        ...(o.timezone ? { timezone: o.timezone } : {}),
      });
      ctx.out(`neighbourhood ${n.name} added (id ${n.id})`, n);
    });

  group(program, 'user', 'people who sign in')
    .command('add')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--username <username>', 'sign-in name')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .option('--name <displayName>', 'display name')
    .option('--neighbourhood <neighbourhood>', 'neighbourhood id or name')
    .option('--password-stdin', 'read the password from standard input (else HEARTH_PASSWORD, else one is generated and printed once)')
    .action(async (o: { org: string; username: string; role: Role; name?: string; neighbourhood?: string; passwordStdin?: boolean }) => {
      const { opened, directory } = await ctx.open();
      const org = await resolveOrg(opened.db, o.org);
      const nb = o.neighbourhood ? await resolveNeighbourhood(opened.db, org.id, o.neighbourhood) : undefined;
      // Passwords are never taken as arguments: the process list would show them.
      const given = o.passwordStdin ? ctx.readStdin() : process.env.HEARTH_PASSWORD;
      const password = given || crypto.randomBytes(12).toString('base64url');
      const u = await directory.addUser({ orgId: org.id, username: o.username, password, role: o.role, displayName: o.name ?? o.username, neighbourhoodId: nb?.id ?? null });
      const shown = given ? undefined : password;
      ctx.out(`user ${u.username} (${u.role}) added (id ${u.id})${shown ? `\npassword (shown once): ${shown}` : ''}`, { ...u, ...(shown ? { password: shown } : {}) });
    });

  group(program, 'resident', 'monitored people')
    .command('add')
    .description('add a resident; consent to monitoring must be confirmed (--confirm-consent, or answered when asked)')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--neighbourhood <neighbourhood>', 'neighbourhood id or name')
    .requiredOption('--name <name>', "resident's name")
    .option('--hub <hubId>', 'the hub of their home')
    .option('--timezone <tz>', "IANA time zone (default: the organisation's)")
    .option('--coordinator <username>', 'their named care coordinator (username)')
    .option('--plan <json>', 'monitoring plan overrides as JSON, e.g. {"usualRising":"09:00"}', '{}')
    .option('--confirm-consent', 'the resident (or their representative) has consented to monitoring')
    .option('--consent-recorded-by <name>', 'who took the consent', 'cli')
    .option('--share-with-contacts', 'they agreed that contacts are told of alerts')
    .action(async (o: { org: string; neighbourhood: string; name: string; hub?: string; timezone?: string; coordinator?: string; plan: string; confirmConsent?: boolean; consentRecordedBy: string; shareWithContacts?: boolean }) => {
      const { opened, directory } = await ctx.open();
      const org = await resolveOrg(opened.db, o.org);
      const nb = await resolveNeighbourhood(opened.db, org.id, o.neighbourhood);
      if (o.hub) await resolveHub(opened.db, o.hub, org.id);
      const coordinator = o.coordinator ? await resolveUser(opened.db, org.id, o.coordinator) : undefined;
      if (coordinator && coordinator.role !== 'coordinator') throw new HearthError('HEARTH_ERR_VALIDATION', `user "${coordinator.name}" is a ${coordinator.role}, not a coordinator`);
      let plan: Record<string, unknown>;
      try {
        plan = JSON.parse(o.plan) as Record<string, unknown>;
      } catch {
        throw new HearthError('HEARTH_ERR_VALIDATION', '--plan must be JSON, e.g. {"usualRising":"09:00"}');
      }
      await confirmConsent(ctx, o.name, o.confirmConsent);
      const consent = { monitoring: true, shareWithContacts: Boolean(o.shareWithContacts), recordedAt: new Date().toISOString(), recordedBy: o.consentRecordedBy };
      const r = await directory.addResident({ orgId: org.id, neighbourhoodId: nb.id, name: o.name, hubId: o.hub ?? null, ...(o.timezone ? { timezone: o.timezone } : {}), coordinatorId: coordinator?.id ?? null, plan, consent });
      ctx.out(`resident ${r.name} added (id ${r.id}); consent recorded by ${consent.recordedBy}`, { ...r, consent });
    });

  const hub = group(program, 'hub', 'home hubs');
  hub
    .command('add')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--id <hubId>', 'hub id: 3 to 64 of a-z, 0-9, -')
    .option('--name <name>', 'a name for the installer')
    .action(async (o: { org: string; id: string; name?: string }) => {
      const { opened, directory } = await ctx.open();
      const org = await resolveOrg(opened.db, o.org);
      const h = await directory.addHub({ orgId: org.id, hubId: o.id, ...(o.name ? { name: o.name } : {}) });
      ctx.out(`hub ${h.hubId} added\nsecret (shown once, store it in the hub's config): ${h.secret}`, h);
    });
  hub
    .command('rotate-secret')
    .argument('<hubId>', 'hub id')
    .action(async (hubId: string) => {
      const { opened, directory } = await ctx.open();
      await resolveHub(opened.db, hubId);
      const secret = await directory.rotateHubSecret(hubId);
      ctx.out(`new secret for ${hubId} (shown once; the old one no longer works): ${secret}`, { hubId, secret });
    });

  group(program, 'sensor', "a hub's sensors")
    .command('add')
    .description('commission a sensor of a hub: where it is and what it watches')
    .requiredOption('--hub <hubId>', 'hub id')
    .requiredOption('--sensor <sensorId>', "the sensor's id within the hub")
    .addOption(new Option('--type <type>', 'sensor kind').choices([...SENSOR_TYPES]).makeOptionMandatory())
    .requiredOption('--room <room>', 'room')
    .option('--role <role>', 'what it watches: exterior-door, bathroom, bedroom, ...')
    .action(async (o: { hub: string; sensor: string; type: SensorType; room: string; role?: string }) => {
      const { opened, directory } = await ctx.open();
      await resolveHub(opened.db, o.hub);
      await directory.commissionSensor({ hubId: o.hub, sensorId: o.sensor, type: o.type, room: o.room, ...(o.role ? { role: o.role } : {}) });
      ctx.out(`sensor ${o.sensor} on ${o.hub} commissioned (${o.type}, ${o.room})`, o);
    });
};
