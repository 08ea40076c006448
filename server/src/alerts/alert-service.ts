import type { Logger } from 'pino';
import type { AlertSignal } from '../anomaly/detector.ts';
import type { EventBus } from '../bus.ts';
import type { Clock } from '../clock.ts';
import { ALERT_TYPES, OPEN_STATES } from '../care/model.ts';
import { newId } from '../auth/crypto.ts';
import type { Db } from '../db/database.ts';
import type { AlertTable } from '../db/schema.ts';
import { HearthError } from '../errors.ts';
import type { HearthEvents } from '../events.ts';
import { toAlertView, type AlertView } from './alert-view.ts';

const MAX_REPEATS_KEPT = 20;

/** Outcomes an alert may be resolved with. */
export const OUTCOMES = ['no-harm', 'assisted', 'conveyed-to-hospital', 'false-alarm', 'other'] as const;
/** A resolution outcome. */
export type Outcome = (typeof OUTCOMES)[number];

/** A person acting on an alert. */
export interface Actor {
  id: string;
  orgId: string;
}

/**
 * Alerts: durable, at most one open per (subject, type), repeats update it.
 * Every transition is appended to the alert log with who and when.
 * Signals are applied one at a time, in order, so two falls in one instant
 * cannot open two alerts.
 */
export class AlertService {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus<HearthEvents>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Apply a detector's signal; resolves to the alert it touched, if any. */
  handleSignal(signal: AlertSignal): Promise<AlertView | undefined> {
    return this.serial(() => this.apply(signal));
  }

  /** Wait until every signal handed in so far is applied. */
  async drain(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  /** Acknowledge an alert (idempotent: the first acknowledgement is the one kept). */
  acknowledge(alertId: string, actor: Actor): Promise<AlertView> {
    return this.serial(async () => {
      const row = await this.getRow(alertId, actor.orgId);
      if (row.acknowledged_at !== null) return this.view(row);
      const now = this.clock.now();
      const state = row.state === 'raised' ? 'acknowledged' : row.state;
      await this.db.updateTable('alerts').set({ acknowledged_at: now, acknowledged_by: actor.id, state, updated_at: now }).where('id', '=', alertId).execute();
      await this.logTransition(alertId, now, 'acknowledged', actor.id, {});
      return this.changed(alertId, 'acknowledged');
    });
  }

  /** Close an alert with an outcome. */
  resolve(alertId: string, actor: Actor, outcome: Outcome, note?: string): Promise<AlertView> {
    return this.serial(async () => {
      const row = await this.getRow(alertId, actor.orgId);
      if (!OPEN_STATES.includes(row.state as never)) throw new HearthError('HEARTH_ERR_CONFLICT', `alert is already ${row.state}`);
      const now = this.clock.now();
      await this.db.updateTable('alerts').set({ state: 'resolved', outcome, closed_at: now, updated_at: now }).where('id', '=', alertId).execute();
      await this.logTransition(alertId, now, 'resolved', actor.id, { outcome, note: note ?? null });
      return this.changed(alertId, 'resolved');
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

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
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
        const repeats = [...(cause.repeats ?? []), { at: new Date(now).toISOString(), ...s.cause }].slice(-MAX_REPEATS_KEPT);
        await this.db
          .updateTable('alerts')
          .set({ repeat_count: open.repeat_count + 1, updated_at: now, cause: JSON.stringify({ ...cause, repeats }) })
          .where('id', '=', open.id)
          .execute();
        await this.logTransition(open.id, now, 'repeated', null, { rule: s.cause.rule, summary: s.cause.summary, events: s.cause.events });
        return this.changed(open.id, 'repeated');
      }
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
      };
      await this.db.insertInto('alerts').values(row).execute();
      await this.logTransition(row.id, now, 'raised', null, { rule: s.cause.rule, summary: s.cause.summary });
      this.log.info({ alertId: row.id, type: s.type, hubId: s.hubId }, 'alert raised');
      return this.changed(row.id, 'raised');
    }

    if (!open) return undefined; // nothing open to cancel or clear
    if (s.action === 'cancel' && ALERT_TYPES[s.type].cancellable) {
      await this.db
        .updateTable('alerts')
        .set({ state: 'cancelled', cleared_at: s.occurredAt, cleared_by: 'resident', closed_at: now, outcome: 'cancelled-by-resident', updated_at: now })
        .where('id', '=', open.id)
        .execute();
      await this.logTransition(open.id, now, 'cancelled', 'resident', { summary: s.cause.summary });
      return this.changed(open.id, 'cancelled');
    }
    if (open.cleared_at !== null) return undefined;
    await this.db.updateTable('alerts').set({ cleared_at: s.occurredAt, cleared_by: 'sensor', updated_at: now }).where('id', '=', open.id).execute();
    await this.logTransition(open.id, now, 'cleared', null, { summary: s.cause.summary });
    return this.changed(open.id, 'cleared');
  }

  private async getRow(alertId: string, orgId: string): Promise<AlertTable> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
    // Another organisation's alert is "not found", not "forbidden": its existence is not disclosed.
    if (!row || row.org_id !== orgId) throw new HearthError('HEARTH_ERR_NOT_FOUND', 'no such alert');
    return row;
  }

  private async logTransition(alertId: string, at: number, action: string, actor: string | null, detail: unknown): Promise<void> {
    await this.db.insertInto('alert_log').values({ alert_id: alertId, at, action, actor, detail: JSON.stringify(detail) }).execute();
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

  private async views(rows: AlertTable[]): Promise<AlertView[]> {
    const ids = [...new Set(rows.map((r) => r.resident_id).filter((x): x is string => x !== null))];
    const residents = ids.length
      ? await this.db.selectFrom('residents').select(['id', 'name', 'coordinator_id']).where('id', 'in', ids).execute()
      : [];
    const byId = new Map(residents.map((r) => [r.id, r]));
    return rows.map((r) => toAlertView(r, r.resident_id ? byId.get(r.resident_id) : null));
  }
}
