import { z } from 'zod';
import { ALERT_STATES, SEVERITIES } from '../care/model.ts';
import type { AlertTable } from '../db/schema.ts';
import { CLOCKS } from '../routing/table.ts';

const RESPONSE_STANDARD_MS = CLOCKS.responseBreachMs;

/** An alert as the API, the WebSocket stream and the dashboard see it. */
export const AlertViewSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  type: z.string(),
  severity: z.enum(SEVERITIES),
  state: z.enum(ALERT_STATES),
  hubId: z.string(),
  residentId: z.string().nullable(),
  residentName: z.string().nullable(),
  coordinatorId: z.string().nullable(),
  occurredAt: z.string(),
  raisedAt: z.string(),
  updatedAt: z.string(),
  repeatCount: z.number().int(),
  late: z.boolean(),
  cause: z.record(z.string(), z.unknown()),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  /** Display names of the people named in this alert (acknowledged, dispatched, on site), by user id. */
  people: z.record(z.string(), z.string()).optional(),
  clearedAt: z.string().nullable(),
  clearedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  // Routing (issue 4). Always sent by the server; optional in the type so fixtures written before them still fit.
  neighbourhoodId: z.string().nullable().optional(),
  escalatedAt: z.string().nullable().optional(),
  /** 0: not escalated; 1: every operator on shift; 2: the supervisor route. */
  escalationLevel: z.number().int().optional(),
  dispatchedAt: z.string().nullable().optional(),
  dispatchedBy: z.string().nullable().optional(),
  dispatchTarget: z
    .union([
      z.object({ kind: z.literal('team'), neighbourhoodId: z.string() }),
      z.object({ kind: z.literal('responder'), userId: z.string() }),
      z.object({ kind: z.literal('out-of-hours'), route: z.string() }),
    ])
    .nullable()
    .optional(),
  /** When the two-hour clock runs out (dispatch + 120 min), while it runs or ran. */
  responseDueAt: z.string().nullable().optional(),
  onSiteAt: z.string().nullable().optional(),
  onSiteBy: z.string().nullable().optional(),
  responseWarningAt: z.string().nullable().optional(),
  responseBreachedAt: z.string().nullable().optional(),
  /**
   * Raised while the home was being commissioned, or from sensors not yet commissioned (issue 13):
   * still a real alarm, shown with a badge. Null for a live home's commissioned sensors.
   */
  commissioning: z.object({ homeBeingCommissioned: z.boolean(), uncommissionedSensors: z.array(z.string()) }).nullable().optional(),
});
/** An alert view. */
export type AlertView = z.infer<typeof AlertViewSchema>;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Build the view of an alert row, with its resident's name and coordinator. */
export function toAlertView(
  row: AlertTable,
  resident?: { name: string; coordinator_id: string | null } | null,
  people: Record<string, string> = {},
): AlertView {
  return {
    id: row.id,
    orgId: row.org_id,
    type: row.type,
    severity: row.severity as AlertView['severity'],
    state: row.state as AlertView['state'],
    hubId: row.hub_id,
    residentId: row.resident_id,
    residentName: resident?.name ?? null,
    coordinatorId: resident?.coordinator_id ?? null,
    occurredAt: iso(row.occurred_at)!,
    raisedAt: iso(row.raised_at)!,
    updatedAt: iso(row.updated_at)!,
    repeatCount: row.repeat_count,
    late: row.late === 1,
    cause: JSON.parse(row.cause) as Record<string, unknown>,
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    people,
    clearedAt: iso(row.cleared_at),
    clearedBy: row.cleared_by,
    closedAt: iso(row.closed_at),
    outcome: row.outcome,
    neighbourhoodId: row.neighbourhood_id,
    escalatedAt: iso(row.escalated_at),
    escalationLevel: row.escalation_level,
    dispatchedAt: iso(row.dispatched_at),
    dispatchedBy: row.dispatched_by,
    dispatchTarget: row.dispatch_target ? (JSON.parse(row.dispatch_target) as AlertView['dispatchTarget']) : null,
    responseDueAt: row.dispatched_at === null ? null : iso(row.dispatched_at + RESPONSE_STANDARD_MS),
    onSiteAt: iso(row.on_site_at),
    onSiteBy: row.on_site_by,
    responseWarningAt: iso(row.response_warning_at),
    responseBreachedAt: iso(row.response_breached_at),
    commissioning: commissioningOf(row.cause),
  };
}

const SEVERITY_RANK: Record<string, number> = { urgent: 0, high: 1, routine: 2, technical: 3 };

/** Console order: most severe first, then newest first. */
export function compareAlerts(a: AlertView, b: AlertView): number {
  return (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || b.raisedAt.localeCompare(a.raisedAt);
}
/** The commissioning mark the alert was raised with (server/src/care/commissioning.ts puts it in the cause). */
function commissioningOf(cause: string): AlertView['commissioning'] {
  const c = (JSON.parse(cause) as { commissioning?: { homeBeingCommissioned?: unknown; uncommissionedSensors?: unknown } }).commissioning;
  if (!c) return null;
  return { homeBeingCommissioned: c.homeBeingCommissioned === true, uncommissionedSensors: Array.isArray(c.uncommissionedSensors) ? c.uncommissionedSensors.map(String) : [] };
}

