// `list`, `show`, `remove`, `disable` and `enable` for every kind of record, described as data:
// each kind says how its records are scoped (an organisation, a hub), found, listed, removed and disabled.
import type { Command } from 'commander';
import { AdminRecords, type RecordView } from '../care/admin-records.ts';
import type { CliContext, CliExtension } from '../cli.ts';
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';
import { group } from './group.ts';
import { Channels } from '../notify/channels.ts';
import { resolveChannel, resolveHub, resolveNeighbourhood, resolveOrg, resolveResident, resolveSensor, resolveUser } from './resolve.ts';

/** The scope options of a command: `--org` or `--hub`. */
type Scope = { org?: string; hub?: string };
/** A record found from the command line: what to call it, and the ids the actions need. */
interface Found {
  label: string;
  orgId: string;
  id: string;
  hubId?: string;
}
/** What the actions of one kind are given. */
interface Env {
  db: Db;
  records: AdminRecords;
  channels: Channels;
}

/** One kind of record and its actions. */
interface RecordKind {
  name: string;
  scope: 'org' | 'hub' | 'none';
  list(env: Env, scope: Scope): Promise<RecordView[]>;
  find(env: Env, scope: Scope, ref: string): Promise<Found>;
  show(env: Env, found: Found): Promise<RecordView>;
  remove(env: Env, found: Found): Promise<void>;
  /** Absent: the kind has no disabled state (say so rather than pretend). */
  disable?(env: Env, found: Found, disabled: boolean): Promise<void>;
  /** What disabling does, for the help text. */
  disableMeans?: string;
}

const orgIdOf = async (env: Env, s: Scope): Promise<string> => (await resolveOrg(env.db, s.org!)).id;
const oneOf = (rows: RecordView[], key: string, id: string): RecordView => {
  const r = rows.find((x) => x[key] === id);
  if (!r) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such record');
  return r;
};

/** The kinds, as a table. */
export const RECORD_KINDS: RecordKind[] = [
  {
    name: 'org',
    scope: 'none',
    list: (env) => env.records.organisations(),
    find: async (env, _s, ref) => {
      const o = await resolveOrg(env.db, ref);
      return { label: `organisation "${o.name}"`, orgId: o.id, id: o.id };
    },
    show: (env, f) => env.records.organisation(f.id),
    remove: (env, f) => env.records.removeOrganisation(f.id, f.label.replace(/^organisation "|"$/g, '')),
    disable: (env, f, d) => env.records.setOrganisationDisabled(f.id, d),
    disableMeans: 'nobody of it signs in (open sessions end) and none of its hubs connects',
  },
  {
    name: 'neighbourhood',
    scope: 'org',
    list: async (env, s) => env.records.neighbourhoods(await orgIdOf(env, s)),
    find: async (env, s, ref) => {
      const orgId = await orgIdOf(env, s);
      const n = await resolveNeighbourhood(env.db, orgId, ref);
      return { label: `neighbourhood "${n.name}"`, orgId, id: n.id };
    },
    show: (env, f) => env.records.neighbourhood(f.orgId, f.id),
    remove: (env, f) => env.records.removeNeighbourhood(f.orgId, f.id),
  },
  {
    name: 'user',
    scope: 'org',
    list: async (env, s) => env.records.users(await orgIdOf(env, s)),
    find: async (env, s, ref) => {
      const orgId = await orgIdOf(env, s);
      const u = await resolveUser(env.db, orgId, ref);
      return { label: `user "${u.name}"`, orgId, id: u.id };
    },
    show: async (env, f) => oneOf(await env.records.users(f.orgId), 'id', f.id),
    remove: (env, f) => env.records.removeUser(f.orgId, f.id, f.label.replace(/^user "|"$/g, '')),
    disable: (env, f, d) => env.records.setUserDisabled(f.orgId, f.id, d),
    disableMeans: 'they cannot sign in and their open sessions end at once',
  },
  {
    name: 'resident',
    scope: 'org',
    list: async (env, s) => env.records.residents(await orgIdOf(env, s)),
    find: async (env, s, ref) => {
      const orgId = await orgIdOf(env, s);
      const r = await resolveResident(env.db, orgId, ref);
      return { label: `resident "${r.name}"`, orgId, id: r.id };
    },
    show: async (env, f) => oneOf(await env.records.residents(f.orgId), 'id', f.id),
    remove: (env, f) => env.records.removeResident(f.orgId, f.id, f.label.replace(/^resident "|"$/g, '')),
    disable: (env, f, d) => env.records.setResidentDisabled(f.orgId, f.id, d),
    disableMeans: 'monitoring ended (moved out, discharged): the detectors no longer watch for them; the record is kept',
  },
  {
    name: 'hub',
    scope: 'org',
    list: async (env, s) => env.records.hubs(await orgIdOf(env, s)),
    find: async (env, s, ref) => {
      const orgId = await orgIdOf(env, s);
      const h = await resolveHub(env.db, ref, orgId);
      return { label: `hub "${h.id}"`, orgId, id: h.id };
    },
    show: async (env, f) => ({ ...oneOf(await env.records.hubs(f.orgId), 'id', f.id), sensors: (await env.records.sensors(f.id)).length }),
    remove: (env, f) => env.records.removeHub(f.id),
    disable: (env, f, d) => env.records.setHubDisabled(f.id, d),
    disableMeans: 'it may no longer connect (from its next connection)',
  },
  {
    name: 'sensor',
    scope: 'hub',
    list: async (env, s) => {
      await resolveHub(env.db, s.hub!);
      return env.records.sensors(s.hub!);
    },
    find: async (env, s, ref) => {
      await resolveSensor(env.db, s.hub!, ref);
      const h = await resolveHub(env.db, s.hub!);
      return { label: `sensor "${ref}" of hub "${s.hub}"`, orgId: h.orgId, id: ref, hubId: s.hub! };
    },
    show: async (env, f) => oneOf(await env.records.sensors(f.hubId!), 'sensorId', f.id),
    remove: (env, f) => env.records.removeSensor(f.hubId!, f.id),
    disable: (env, f, d) => env.records.setSensorDisabled(f.hubId!, f.id, d),
    disableMeans: 'out of service: its events no longer count',
  },
  {
    name: 'channel',
    scope: 'org',
    list: async (env, s) => (await env.channels.list(await orgIdOf(env, s))) as unknown as RecordView[],
    find: async (env, s, ref) => {
      const orgId = await orgIdOf(env, s);
      const c = await resolveChannel(env.db, orgId, ref);
      return { label: `channel "${c.name}"`, orgId, id: c.id };
    },
    show: async (env, f) => oneOf((await env.channels.list(f.orgId)) as unknown as RecordView[], 'id', f.id),
    remove: (env, f) => env.channels.remove(f.orgId, f.id),
    disable: async (env, f, d) => {
      await env.channels.setEnabled(f.orgId, f.id, !d);
    },
    disableMeans: 'nothing is sent through it (notifications to it are recorded as failed)',
  },
];

/** One line per record for people: its values, space-separated. */
function listText(rows: RecordView[]): string {
  return rows.map((r) => Object.entries(r).map(([k, v]) => (typeof v === 'boolean' ? (v ? k : '') : `${v ?? '-'}`)).filter(Boolean).join('  ')).join('\n') || '(none)';
}

/** `key: value` lines for people. */
function showText(r: RecordView): string {
  return Object.entries(r).map(([k, v]) => `${k}: ${v ?? '-'}`).join('\n');
}

function scoped(cmd: Command, kind: RecordKind): Command {
  if (kind.scope === 'org') cmd.requiredOption('--org <org>', 'organisation id or name');
  if (kind.scope === 'hub') cmd.requiredOption('--hub <hubId>', 'hub id');
  return cmd;
}

/** Register list, show, remove, disable and enable for each kind of the table. */
export const recordsCli: CliExtension = (program: Command, ctx: CliContext) => {
  const env = async (): Promise<Env> => {
    const { opened } = await ctx.open();
    return { db: opened.db, records: new AdminRecords(opened.db), channels: new Channels(opened.db, () => Date.now()) };
  };
  for (const kind of RECORD_KINDS) {
    const g = group(program, kind.name);
    scoped(g.command('list').description(`list every ${kind.name}`), kind).action(async (o: Scope) => {
      const rows = await kind.list(await env(), o);
      ctx.out(listText(rows), rows);
    });
    scoped(g.command('show').description(`one ${kind.name} in full`).argument('<ref>', 'id or name'), kind).action(async (ref: string, o: Scope) => {
      const e = await env();
      const r = await kind.show(e, await kind.find(e, o, ref));
      ctx.out(showText(r), r);
    });
    scoped(g.command('remove').description(`remove a ${kind.name} that nothing refers to and that has no history`).argument('<ref>', 'id or name'), kind).action(async (ref: string, o: Scope) => {
      const e = await env();
      const f = await kind.find(e, o, ref);
      await kind.remove(e, f);
      ctx.out(`${f.label} removed`, { removed: kind.name, id: f.id });
    });
    if (!kind.disable) continue;
    for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
      scoped(g.command(verb).description(disabled ? `disable a ${kind.name}: ${kind.disableMeans}` : `undo disable`).argument('<ref>', 'id or name'), kind).action(async (ref: string, o: Scope) => {
        const e = await env();
        const f = await kind.find(e, o, ref);
        await kind.disable!(e, f, disabled);
        ctx.out(`${f.label} ${verb}d`, { [verb === 'disable' ? 'disabled' : 'enabled']: kind.name, id: f.id });
      });
    }
  }
};
