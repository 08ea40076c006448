// The care API's view of a neighbourhood and a resident: contacts, consent and the plan with its defaults.
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { ResidentTable } from '../db/schema.ts';
import { planWithDefaults, type MonitoringPlan } from './model.ts';

/** A neighbourhood with its urgent response team's hours and its coordinators. */
export interface NeighbourhoodInfo {
  id: string;
  name: string;
  urgentStart: string;
  urgentEnd: string;
  timezone: string;
  outOfHoursRoute: string;
  coordinatorIds: string[];
}

/** A resident's contact: next of kin, key holder or other. */
export const ContactSchema = z.object({
  name: z.string().min(1).max(200),
  relation: z.enum(['next-of-kin', 'key-holder', 'other']),
  phone: z.string().max(32).optional(),
  email: z.email().optional(),
  note: z.string().max(500).optional(),
});
/** A contact. */
export type Contact = z.infer<typeof ContactSchema>;

/** A resident's consent record: to monitoring, and whether contacts are told of alerts. */
export interface Consent {
  monitoring: boolean;
  shareWithContacts: boolean;
  note?: string | undefined;
  recordedAt: string;
  recordedBy: string;
}

/** A resident as the care API shows them. */
export interface ResidentDetail {
  id: string;
  name: string;
  neighbourhoodId: string;
  hubId: string | null;
  timezone: string;
  coordinatorId: string | null;
  away: boolean;
  contacts: Contact[];
  consent: Consent;
  planOverrides: Record<string, unknown>;
  plan: MonitoringPlan;
}

/** A residents row as the care API shows it (the plan with its defaults, consent with its defaults). */
export function toResidentDetail(row: Selectable<ResidentTable>): ResidentDetail {
  const consent = JSON.parse(row.consent) as Partial<Consent>;
  const overrides = JSON.parse(row.plan) as Record<string, unknown>;
  return {
    id: row.id,
    name: row.name,
    neighbourhoodId: row.neighbourhood_id,
    hubId: row.hub_id,
    timezone: row.timezone,
    coordinatorId: row.coordinator_id,
    away: row.away === 1,
    contacts: JSON.parse(row.contacts) as Contact[],
    consent: {
      monitoring: consent.monitoring ?? true,
      shareWithContacts: consent.shareWithContacts ?? false,
      ...(consent.note ? { note: consent.note } : {}),
      recordedAt: consent.recordedAt ?? new Date(row.created_at).toISOString(),
      recordedBy: consent.recordedBy ?? 'unknown',
    },
    planOverrides: overrides,
    plan: planWithDefaults(overrides),
  };
}
