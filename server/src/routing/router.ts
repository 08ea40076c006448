import { z } from 'zod';
import type { Logger } from 'pino';
import { newId } from '../auth/crypto.ts';
import { ALERT_TYPES, SEVERITIES, type AlertType } from '../care/model.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { AlertTable, ChannelTable } from '../db/schema.ts';
import { HearthError } from '../errors.ts';
import type { Notifier } from '../notify/notifier.ts';
import type { NotificationMessage } from '../notify/senders.ts';
import type { Deadlines } from './deadlines.ts';
import { CHANGE_TARGETS, DEADLINES, DEFAULT_ROUTING, PERIODS, PRESSING, ROUTE_TARGETS, pickRule, withinHours, type DeadlineKind, type RouteTarget, type RoutingRule } from './table.ts';

/** Where a dispatch sent the response. */
export type DispatchTarget = { kind: 'team'; neighbourhoodId: string } | { kind: 'responder'; userId: string } | { kind: 'out-of-hours'; route: string };

/** A routing rule as the API takes and shows it. */
export const RoutingRuleSchema = z.object({
  type: z.enum(Object.keys(ALERT_TYPES) as [AlertType, ...AlertType[]]).optional(),
  severity: z.enum(SEVERITIES).optional(),
  period: z.enum(PERIODS),
  targets: z.array(z.enum(ROUTE_TARGETS)).max(ROUTE_TARGETS.length),
});

/** The default route for out-of-hours urgent alerts when a neighbourhood names none. */
export const DEFAULT_OUT_OF_HOURS_ROUTE = 'out-of-hours';

/** What a transition tells the router besides the alert. */
export interface TransitionExtra {
  /** The deadline whose firing caused this change. */
  deadline?: DeadlineKind;
}

/**
 * Routing: turns each alert transition into deadlines started or stopped and
 * notifications queued, all inside the transition's transaction, and records
 * the routing decision (period, rule, targets) in the alert log.
 */
export class Router {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly deadlines: Deadlines,
    private readonly notifier: Notifier,
    private readonly log: Logger,
  ) {}

  /** Inside the transition's transaction: start or stop clocks and queue notifications. */
  async onTransition(trx: Db, alert: AlertTable, change: string, extra: TransitionExtra = {}): Promise<void> {
    const pressing = PRESSING.includes(alert.severity as never);
    switch (change) {
      case 'raised':
        if (pressing) {
          for (const kind of ['ack-escalation', 'ack-supervisor'] as const) await this.deadlines.add(trx, alert.id, kind, alert.raised_at + DEADLINES[kind].afterMs);
        }
        await this.routeByTable(trx, alert, change);
        return;
      case 'repeated':
        await this.routeByTable(trx, alert, change);
        return;
      case 'acknowledged':
        await this.deadlines.cancel(trx, alert.id, ['ack-escalation', 'ack-supervisor']);
        return;
      case 'dispatched':
        await this.deadlines.cancel(trx, alert.id, ['ack-escalation', 'ack-supervisor']);
        for (const kind of ['response-warning', 'response-breach'] as const) await this.deadlines.add(trx, alert.id, kind, alert.dispatched_at! + DEADLINES[kind].afterMs);
        await this.route(trx, alert, change, CHANGE_TARGETS.dispatched ?? [], {});
        return;
      case 'on-site':
        await this.deadlines.cancel(trx, alert.id, ['response-warning', 'response-breach']);
        return;
      case 'resolved':
      case 'cancelled':
        await this.deadlines.cancel(trx, alert.id);
        return;
      default:
        if (extra.deadline) await this.route(trx, alert, change, DEADLINES[extra.deadline].targets, { deadline: extra.deadline });
    }
  }

  /** After the transaction commits: arm new deadline timers and start deliveries. */
  afterCommit(): void {
    this.deadlines.armAdded();
    this.notifier.kick().catch((err: unknown) => this.log.error({ err }, 'starting notifications failed'));
  }

  /** A neighbourhood's own routing rules (overrides of the defaults). */
  async rules(orgId: string, neighbourhoodId: string): Promise<RoutingRule[]> {
    await this.neighbourhood(this.db, orgId, neighbourhoodId);
    return this.ownRules(this.db, neighbourhoodId);
  }

  /** Replace a neighbourhood's own routing rules. */
  async setRules(orgId: string, neighbourhoodId: string, rules: RoutingRule[]): Promise<RoutingRule[]> {
    await this.neighbourhood(this.db, orgId, neighbourhoodId);
    for (const r of rules) RoutingRuleSchema.parse(r);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('routing_rules').where('neighbourhood_id', '=', neighbourhoodId).execute();
      for (const r of rules) {
        await trx
          .insertInto('routing_rules')
          .values({ id: newId(), org_id: orgId, neighbourhood_id: neighbourhoodId, match_type: r.type ?? null, match_severity: r.severity ?? null, period: r.period, targets: JSON.stringify(r.targets), created_at: now })
          .execute();
      }
    });
    return this.ownRules(this.db, neighbourhoodId);
  }

  /** The routing decision for a would-be alert of a type in a neighbourhood at a time (for the API and tests). */
  async decide(orgId: string, neighbourhoodId: string, type: AlertType, at: number): Promise<{ period: 'in-hours' | 'out-of-hours'; targets: RouteTarget[] }> {
    const nb = await this.neighbourhood(this.db, orgId, neighbourhoodId);
    const severity = ALERT_TYPES[type].severity;
    const period = withinHours(at, { urgentStart: nb.urgent_start, urgentEnd: nb.urgent_end, timezone: nb.timezone }) ? 'in-hours' : 'out-of-hours';
    const rule = pickRule({ own: await this.ownRules(this.db, neighbourhoodId), defaults: DEFAULT_ROUTING }, { type, severity }, period);
    return { period, targets: withCoordinator(rule?.targets ?? [], severity) };
  }

  private async neighbourhood(db: Db, orgId: string, id: string) {
    const nb = await db.selectFrom('neighbourhoods').selectAll().where('id', '=', id).executeTakeFirst();
    if (!nb || nb.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such neighbourhood');
    return nb;
  }

  private async ownRules(db: Db, neighbourhoodId: string): Promise<RoutingRule[]> {
    const rows = await db.selectFrom('routing_rules').selectAll().where('neighbourhood_id', '=', neighbourhoodId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({
      ...(r.match_type ? { type: r.match_type as AlertType } : {}),
      ...(r.match_severity ? { severity: r.match_severity as RoutingRule['severity'] } : {}),
      period: r.period as RoutingRule['period'],
      targets: JSON.parse(r.targets) as RouteTarget[],
    }));
  }

  private async routeByTable(trx: Db, alert: AlertTable, change: string): Promise<void> {
    const nb = alert.neighbourhood_id ? await trx.selectFrom('neighbourhoods').selectAll().where('id', '=', alert.neighbourhood_id).executeTakeFirst() : undefined;
    const period = !nb || withinHours(this.clock.now(), { urgentStart: nb.urgent_start, urgentEnd: nb.urgent_end, timezone: nb.timezone }) ? 'in-hours' : 'out-of-hours';
    const own = nb ? await this.ownRules(trx, nb.id) : [];
    const rule = pickRule({ own, defaults: DEFAULT_ROUTING }, alert, period);
    const targets = withCoordinator(rule?.targets ?? ['operator'], alert.severity);
    await this.route(trx, alert, change, targets, {
      period,
      rule: rule ? { ...(rule.type ? { type: rule.type } : {}), ...(rule.severity ? { severity: rule.severity } : {}), period: rule.period, source: own.includes(rule) ? 'neighbourhood' : 'default' } : null,
    });
  }

  private async route(trx: Db, alert: AlertTable, change: string, targets: readonly RouteTarget[], detail: Record<string, unknown>): Promise<void> {
    const channels = await this.channelsFor(trx, alert, targets);
    const message = await this.message(trx, alert, change, targets);
    const ids = await this.notifier.enqueue(trx, { alertId: alert.id, change, channels, message });
    await trx
      .insertInto('alert_log')
      .values({ alert_id: alert.id, at: this.clock.now(), action: 'routed', actor: null, detail: JSON.stringify({ change, ...detail, targets, notifications: ids.length, notificationIds: ids }) })
      .execute();
  }

  private async channelsFor(trx: Db, alert: AlertTable, targets: readonly RouteTarget[]): Promise<ChannelTable[]> {
    const owners: { type: string; id: string }[] = [];
    const nb = alert.neighbourhood_id ? await trx.selectFrom('neighbourhoods').selectAll().where('id', '=', alert.neighbourhood_id).executeTakeFirst() : undefined;
    const oohRoute = nb?.out_of_hours_route || DEFAULT_OUT_OF_HOURS_ROUTE;
    const resident = alert.resident_id ? await trx.selectFrom('residents').select(['id', 'coordinator_id', 'consent']).where('id', '=', alert.resident_id).executeTakeFirst() : undefined;
    for (const t of targets) {
      switch (t) {
        case 'operator':
        case 'supervisor':
        case 'installer':
          owners.push({ type: 'route', id: t });
          break;
        case 'operators-on-shift': {
          owners.push({ type: 'route', id: 'operator' });
          // On shift: an operator signed in now (a live session).
          const on = await trx
            .selectFrom('users')
            .innerJoin('sessions', 'sessions.user_id', 'users.id')
            .select('users.id')
            .distinct()
            .where('users.org_id', '=', alert.org_id)
            .where('users.role', '=', 'operator')
            .where('users.disabled', '=', 0)
            .where('sessions.expires_at', '>', this.clock.now())
            .execute();
          for (const u of on) owners.push({ type: 'user', id: u.id });
          break;
        }
        case 'urgent-response':
          if (nb) owners.push({ type: 'team', id: nb.id });
          break;
        case 'out-of-hours':
          owners.push({ type: 'route', id: oohRoute });
          break;
        case 'coordinator':
          if (resident?.coordinator_id) owners.push({ type: 'user', id: resident.coordinator_id });
          break;
        case 'contacts': {
          // Contacts are told only when the resident's consent record allows it.
          const consent = resident ? (JSON.parse(resident.consent) as { shareWithContacts?: boolean }) : {};
          if (resident && consent.shareWithContacts === true) owners.push({ type: 'resident', id: resident.id });
          break;
        }
        case 'dispatched': {
          const d = alert.dispatch_target ? (JSON.parse(alert.dispatch_target) as DispatchTarget) : undefined;
          if (d?.kind === 'team') owners.push({ type: 'team', id: d.neighbourhoodId });
          else if (d?.kind === 'responder') owners.push({ type: 'user', id: d.userId });
          else if (d?.kind === 'out-of-hours') owners.push({ type: 'route', id: d.route });
          break;
        }
      }
    }
    const out = new Map<string, ChannelTable>();
    for (const o of owners) {
      const rows = await trx
        .selectFrom('channels')
        .selectAll()
        .where('org_id', '=', alert.org_id)
        .where('owner_type', '=', o.type)
        .where('owner_id', '=', o.id)
        .where('enabled', '=', 1)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      for (const r of rows) out.set(r.id, r);
    }
    return [...out.values()];
  }

  private async message(trx: Db, alert: AlertTable, change: string, targets: readonly RouteTarget[]): Promise<Omit<NotificationMessage, 'id'>> {
    const resident = alert.resident_id ? await trx.selectFrom('residents').select(['name']).where('id', '=', alert.resident_id).executeTakeFirst() : undefined;
    const cause = JSON.parse(alert.cause) as { summary?: string };
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    return {
      change,
      at: new Date(this.clock.now()).toISOString(),
      targets: [...targets],
      alert: {
        id: alert.id,
        type: alert.type,
        severity: alert.severity,
        state: alert.state,
        residentId: alert.resident_id,
        residentName: resident?.name ?? null,
        hubId: alert.hub_id,
        neighbourhoodId: alert.neighbourhood_id,
        occurredAt: iso(alert.occurred_at)!,
        raisedAt: iso(alert.raised_at)!,
        summary: cause.summary ?? null,
        repeatCount: alert.repeat_count,
        dispatchedAt: iso(alert.dispatched_at),
        onSiteAt: iso(alert.on_site_at),
      },
    };
  }
}

/** The care model: the coordinator is informed of every urgent or high alert of their residents. */
function withCoordinator(targets: readonly RouteTarget[], severity: string): RouteTarget[] {
  const out = [...targets];
  if (PRESSING.includes(severity as never) && !out.includes('coordinator')) out.push('coordinator');
  return out;
}
