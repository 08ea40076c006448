import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';
import { DEFAULT_OUT_OF_HOURS_ROUTE } from '../routing/router.ts';
import { withinHours } from '../routing/table.ts';
import type { Actor, AlertService, DispatchRequest } from './alert-service.ts';
import type { AlertView } from './alert-view.ts';

/** The team an alert would be dispatched to, and whether it is on duty now. */
export interface DispatchOptions {
  team: { neighbourhoodId: string; name: string; hours: string; timezone: string; onDuty: boolean } | null;
  /** Who answers when the team is off duty (the neighbourhood's out-of-hours route). */
  outOfHours: string;
  /** Responders of the organisation, their team first. */
  responders: { id: string; displayName: string; neighbourhoodId: string | null; sameTeam: boolean }[];
}

/**
 * Working an alert beyond its lifecycle: notes on its timeline, the one
 * responder assigned, "on my way", and the facts a dispatch needs (is the team
 * on duty; who is instead). Each change goes through the alert service, so it
 * is serialised with every other transition and logged in the alert log.
 */
export class AlertWork {
  constructor(
    private readonly db: Db,
    private readonly alerts: AlertService,
    private readonly clock: Clock,
  ) {}

  /** Add a note to an alert's timeline (open or closed). */
  note(alertId: string, actor: Actor, text: string): Promise<AlertView> {
    return this.alerts.act(alertId, actor, 'note', async () => ({ text }));
  }

  /** Assign one responder to an open alert (replacing an earlier assignment). */
  assign(alertId: string, actor: Actor, responderId: string): Promise<AlertView> {
    return this.alerts.act(alertId, actor, 'assigned', async (trx, row, now) => {
      if (row.closed_at !== null) throw new HearthError('HEARTH_ERR_CONFLICT', `alert is ${row.state}; only an open alert can be assigned`);
      const u = await trx.selectFrom('users').select(['id', 'org_id', 'role', 'disabled', 'display_name']).where('id', '=', responderId).executeTakeFirst();
      if (!u || u.org_id !== actor.orgId || u.disabled) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such responder');
      if (u.role !== 'responder') throw new HearthError('HEARTH_ERR_VALIDATION', 'that user is not a responder');
      await trx.updateTable('alerts').set({ assigned_to: u.id, assigned_at: now, assigned_by: actor.id, updated_at: now }).where('id', '=', alertId).execute();
      return { responderId: u.id, name: u.display_name, previous: row.assigned_to ?? null };
    });
  }

  /** "On my way": the responder records it themself, once the alert is dispatched. */
  enRoute(alertId: string, actor: Actor, note?: string): Promise<AlertView> {
    return this.alerts.act(alertId, actor, 'en-route', async (trx, row, now) => {
      if (row.state !== 'dispatched') throw new HearthError('HEARTH_ERR_CONFLICT', `alert is ${row.state}; "on my way" needs a dispatched alert`);
      await trx.updateTable('alerts').set({ en_route_at: now, en_route_by: actor.id, updated_at: now }).where('id', '=', alertId).execute();
      return { minutesFromDispatch: (now - row.dispatched_at!) / 60_000, note: note ?? null };
    });
  }

  /** Where this alert can be dispatched, and whether its team is on duty now. */
  async dispatchOptions(alert: AlertView): Promise<DispatchOptions> {
    const nb = alert.neighbourhoodId ? await this.db.selectFrom('neighbourhoods').selectAll().where('id', '=', alert.neighbourhoodId).executeTakeFirst() : undefined;
    const users = await this.db
      .selectFrom('users')
      .select(['id', 'display_name', 'neighbourhood_id'])
      .where('org_id', '=', alert.orgId)
      .where('role', '=', 'responder')
      .where('disabled', '=', 0)
      .orderBy('display_name')
      .execute();
    const responders = users
      .map((u) => ({ id: u.id, displayName: u.display_name, neighbourhoodId: u.neighbourhood_id, sameTeam: nb !== undefined && u.neighbourhood_id === nb.id }))
      .sort((a, b) => Number(b.sameTeam) - Number(a.sameTeam));
    return {
      team: nb
        ? {
            neighbourhoodId: nb.id,
            name: nb.name,
            hours: `${nb.urgent_start}-${nb.urgent_end}`,
            timezone: nb.timezone,
            onDuty: withinHours(this.clock.now(), { urgentStart: nb.urgent_start, urgentEnd: nb.urgent_end, timezone: nb.timezone }),
          }
        : null,
      outOfHours: nb?.out_of_hours_route || DEFAULT_OUT_OF_HOURS_ROUTE,
      responders,
    };
  }

  /**
   * Refuse a dispatch to the team outside the team's hours unless the
   * operator confirmed it, saying who is on duty instead.
   */
  async checkOnDuty(alert: AlertView, request: DispatchRequest, confirmOffDuty: boolean): Promise<void> {
    if (request.to !== 'team' || confirmOffDuty) return;
    const options = await this.dispatchOptions(alert);
    if (!options.team || options.team.onDuty) return;
    const t = options.team;
    throw new HearthError(
      'HEARTH_ERR_OFF_DUTY',
      `The ${t.name} urgent response team is off duty now (hours ${t.hours}, ${t.timezone}); on duty instead: ${options.outOfHours}. Dispatch to the out-of-hours route, or send confirmOffDuty: true to dispatch the team anyway.`,
    );
  }
}
