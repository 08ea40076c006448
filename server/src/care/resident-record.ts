import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';
import { ContactSchema } from './directory.ts';

const text = (max: number) => z.string().trim().max(max);

/** A GP practice. */
export const GpSchema = z.object({ name: text(200).min(1), practice: text(200).optional(), phone: text(32).optional() });

/** A medication, with an optional warning (e.g. "anticoagulant: bleeding risk"). */
export const MedicationSchema = z.object({ name: text(200).min(1), dose: text(200).optional(), warning: text(300).optional() });

/**
 * What an operator or responder needs to help a resident: where they live and
 * how to get in, who to ring, and what to watch out for. Every field is
 * optional; an empty record is valid. Contacts (next of kin, key holders) are
 * the resident's contacts (PUT /api/residents/:id/contacts) and are shown with it.
 */
export const ResidentRecordSchema = z
  .object({
    address: z.object({ line1: text(200).min(1), line2: text(200).optional(), town: text(100).optional(), postcode: text(16).optional() }).optional(),
    phone: text(32).optional(),
    mobile: text(32).optional(),
    keySafe: z.object({ code: text(32).optional(), location: text(200).optional() }).optional(),
    accessNotes: text(1000).optional(),
    gp: GpSchema.optional(),
    conditions: z.array(text(200).min(1)).max(30).optional(),
    medications: z.array(MedicationSchema).max(40).optional(),
    allergies: z.array(text(200).min(1)).max(30).optional(),
    language: text(100).optional(),
    communication: text(500).optional(),
    hazards: z.array(text(200).min(1)).max(20).optional(),
    carePlan: text(2000).optional(),
  })
  .strict();
/** A resident record. */
export type ResidentRecord = z.infer<typeof ResidentRecordSchema>;

/** The record as the API shows it: with the resident's name, neighbourhood and contacts, and who last changed it. */
export const ResidentRecordViewSchema = z.object({
  residentId: z.string(),
  name: z.string(),
  neighbourhoodId: z.string(),
  hubId: z.string().nullable(),
  coordinatorId: z.string().nullable(),
  record: ResidentRecordSchema,
  contacts: z.array(ContactSchema),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
/** A resident record view. */
export type ResidentRecordView = z.infer<typeof ResidentRecordViewSchema>;

/** Resident records: read and replace, one JSON document per resident. */
export class ResidentRecords {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The record of a resident of the organisation (empty when none was written). */
  async get(orgId: string, residentId: string): Promise<ResidentRecordView> {
    const r = await this.db.selectFrom('residents').selectAll().where('id', '=', residentId).executeTakeFirst();
    if (!r || r.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such resident');
    const rec = await this.db.selectFrom('resident_records').selectAll().where('resident_id', '=', residentId).executeTakeFirst();
    return {
      residentId: r.id,
      name: r.name,
      neighbourhoodId: r.neighbourhood_id,
      hubId: r.hub_id,
      coordinatorId: r.coordinator_id,
      record: rec ? ResidentRecordSchema.parse(JSON.parse(rec.data)) : {},
      contacts: z.array(ContactSchema).catch([]).parse(JSON.parse(r.contacts)),
      updatedAt: rec ? new Date(rec.updated_at).toISOString() : null,
      updatedBy: rec?.updated_by ?? null,
    };
  }

  /** Replace a resident's record (validated: a bad field is a clear error and nothing changes). */
  async set(orgId: string, residentId: string, record: unknown, by: string | null): Promise<ResidentRecordView> {
    const parsed = ResidentRecordSchema.safeParse(record);
    if (!parsed.success) throw new HearthError('HEARTH_ERR_VALIDATION', parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; '));
    await this.get(orgId, residentId);
    const now = this.clock.now();
    const data = JSON.stringify(parsed.data);
    await this.db
      .insertInto('resident_records')
      .values({ resident_id: residentId, org_id: orgId, data, updated_at: now, updated_by: by })
      .onConflict((oc) => oc.column('resident_id').doUpdateSet({ data, updated_at: now, updated_by: by }))
      .execute();
    return this.get(orgId, residentId);
  }

  /** The resident living at a hub, if any (technical alerts name them). */
  async residentAtHub(hubId: string): Promise<{ id: string; name: string } | undefined> {
    return this.db.selectFrom('residents').select(['id', 'name']).where('hub_id', '=', hubId).executeTakeFirst();
  }
}
