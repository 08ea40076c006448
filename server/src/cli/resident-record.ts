// `resident record show` and `resident record set`: the resident record (address, key safe, GP, warnings...)
// from the command line (issue 11). Registered as a CliExtension of server/src/cli.ts.
import fs from 'node:fs';
import type { CliContext, CliExtension } from '../cli.ts';
import { ResidentRecords } from '../care/resident-record.ts';
import { SystemClock } from '../clock.ts';
import { HearthError } from '../errors.ts';
import { group } from './group.ts';
import { resolveOrg, resolveResident } from './resolve.ts';

function readJson(source: string): unknown {
  const text = fs.readFileSync(source === '-' ? 0 : source, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HearthError('HEARTH_ERR_VALIDATION', 'the record is not valid JSON');
  }
}

async function open(ctx: CliContext, o: { org: string; resident: string }) {
  const { opened } = await ctx.open();
  const org = await resolveOrg(opened.db, o.org);
  const resident = await resolveResident(opened.db, org.id, o.resident);
  return { records: new ResidentRecords(opened.db, new SystemClock()), orgId: org.id, residentId: resident.id };
}

function human(view: Awaited<ReturnType<ResidentRecords['get']>>): string {
  const r = view.record;
  const lines = [`${view.name} (${view.residentId})`];
  if (r.address) lines.push(`address: ${[r.address.line1, r.address.line2, r.address.town, r.address.postcode].filter(Boolean).join(', ')}`);
  if (r.phone) lines.push(`phone: ${r.phone}`);
  if (r.keySafe) lines.push(`key safe: ${[r.keySafe.code, r.keySafe.location].filter(Boolean).join(', ')}`);
  if (r.accessNotes) lines.push(`access: ${r.accessNotes}`);
  if (r.gp) lines.push(`GP: ${[r.gp.name, r.gp.practice, r.gp.phone].filter(Boolean).join(', ')}`);
  for (const [k, v] of [['conditions', r.conditions], ['allergies', r.allergies], ['hazards', r.hazards]] as const) if (v?.length) lines.push(`${k}: ${v.join('; ')}`);
  if (r.medications?.length) lines.push(`medication: ${r.medications.map((m) => `${m.name}${m.warning ? ` (${m.warning})` : ''}`).join('; ')}`);
  if (r.language) lines.push(`language: ${r.language}`);
  if (r.carePlan) lines.push(`care plan: ${r.carePlan}`);
  for (const c of view.contacts) lines.push(`contact (${c.relation}): ${c.name}${c.phone ? ` ${c.phone}` : ''}`);
  return lines.join('\n');
}

/** The resident record commands. */
export const residentRecordCli: CliExtension = (program, ctx) => {
  const record = group(program, 'resident', 'monitored people').command('record').description("a resident's record: address, phone, key safe, access notes, GP, conditions, medication, allergies, language, hazards, care plan");
  record
    .command('show')
    .requiredOption('--org <org>', 'organisation name or id')
    .requiredOption('--resident <resident>', 'resident id or unique name')
    .action(async (o: { org: string; resident: string }) => {
      const { records, orgId, residentId } = await open(ctx, o);
      const view = await records.get(orgId, residentId);
      ctx.out(human(view), view);
    });
  record
    .command('set')
    .description('replace the record with a JSON document (--file path, or - for standard input); --merge keeps fields not given')
    .requiredOption('--org <org>', 'organisation name or id')
    .requiredOption('--resident <resident>', 'resident id or unique name')
    .requiredOption('--file <file>', 'the record as JSON (docs/console.md lists the fields), or - for standard input')
    .option('--merge', 'merge into the current record instead of replacing it')
    .action(async (o: { org: string; resident: string; file: string; merge?: boolean }) => {
      const { records, orgId, residentId } = await open(ctx, o);
      const given = readJson(o.file);
      if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new HearthError('HEARTH_ERR_VALIDATION', 'the record must be a JSON object');
      const next = o.merge ? { ...(await records.get(orgId, residentId)).record, ...given } : given;
      const view = await records.set(orgId, residentId, next, null);
      ctx.out(`record of ${view.name} saved\n${human(view)}`, view);
    });
};
