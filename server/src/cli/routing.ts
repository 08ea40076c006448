// Admin CLI commands for alert routing (issue 4): the urgent team's hours and routing rules, outbound
// channels, residents' care details, and the service report. Registered as a CliExtension of server/src/cli.ts.
import fs from 'node:fs';
import type { Command } from 'commander';
import { pino } from 'pino';
import { z } from 'zod';
import { ContactSchema, type Directory } from '../care/directory.ts';
import { ALERT_TYPES, ROLES, type AlertType, type Role } from '../care/model.ts';
import type { CliContext, CliExtension } from '../cli.ts';
import { SystemClock } from '../clock.ts';
import { HearthError } from '../errors.ts';
import { group } from './group.ts';
import { resolveNeighbourhood, resolveOrg } from './resolve.ts';
import { CHANNEL_KINDS, Channels, OWNER_TYPES, type ChannelKind, type OwnerType } from '../notify/channels.ts';
import { Notifier } from '../notify/notifier.ts';
import { reportCsv, ServiceReports } from '../reports/service-report.ts';
import { Deadlines } from '../routing/deadlines.ts';
import { Router, RoutingRuleSchema } from '../routing/router.ts';
import type { RoutingRule } from '../routing/table.ts';

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HearthError('HEARTH_ERR_VALIDATION', `${what} is not valid JSON`);
  }
}

/** JSON from a file, or from standard input with "-" (so secrets stay out of shell history). */
function readJson(source: string, what: string): unknown {
  return parseJson(fs.readFileSync(source === '-' ? 0 : source, 'utf8'), what);
}

const yes = (v: string): boolean => {
  if (['yes', 'true', 'on'].includes(v)) return true;
  if (['no', 'false', 'off'].includes(v)) return false;
  throw new HearthError('HEARTH_ERR_VALIDATION', `expected yes or no, got "${v}"`);
};



async function partsOf(ctx: CliContext): Promise<{ router: Router; directory: Directory; channels: Channels; reports: ServiceReports }> {
  const { opened, directory } = await ctx.open();
  const clock = new SystemClock();
  const log = pino({ level: 'silent' });
  const deadlines = new Deadlines(opened.db, clock, log);
  const router = new Router(opened.db, clock, deadlines, new Notifier(opened.db, clock, log), log);
  return { router, directory, channels: new Channels(opened.db, () => clock.now()), reports: new ServiceReports(opened.db, () => clock.now()) };
}

/** The routing, channel, care and report commands. */
export const routingCli: CliExtension = (program: Command, ctx: CliContext) => {
  // By id or unique name: a name two records share is refused (cli/resolve.ts).
  const orgOf = async (_d: Directory, ref: string): Promise<{ id: string; name: string }> => resolveOrg((await ctx.open()).opened.db, ref);
  const nbOf = async (_d: Directory, orgId: string, ref: string): Promise<{ id: string; name: string }> => resolveNeighbourhood((await ctx.open()).opened.db, orgId, ref);
  const routing = program.command('routing').description("urgent response team hours and a neighbourhood's routing rules");
  routing
    .command('hours')
    .description("set the urgent response team's hours (local time), time zone and out-of-hours route")
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--neighbourhood <nb>', 'neighbourhood id or name')
    .option('--urgent-start <HH:MM>')
    .option('--urgent-end <HH:MM>')
    .option('--timezone <tz>')
    .option('--out-of-hours <route>', 'route name whose channels get urgent alerts outside the hours')
    .action(async (o: { org: string; neighbourhood: string; urgentStart?: string; urgentEnd?: string; timezone?: string; outOfHours?: string }) => {
      const { directory } = await ctx.open();
      const org = await orgOf(directory, o.org);
      const nb = await nbOf(directory, org.id, o.neighbourhood);
      const updated = await directory.updateNeighbourhood(org.id, nb.id, {
        ...(o.urgentStart ? { urgentStart: o.urgentStart } : {}),
        ...(o.urgentEnd ? { urgentEnd: o.urgentEnd } : {}),
        ...(o.timezone ? { timezone: o.timezone } : {}),
        ...(o.outOfHours !== undefined ? { outOfHoursRoute: o.outOfHours } : {}),
      });
      ctx.out(`${updated.name}: urgent team ${updated.urgentStart}-${updated.urgentEnd} ${updated.timezone}, out of hours: ${updated.outOfHoursRoute || '(default route)'}`, updated);
    });
  routing
    .command('rules')
    .description("replace a neighbourhood's own routing rules from a JSON file (array of {type?, severity?, period, targets})")
    .requiredOption('--org <org>')
    .requiredOption('--neighbourhood <nb>')
    .requiredOption('--file <path>', 'JSON file, or - for standard input')
    .action(async (o: { org: string; neighbourhood: string; file: string }) => {
      const { router, directory } = await partsOf(ctx);
      const org = await orgOf(directory, o.org);
      const nb = await nbOf(directory, org.id, o.neighbourhood);
      const parsed = z.array(RoutingRuleSchema).safeParse(readJson(o.file, 'the rules file'));
      if (!parsed.success) throw new HearthError('HEARTH_ERR_VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      const rules = await router.setRules(org.id, nb.id, parsed.data as RoutingRule[]);
      ctx.out(`${nb.name}: ${rules.length} routing rule(s) set`, rules);
    });
  routing
    .command('show')
    .description('where each alert type would go now (or at --at), with the period')
    .requiredOption('--org <org>')
    .requiredOption('--neighbourhood <nb>')
    .option('--at <iso-time>', 'a moment to decide for (default: now)')
    .action(async (o: { org: string; neighbourhood: string; at?: string }) => {
      const { router, directory } = await partsOf(ctx);
      const org = await orgOf(directory, o.org);
      const nb = await nbOf(directory, org.id, o.neighbourhood);
      const at = o.at ? Date.parse(o.at) : Date.now();
      if (Number.isNaN(at)) throw new HearthError('HEARTH_ERR_VALIDATION', '--at must be an ISO time');
      const out: Record<string, { period: string; targets: string[] }> = {};
      for (const type of Object.keys(ALERT_TYPES) as AlertType[]) out[type] = await router.decide(org.id, nb.id, type, at);
      ctx.out(Object.entries(out).map(([t, d]) => `${t.padEnd(15)} ${d.period.padEnd(13)} ${d.targets.join(', ')}`).join('\n'), out);
    });

  const channel = group(program, 'channel', 'outbound channels: webhook, e-mail, SMS');
  channel
    .command('add')
    .requiredOption('--org <org>')
    .requiredOption('--owner-type <type>', OWNER_TYPES.join(' | '))
    .requiredOption('--owner <id>', 'neighbourhood (team), route name, user or resident id or name')
    .requiredOption('--kind <kind>', CHANNEL_KINDS.join(' | '))
    .requiredOption('--config <path>', 'JSON settings file, or - for standard input (holds secrets: not an argument)')
    .option('--name <name>')
    .action(async (o: { org: string; ownerType: string; owner: string; kind: string; config: string; name?: string }) => {
      const { directory, channels } = await partsOf(ctx);
      const org = await orgOf(directory, o.org);
      if (!OWNER_TYPES.includes(o.ownerType as OwnerType)) throw new HearthError('HEARTH_ERR_VALIDATION', `owner type must be one of ${OWNER_TYPES.join(', ')}`);
      if (!CHANNEL_KINDS.includes(o.kind as ChannelKind)) throw new HearthError('HEARTH_ERR_VALIDATION', `kind must be one of ${CHANNEL_KINDS.join(', ')}`);
      let ownerId = o.owner;
      if (o.ownerType === 'team') ownerId = (await nbOf(directory, org.id, o.owner)).id;
      if (o.ownerType === 'user') ownerId = (await directory.findUser(org.id, o.owner))?.id ?? o.owner;
      const view = await channels.add({ orgId: org.id, ownerType: o.ownerType as OwnerType, ownerId, kind: o.kind as ChannelKind, ...(o.name ? { name: o.name } : {}), config: readJson(o.config, 'the channel settings') });
      ctx.out(`channel ${view.id} added: ${view.kind} to ${view.target}`, view);
    });

  const care = program.command('care').description("residents' care details and users by role");
  const residentOf = async (o: { org: string; resident: string }) => {
    const { directory } = await ctx.open();
    const org = await orgOf(directory, o.org);
    return { directory, org, resident: await directory.getResident(org.id, o.resident) };
  };
  care
    .command('users')
    .requiredOption('--org <org>')
    .option('--role <role>', ROLES.join(' | '))
    .action(async (o: { org: string; role?: string }) => {
      const { directory } = await ctx.open();
      if (o.role && !ROLES.includes(o.role as Role)) throw new HearthError('HEARTH_ERR_VALIDATION', `role must be one of ${ROLES.join(', ')}`);
      const users = await directory.usersByRole((await orgOf(directory, o.org)).id, o.role as Role | undefined);
      ctx.out(users.map((u) => `${u.id} ${u.username} ${u.role}`).join('\n') || '(none)', users);
    });
  care
    .command('plan')
    .description('change monitoring plan values: --set key=value (repeatable; value "default" restores it)')
    .requiredOption('--org <org>')
    .requiredOption('--resident <id>')
    .option('--set <key=value>', 'a plan value', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action(async (o: { org: string; resident: string; set: string[] }) => {
      const { directory, org, resident } = await residentOf(o);
      const patch: Record<string, unknown> = {};
      for (const kv of o.set) {
        const i = kv.indexOf('=');
        if (i < 1) throw new HearthError('HEARTH_ERR_VALIDATION', `--set expects key=value, got "${kv}"`);
        const raw = kv.slice(i + 1);
        patch[kv.slice(0, i)] = raw === 'default' ? null : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
      }
      const r = await directory.updatePlan(org.id, resident.id, patch);
      ctx.out(`${r.name}: plan ${JSON.stringify(r.planOverrides)}`, r);
    });
  care
    .command('contacts')
    .requiredOption('--org <org>')
    .requiredOption('--resident <id>')
    .requiredOption('--file <path>', 'JSON array of {name, relation, phone?, email?, note?}, or - for standard input')
    .action(async (o: { org: string; resident: string; file: string }) => {
      const { directory, org, resident } = await residentOf(o);
      const r = await directory.setContacts(org.id, resident.id, readJson(o.file, 'the contacts file') as z.infer<typeof ContactSchema>[]);
      ctx.out(`${r.name}: ${r.contacts.length} contact(s)`, r);
    });
  care
    .command('consent')
    .requiredOption('--org <org>')
    .requiredOption('--resident <id>')
    .requiredOption('--monitoring <yes|no>')
    .option('--share-with-contacts <yes|no>', 'tell contacts of alerts', 'no')
    .option('--note <text>')
    .requiredOption('--recorded-by <name>', 'who recorded the consent')
    .action(async (o: { org: string; resident: string; monitoring: string; shareWithContacts: string; note?: string; recordedBy: string }) => {
      const { directory, org, resident } = await residentOf(o);
      const r = await directory.setConsent(org.id, resident.id, { monitoring: yes(o.monitoring), shareWithContacts: yes(o.shareWithContacts), note: o.note }, o.recordedBy);
      ctx.out(`${r.name}: consent recorded`, r);
    });
  care
    .command('away')
    .requiredOption('--org <org>')
    .requiredOption('--resident <id>')
    .argument('<state>', 'on or off')
    .action(async (state: string, o: { org: string; resident: string }) => {
      const { directory, org, resident } = await residentOf(o);
      const r = await directory.setAway(org.id, resident.id, yes(state));
      ctx.out(`${r.name}: away mode ${r.away ? 'on' : 'off'}`, r);
    });
  care
    .command('coordinator')
    .requiredOption('--org <org>')
    .requiredOption('--resident <id>')
    .requiredOption('--coordinator <user>', 'user id or username')
    .action(async (o: { org: string; resident: string; coordinator: string }) => {
      const { directory, org, resident } = await residentOf(o);
      const r = await directory.setCoordinator(org.id, resident.id, o.coordinator);
      ctx.out(`${r.name}: coordinator ${o.coordinator}`, r);
    });

  program
    .command('report')
    .description('service reports')
    .command('service')
    .requiredOption('--org <org>')
    .requiredOption('--neighbourhood <nb>')
    .requiredOption('--month <YYYY-MM>')
    .option('--csv', 'print CSV')
    .action(async (o: { org: string; neighbourhood: string; month: string; csv?: boolean }) => {
      const { directory, reports } = await partsOf(ctx);
      const org = await orgOf(directory, o.org);
      const nb = await nbOf(directory, org.id, o.neighbourhood);
      const r = await reports.compute(org.id, nb.id, o.month);
      if (o.csv) process.stdout.write(reportCsv(r));
      else {
        const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
        ctx.out(
          `${r.neighbourhood.name} ${r.month}: ${r.alerts.total} alerts; acknowledged within 60 s ${pct(r.acknowledgement.share)} (standard 98.5%); on site within 2 h ${pct(r.urgentResponse.share)} (standard 70%)`,
          r,
        );
      }
    });
};
