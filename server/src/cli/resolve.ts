// Finding the record a command line names: by id or by name, refusing a name two records share
// (so `--org NAME` never silently takes the first of duplicates), with a sentence saying what to do.
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';

/** A record found by reference. */
export interface Named {
  id: string;
  name: string;
}

function pick(kind: string, ref: string, rows: Named[], listHint: string): Named {
  const byId = rows.find((r) => r.id === ref);
  if (byId) return byId;
  const named = rows.filter((r) => r.name === ref);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    throw new HearthError('HEARTH_ERR_CONFLICT', `${named.length} ${kind}s are named "${ref}"; give the id instead (${named.map((r) => r.id).join(', ')})`);
  }
  throw new HearthError('HEARTH_ERR_NOT_FOUND', `no ${kind} "${ref}" (see \`${listHint}\`)`);
}

/** An organisation by id or unique name. */
export async function resolveOrg(db: Db, ref: string): Promise<Named> {
  const rows = await db.selectFrom('organisations').select(['id', 'name']).where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])).execute();
  return pick('organisation', ref, rows, 'org list');
}

/** A neighbourhood of an organisation by id or unique name. */
export async function resolveNeighbourhood(db: Db, orgId: string, ref: string): Promise<Named> {
  const rows = await db.selectFrom('neighbourhoods').select(['id', 'name']).where('org_id', '=', orgId).where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])).execute();
  return pick('neighbourhood', ref, rows, 'neighbourhood list --org ...');
}

/** A user of an organisation by id or username. */
export async function resolveUser(db: Db, orgId: string, ref: string): Promise<Named & { role: string }> {
  const rows = await db.selectFrom('users').select(['id', 'username as name', 'role']).where('org_id', '=', orgId).where((eb) => eb.or([eb('id', '=', ref), eb('username', '=', ref)])).execute();
  return pick('user', ref, rows, 'user list --org ...') as Named & { role: string };
}

/** A resident of an organisation by id or unique name. */
export async function resolveResident(db: Db, orgId: string, ref: string): Promise<Named> {
  const rows = await db.selectFrom('residents').select(['id', 'name']).where('org_id', '=', orgId).where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])).execute();
  return pick('resident', ref, rows, 'resident list --org ...');
}

/** A hub by id, optionally required to belong to an organisation. */
export async function resolveHub(db: Db, hubId: string, orgId?: string): Promise<{ id: string; orgId: string }> {
  const row = await db.selectFrom('hubs').select(['id', 'org_id']).where('id', '=', hubId).executeTakeFirst();
  if (!row || (orgId && row.org_id !== orgId)) {
    throw new HearthError('HEARTH_ERR_NOT_FOUND', `no hub "${hubId}"${orgId ? ' in that organisation' : ''}: add it first with \`hub add --org ... --id ${hubId}\` (see \`hub list --org ...\`)`);
  }
  return { id: row.id, orgId: row.org_id };
}

/** A sensor of a hub. */
export async function resolveSensor(db: Db, hubId: string, sensorId: string): Promise<void> {
  await resolveHub(db, hubId);
  const row = await db.selectFrom('sensors').select('sensor_id').where('hub_id', '=', hubId).where('sensor_id', '=', sensorId).executeTakeFirst();
  if (!row) throw new HearthError('HEARTH_ERR_NOT_FOUND', `hub "${hubId}" has no sensor "${sensorId}" (see \`sensor list --hub ${hubId}\`)`);
}

/** A channel of an organisation by id or unique name. */
export async function resolveChannel(db: Db, orgId: string, ref: string): Promise<Named> {
  const rows = await db.selectFrom('channels').select(['id', 'name']).where('org_id', '=', orgId).where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])).execute();
  return pick('channel', ref, rows, 'channel list --org ...');
}
