// An organisation's settings (issue 13): its name, and the defaults new records take (time zone,
// urgent team hours), kept as JSON on the organisation (migration 0016).
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time HH:MM, e.g. 08:00');

/** The settings an admin may change. */
export const OrgSettingsSchema = z.object({
  name: z.string().trim().min(1).max(200),
  /** IANA time zone new neighbourhoods and residents take unless given one. */
  defaultTimezone: z.string().min(1).max(64),
  /** The urgent response team's hours new neighbourhoods take unless given them. */
  defaultUrgentStart: hhmm,
  defaultUrgentEnd: hhmm,
  /** The service's own phone number, printed on reports and shown to staff. */
  contactPhone: z.string().max(32).regex(/^[+0-9 ()-]*$/, 'digits, spaces, + ( ) and - only'),
});
/** Organisation settings. */
export type OrgSettings = z.infer<typeof OrgSettingsSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const DEFAULTS = { defaultTimezone: 'Europe/London', defaultUrgentStart: '08:00', defaultUrgentEnd: '20:00', contactPhone: '' };

/** Read an organisation's settings, defaults filled in. */
export async function getOrgSettings(db: Db, orgId: string): Promise<OrgSettings> {
  const row = await db.selectFrom('organisations').select(['name', 'settings']).where('id', '=', orgId).executeTakeFirst();
  if (!row) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such organisation');
  return { ...DEFAULTS, ...(JSON.parse(row.settings || '{}') as Partial<OrgSettings>), name: row.name };
}

/** Change some settings; the result is validated whole, and names stay unique. */
export async function updateOrgSettings(db: Db, orgId: string, patch: Partial<OrgSettings>): Promise<OrgSettings> {
  const next = { ...(await getOrgSettings(db, orgId)), ...patch };
  const parsed = OrgSettingsSchema.safeParse(next);
  if (!parsed.success) throw new HearthError('HEARTH_ERR_VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  if (!isTimeZone(parsed.data.defaultTimezone)) throw new HearthError('HEARTH_ERR_VALIDATION', `defaultTimezone: unknown time zone "${parsed.data.defaultTimezone}"`);
  const clash = await db.selectFrom('organisations').select('id').where('name', '=', parsed.data.name).where('id', '!=', orgId).executeTakeFirst();
  if (clash) throw new HearthError('HEARTH_ERR_CONFLICT', `another organisation is named "${parsed.data.name}"`);
  const { name, ...settings } = parsed.data;
  await db.updateTable('organisations').set({ name, settings: JSON.stringify(settings) }).where('id', '=', orgId).execute();
  return parsed.data;
}
