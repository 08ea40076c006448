import { z } from 'zod';
import { ALERT_STATES, SEVERITIES } from '../care/model.ts';
import type { Db } from '../db/database.ts';
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
  // Working an alert (issue 11).
  /** The one responder the operator assigned, if any. */
  assignedTo: z.string().nullable().optional(),
  assignedAt: z.string().nullable().optional(),
  /** "On my way", recorded by the responder. */
  enRouteAt: z.string().nullable().optional(),
  enRouteBy: z.string().nullable().optional(),
  /** On site was recorded by someone else on the responder's behalf (with a reason in the log). */
  onSiteProxy: z.boolean().optional(),
  /** For an alert about a hub (technical): the resident who lives there. */
  livesHere: z.object({ id: z.string(), name: z.string() }).nullable().optional(),
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
  livesHere?: { id: string; name: string } | null,
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
    assignedTo: row.assigned_to ?? null,
    assignedAt: iso(row.assigned_at ?? null),
    enRouteAt: iso(row.en_route_at ?? null),
    enRouteBy: row.en_route_by ?? null,
    onSiteProxy: row.on_site_proxy === 1,
    livesHere: livesHere ?? null,
    commissioning: commissioningOf(row.cause),
  };
}

/** The commissioning mark the alert was raised with (server/src/care/commissioning.ts puts it in the cause). */
function commissioningOf(cause: string): AlertView['commissioning'] {
  const c = (JSON.parse(cause) as { commissioning?: { homeBeingCommissioned?: unknown; uncommissionedSensors?: unknown } }).commissioning;
  if (!c) return null;
  return { homeBeingCommissioned: c.homeBeingCommissioned === true, uncommissionedSensors: Array.isArray(c.uncommissionedSensors) ? c.uncommissionedSensors.map(String) : [] };
}

const SEVERITY_RANK: Record<string, number> = { urgent: 0, high: 1, routine: 2, technical: 3 };

/** Queue order: most severe first, then the one waiting longest (raised earliest) first. */
export function compareAlerts(a: AlertView, b: AlertView): number {
  return (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) || a.raisedAt.localeCompare(b.raisedAt) || a.id.localeCompare(b.id);
}

/** Views of alert rows, with residents' names (for a hub's alert, who lives there) and the names of the people who acted. */
export async function loadViews(db: Db, rows: AlertTable[]): Promise<AlertView[]> {
  const ids = [...new Set(rows.map((r) => r.resident_id).filter((x): x is string => x !== null))];
  const hubIds = [...new Set(rows.filter((r) => r.resident_id === null).map((r) => r.hub_id))];
  const cols = ['id', 'name', 'coordinator_id', 'hub_id'] as const;
  const residents = ids.length ? await db.selectFrom('residents').select(cols).where('id', 'in', ids).execute() : [];
  const atHubs = hubIds.length ? await db.selectFrom('residents').select(cols).where('hub_id', 'in', hubIds).execute() : [];
  const byId = new Map(residents.map((r) => [r.id, r]));
  const byHub = new Map(atHubs.map((r) => [r.hub_id, r]));
  // Who acted, by name: an operator reading the console needs "acknowledged by Sam", not an id.
  const actors = (r: AlertTable) => [r.acknowledged_by, r.dispatched_by, r.on_site_by, r.assigned_to ?? null, r.en_route_by ?? null];
  const userIds = [...new Set(rows.flatMap(actors).filter((x): x is string => x !== null))];
  const users = userIds.length ? await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', userIds).execute() : [];
  const names = new Map(users.map((u) => [u.id, u.display_name]));
  return rows.map((r) => {
    const people: Record<string, string> = {};
    for (const id of actors(r)) if (id && names.has(id)) people[id] = names.get(id)!;
    const home = r.resident_id === null ? byHub.get(r.hub_id) : undefined;
    // A hub's alert is still about someone: it carries their coordinator, so the coordinator may see it.
    return toAlertView(r, r.resident_id ? byId.get(r.resident_id) : home ? { name: home.name, coordinator_id: home.coordinator_id } : null, people, home ? { id: home.id, name: home.name } : null);
  });
}
