import type { Logger } from 'pino';
import type { AlertSignal } from '../anomaly/detector.ts';
import type { EventBus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import { ALERT_TYPES, OPEN_STATES } from '../care/model.ts';
import { OUTCOME_NAMES, type OutcomeName } from '../care/call-scripts.ts';
import { newId } from '../auth/crypto.ts';
import type { Db } from '../db/database.ts';
import type { AlertTable } from '../db/schema.ts';
import { HearthError } from '../errors.ts';
import type { HearthEvents } from '../events.ts';
import type { Deadlines } from '../routing/deadlines.ts';
import { DEFAULT_OUT_OF_HOURS_ROUTE, type DispatchTarget, type TransitionExtra } from '../routing/router.ts';
import { CLOCKS } from '../routing/table.ts';
import { loadViews, type AlertView } from './alert-view.ts';
import { sameEvents, stillDue } from './alert-rules.ts';

const MAX_REPEATS_KEPT = 20;

/** Outcomes an alert may be resolved with. */
export const OUTCOMES = OUTCOME_NAMES;
/** A resolution outcome. */
export type Outcome = OutcomeName;

/** A person acting on an alert. */
export interface Actor {
  id: string;
  orgId: string;
}

/** Where an operator dispatches a response: the neighbourhood's urgent response team, one responder, or the out-of-hours route. */
export type DispatchRequest = { to: 'team' } | { to: 'responder'; responderId: string } | { to: 'out-of-hours' };

/** What routing does with each transition (server/src/routing/router.ts). */
export interface AlertEffects {
  /** Inside the transition's transaction: start or stop clocks, queue notifications. */
  onTransition(trx: Db, alert: AlertTable, change: string, extra?: TransitionExtra): Promise<void>;
  /** After commit: arm timers, start deliveries. */
  afterCommit(): void;
}

/**
 * Alerts: durable, at most one open per (subject, type), repeats update it.
 * The lifecycle is raised, acknowledged, dispatched, on site, then resolved
 * with an outcome or cancelled; acknowledged and cleared are separate facts.
 * Every transition is one transaction that also appends to the alert log (who
 * and when) and lets routing start or stop its clocks and queue notifications.
 * Signals, actions and deadline firings are applied one at a time, in order,
 * so two falls in one instant cannot open two alerts.
 */
export class AlertService {
  private chain: Promise<unknown> = Promise.resolve();
  private effects: AlertEffects | undefined;
  private deadlines: Deadlines | undefined;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus<HearthEvents>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Connect routing: its effects run in every transition, and due deadlines fire through here. */
  attach(effects: AlertEffects, deadlines: Deadlines): void {
    this.effects = effects;
    this.deadlines = deadlines;
    deadlines.onFire((upTo) => this.fireDue(upTo));
  }

  /** Apply a detector's signal; resolves to the alert it touched, if any. */
  handleSignal(signal: AlertSignal): Promise<AlertView | undefined> {
    return this.serial(() => this.apply(signal));
  }

  /** Wait until every signal handed in so far is applied. */
  async drain(): Promise<void> {
    let last: Promise<unknown> | undefined;
    while (last !== this.chain) {
      last = this.chain;
      await last.catch(() => undefined);
    }
  }

  /** Acknowledge an alert (idempotent: the first acknowledgement is the one kept). */
  acknowledge(alertId: string, actor: Actor): Promise<AlertView> {
    return this.serial(async () => {
      const row = await this.getRow(alertId, actor.orgId);
      if (row.acknowledged_at !== null) return this.view(row);
      const now = this.clock.now();
      const state = row.state === 'raised' ? 'acknowledged' : row.state;
      return this.transition(alertId, 'acknowledged', async (trx) => {
        await trx.updateTable('alerts').set({ acknowledged_at: now, acknowledged_by: actor.id, state, updated_at: now }).where('id', '=', alertId).execute();
        await this.logTransition(trx, alertId, now, 'acknowledged', actor.id, { secondsFromRaise: (now - row.raised_at) / 1000 });
      });
    });
  }

  /**
   * Dispatch a response to the urgent response team, a responder or the
   * out-of-hours route; this starts the two-hour clock. An alert not yet
   * acknowledged is acknowledged by the same person first (two log entries).
   */
  dispatch(alertId: string, actor: Actor, request: DispatchRequest, note?: string): Promise<AlertView> {
    return this.serial(async () => {
      const row = await this.getRow(alertId, actor.orgId);
      if (row.state !== 'raised' && row.state !== 'acknowledged') throw new HearthError('HEARTH_ERR_CONFLICT', `alert is ${row.state}; only a raised or acknowledged alert can be dispatched`);
      let target: DispatchTarget;
      if (request.to === 'responder') {
        const u = await this.db.selectFrom('users').select(['id', 'org_id', 'role', 'disabled']).where('id', '=', request.responderId).executeTakeFirst();
        if (!u || u.org_id !== actor.orgId || u.disabled) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such responder');
        if (u.role !== 'responder') throw new HearthError('HEARTH_ERR_VALIDATION', 'that user is not a responder');
        target = { kind: 'responder', userId: u.id };
      } else {
        if (!row.neighbourhood_id) throw new HearthError('HEARTH_ERR_VALIDATION', 'the alert has no neighbourhood; dispatch to a responder');
        if (request.to === 'team') target = { kind: 'team', neighbourhoodId: row.neighbourhood_id };
        else {
          const nb = await this.db.selectFrom('neighbourhoods').select('out_of_hours_route').where('id', '=', row.neighbourhood_id).executeTakeFirst();
          target = { kind: 'out-of-hours', route: nb?.out_of_hours_route || DEFAULT_OUT_OF_HOURS_ROUTE };
        }
      }
      const now = this.clock.now();
      return this.transition(alertId, 'dispatched', async (trx) => {
        if (row.acknowledged_at === null) {
          await trx.updateTable('alerts').set({ acknowledged_at: now, acknowledged_by: actor.id }).where('id', '=', alertId).execute();
          await this.logTransition(trx, alertId, now, 'acknowledged', actor.id, { secondsFromRaise: (now - row.raised_at) / 1000, withDispatch: true });
        }
        await trx
          .updateTable('alerts')
          .set({ state: 'dispatched', dispatched_at: now, dispatched_by: actor.id, dispatch_target: JSON.stringify(target), updated_at: now })
          .where('id', '=', alertId)
          .execute();
        await this.logTransition(trx, alertId, now, 'dispatched', actor.id, { target, responseDueAt: new Date(now + CLOCKS.responseBreachMs).toISOString(), note: note ?? null });
      });
    });
  }

  /** The responder is with the resident: stops the two-hour clock. `proxy`: recorded by someone else on the responder's behalf. */
  onSite(alertId: string, actor: Actor, note?: string, proxy?: { reason: string; responderId: string | null }): Promise<AlertView> {
    return this.serial(async () => {
      const row = await this.getRow(alertId, actor.orgId);
      if (row.state !== 'dispatched') throw new HearthError('HEARTH_ERR_CONFLICT', `alert is ${row.state}; only a dispatched alert can be marked on site`);
      const now = this.clock.now();
      const minutes = (now - row.dispatched_at!) / 60_000;
      return this.transition(alertId, 'on-site', async (trx) => {
        await trx.updateTable('alerts').set({ state: 'on-site', on_site_at: now, on_site_by: proxy?.responderId ?? actor.id, on_site_proxy: proxy ? 1 : 0, updated_at: now }).where('id', '=', alertId).execute();
        await this.logTransition(trx, alertId, now, 'on-site', actor.id, { minutesFromDispatch: minutes, withinTwoHours: now - row.dispatched_at! <= CLOCKS.responseBreachMs, note: note ?? null, ...(proxy ? { proxy: true, reason: proxy.reason, forResponder: proxy.responderId } : {}) });
      });
    });
  }

  /** Close an alert with an outcome. */
  resolve(alertId: string, actor: Actor, outcome: Outcome, note?: string): Promise<AlertView> {
    return this.serial(async () => {
      const row = await this.getRow(alertId, actor.orgId);
      if (!OPEN_STATES.includes(row.state as never)) throw new HearthError('HEARTH_ERR_CONFLICT', `alert is already ${row.state}`);
      const now = this.clock.now();
      return this.transition(alertId, 'resolved', async (trx) => {
        if (row.acknowledged_at === null) {
          // Closing an alert nobody acknowledged: the person closing it acknowledges it first, as its own fact.
          await trx.updateTable('alerts').set({ acknowledged_at: now, acknowledged_by: actor.id }).where('id', '=', alertId).execute();
          await this.logTransition(trx, alertId, now, 'acknowledged', actor.id, { secondsFromRaise: (now - row.raised_at) / 1000, withResolve: true });
        }
        await trx.updateTable('alerts').set({ state: 'resolved', outcome, closed_at: now, updated_at: now }).where('id', '=', alertId).execute();
        await this.logTransition(trx, alertId, now, 'resolved', actor.id, { outcome, note: note ?? null });
      });
    });
  }

  /** Cancel an open alert (a person stands it down, with a reason); the resident's own "I'm OK" comes as a signal. */
  cancel(alertId: string, actor: Actor, reason: string): Promise<AlertView> {
    return this.serial(async () => {
      const row = await this.getRow(alertId, actor.orgId);
      if (!OPEN_STATES.includes(row.state as never)) throw new HearthError('HEARTH_ERR_CONFLICT', `alert is already ${row.state}`);
      const now = this.clock.now();
      return this.transition(alertId, 'cancelled', async (trx) => {
        await trx.updateTable('alerts').set({ state: 'cancelled', outcome: 'cancelled', closed_at: now, updated_at: now }).where('id', '=', alertId).execute();
        await this.logTransition(trx, alertId, now, 'cancelled', actor.id, { reason });
      });
    });
  }

  /**
   * Another change to an open alert (a note, an assignment, "on my way"), in
   * turn with every other transition: `fn` gets the current row inside the
   * transaction and returns the log entry to append (or throws to refuse).
   */
  act(alertId: string, actor: Actor, change: string, fn: (trx: Db, row: AlertTable, now: number) => Promise<Record<string, unknown>>): Promise<AlertView> {
    return this.serial(async () => {
      await this.getRow(alertId, actor.orgId);
      return this.transition(alertId, change, async (trx) => {
        const row = await trx.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirstOrThrow();
        const now = this.clock.now();
        await this.logTransition(trx, alertId, now, change, actor.id, await fn(trx, row, now));
      });
    });
  }

  /** One alert, within the actor's organisation. */
  async get(alertId: string, orgId: string): Promise<AlertView> {
    return this.view(await this.getRow(alertId, orgId));
  }

  /** The audit trail of an alert. */
  async history(alertId: string, orgId: string): Promise<{ at: string; action: string; actor: string | null; detail: unknown }[]> {
    await this.getRow(alertId, orgId);
    const rows = await this.db.selectFrom('alert_log').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
    return rows.map((r) => ({ at: new Date(r.at).toISOString(), action: r.action, actor: r.actor, detail: JSON.parse(r.detail) as unknown }));
  }

  /** Alerts of an organisation, open ones or all, newest first. */
  async list(orgId: string, options: { open: boolean; limit: number }): Promise<AlertView[]> {
    let q = this.db.selectFrom('alerts').selectAll().where('org_id', '=', orgId);
    if (options.open) q = q.where('state', 'in', [...OPEN_STATES]);
    const rows = await q.orderBy('raised_at', 'desc').limit(options.limit).execute();
    return this.views(rows);
  }

  /**
   * Fire every deadline due by `upTo`. Each is claimed (marked fired) in the
   * same transaction that records its effect, so a deadline fires once even
   * across a crash and restart; one whose condition no longer holds (the alert
   * was acknowledged, or the responder is on site) is consumed without effect.
   */
  fireDue(upTo: number): Promise<void> {
    return this.serial(async () => {
      if (!this.deadlines) return;
      const deadlines = this.deadlines;
      for (const d of await deadlines.due(this.db, upTo)) {
        let change: string | null = null;
        await this.db.transaction().execute(async (trx) => {
          const now = this.clock.now();
          // When the timer fired on time, its own time; when overdue at start, now.
          const at = Math.max(d.dueAt, Math.min(upTo, now));
          if (!(await deadlines.claim(trx, d.id, at))) return;
          const row = await trx.selectFrom('alerts').selectAll().where('id', '=', d.alertId).executeTakeFirstOrThrow();
          if (!stillDue(row, d.kind)) return;
          const detail = { dueAt: new Date(d.dueAt).toISOString(), lateMs: at - d.dueAt };
          if (d.kind === 'ack-escalation' || d.kind === 'ack-supervisor') {
            const level = d.kind === 'ack-escalation' ? 1 : 2;
            await trx.updateTable('alerts').set({ escalated_at: row.escalated_at ?? at, escalation_level: Math.max(level, row.escalation_level), updated_at: at }).where('id', '=', row.id).execute();
            await this.logTransition(trx, row.id, at, 'escalated', null, { ...detail, level, to: level === 1 ? 'operators-on-shift' : 'supervisor' });
            change = 'escalated';
          } else if (d.kind === 'response-warning') {
            await trx.updateTable('alerts').set({ response_warning_at: at, updated_at: at }).where('id', '=', row.id).execute();
            await this.logTransition(trx, row.id, at, 'response-warning', null, { ...detail, minutesFromDispatch: (at - row.dispatched_at!) / 60_000 });
            change = 'response-warning';
          } else {
            await trx.updateTable('alerts').set({ response_breached_at: at, updated_at: at }).where('id', '=', row.id).execute();
            await this.logTransition(trx, row.id, at, 'response-breach', null, { ...detail, minutesFromDispatch: (at - row.dispatched_at!) / 60_000 });
            change = 'response-breach';
          }
          const after = await trx.selectFrom('alerts').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
          await this.effects?.onTransition(trx, after, change, { deadline: d.kind });
        });
        if (change) {
          this.effects?.afterCommit();
          await this.changed(d.alertId, change);
        }
      }
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Run one transition in a transaction with routing's effects, then tell the bus. */
  private async transition(alertId: string, change: string, fn: (trx: Db) => Promise<void>): Promise<AlertView> {
    await this.db.transaction().execute(async (trx) => {
      await fn(trx);
      const row = await trx.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirstOrThrow();
      await this.effects?.onTransition(trx, row, change);
    });
    this.effects?.afterCommit();
    return this.changed(alertId, change);
  }

  private async apply(s: AlertSignal): Promise<AlertView | undefined> {
    const subject = s.residentId ?? s.hubId;
    const open = await this.db
      .selectFrom('alerts')
      .selectAll()
      .where('subject', '=', subject)
      .where('type', '=', s.type)
      .where('state', 'in', [...OPEN_STATES])
      .executeTakeFirst();
    const now = this.clock.now();

    if (s.action === 'raise') {
      if (open) {
        const cause = JSON.parse(open.cause) as Record<string, unknown> & { repeats?: unknown[] };
        // The same events signalled again (a detector re-fed after a crash) are not a repeat.
        if (sameEvents(cause, s.cause)) return undefined;
        const repeats = [...(cause.repeats ?? []), { at: new Date(now).toISOString(), ...s.cause }].slice(-MAX_REPEATS_KEPT);
        return this.transition(open.id, 'repeated', async (trx) => {
          await trx
            .updateTable('alerts')
            .set({ repeat_count: open.repeat_count + 1, updated_at: now, cause: JSON.stringify({ ...cause, repeats }) })
            .where('id', '=', open.id)
            .execute();
          await this.logTransition(trx, open.id, now, 'repeated', null, { rule: s.cause.rule, summary: s.cause.summary, events: s.cause.events, repeatCount: open.repeat_count + 1 });
        });
      }
      const resident = s.residentId ? await this.db.selectFrom('residents').select('neighbourhood_id').where('id', '=', s.residentId).executeTakeFirst() : undefined;
      const row: AlertTable = {
        id: newId(),
        org_id: s.orgId,
        hub_id: s.hubId,
        resident_id: s.residentId,
        subject,
        type: s.type,
        severity: ALERT_TYPES[s.type].severity,
        state: 'raised',
        occurred_at: s.occurredAt,
        raised_at: now,
        updated_at: now,
        repeat_count: 0,
        cause: JSON.stringify(s.cause),
        late: s.late ? 1 : 0,
        acknowledged_at: null,
        acknowledged_by: null,
        cleared_at: null,
        cleared_by: null,
        closed_at: null,
        outcome: null,
        neighbourhood_id: resident?.neighbourhood_id ?? null,
        dispatched_at: null,
        dispatched_by: null,
        dispatch_target: null,
        on_site_at: null,
        on_site_by: null,
        escalated_at: null,
        escalation_level: 0,
        response_warning_at: null,
        response_breached_at: null,
      };
      const view = await this.transition(row.id, 'raised', async (trx) => {
        await trx.insertInto('alerts').values(row).execute();
        await this.logTransition(trx, row.id, now, 'raised', null, { rule: s.cause.rule, summary: s.cause.summary });
      });
      this.log.info({ alertId: row.id, type: s.type, hubId: s.hubId }, 'alert raised');
      return view;
    }

    if (!open) return undefined; // nothing open to cancel or clear
    if (s.action === 'cancel' && ALERT_TYPES[s.type].cancellable) {
      return this.transition(open.id, 'cancelled', async (trx) => {
        await trx
          .updateTable('alerts')
          .set({ state: 'cancelled', cleared_at: s.occurredAt, cleared_by: 'resident', closed_at: now, outcome: 'cancelled-by-resident', updated_at: now })
          .where('id', '=', open.id)
          .execute();
        await this.logTransition(trx, open.id, now, 'cancelled', 'resident', { summary: s.cause.summary });
      });
    }
    if (open.cleared_at !== null) return undefined;
    return this.transition(open.id, 'cleared', async (trx) => {
      await trx.updateTable('alerts').set({ cleared_at: s.occurredAt, cleared_by: 'sensor', updated_at: now }).where('id', '=', open.id).execute();
      await this.logTransition(trx, open.id, now, 'cleared', null, { summary: s.cause.summary });
    });
  }

  private async getRow(alertId: string, orgId: string): Promise<AlertTable> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
    // Another organisation's alert is "not found", not "forbidden": its existence is not disclosed.
    if (!row || row.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such alert');
    return row;
  }

  private async logTransition(db: Db, alertId: string, at: number, action: string, actor: string | null, detail: unknown): Promise<void> {
    await db.insertInto('alert_log').values({ alert_id: alertId, at, action, actor, detail: JSON.stringify(detail) }).execute();
  }

  private async changed(alertId: string, change: string): Promise<AlertView> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirstOrThrow();
    const alert = await this.view(row);
    this.bus.emit('alert.changed', { alert, change });
    return alert;
  }

  private async view(row: AlertTable): Promise<AlertView> {
    return (await this.views([row]))[0]!;
  }

  /** Views of alert rows, with residents' names and the names of the people who acted. */
  views(rows: AlertTable[]): Promise<AlertView[]> {
    return loadViews(this.db, rows);
  }

}
