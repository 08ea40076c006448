import { sql, type SelectQueryBuilder } from 'kysely';
import type { UserInfo } from '../care/directory.ts';
import { OPEN_STATES } from '../care/model.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { AlertService } from './alert-service.ts';
import { compareAlerts, type AlertView } from './alert-view.ts';

/** A search of closed alerts. */
export interface HistoryQuery {
  residentId?: string | undefined;
  /** Part of the resident's name (case-insensitive). */
  resident?: string | undefined;
  type?: string | undefined;
  outcome?: string | undefined;
  /** Closed at or after (ms). */
  from?: number | undefined;
  /** Closed before (ms). */
  to?: number | undefined;
  page: number;
  pageSize: number;
}

/** One page of closed alerts. */
export interface HistoryPage {
  alerts: AlertView[];
  total: number;
  page: number;
  pageSize: number;
}

/** A shift handover: what happened in the last hours, and what is still open. */
export interface Handover {
  from: string;
  to: string;
  open: AlertView[];
  closed: AlertView[];
  raised: number;
  escalated: number;
  breached: number;
  byOutcome: Record<string, number>;
  notes: { alertId: string; at: string; actor: string | null; text: string }[];
}

type AlertQuery = SelectQueryBuilder<Database, 'alerts', object>;

/**
 * The alerts a user may see, as a query: the care model's "see" scopes
 * (server/src/care/alert-permissions.ts) in SQL, so paging counts only what
 * the user may see.
 */
export function scoped(q: AlertQuery, user: UserInfo): AlertQuery {
  q = q.where('alerts.org_id', '=', user.orgId);
  switch (user.role) {
    case 'operator':
    case 'admin':
      return q;
    case 'coordinator':
      return q.where((eb) =>
        eb.or([
          eb('alerts.resident_id', 'in', eb.selectFrom('residents').select('id').where('coordinator_id', '=', user.id)),
          eb.and([eb('alerts.resident_id', 'is', null), eb('alerts.hub_id', 'in', eb.selectFrom('residents').select('hub_id').where('coordinator_id', '=', user.id).where('hub_id', 'is not', null) as never)]),
        ]),
      );
    case 'installer':
      return q.where('alerts.severity', '=', 'technical');
    case 'responder':
      return q.where((eb) =>
        eb.or([
          eb('alerts.assigned_to', '=', user.id),
          eb(sql`json_extract(alerts.dispatch_target, '$.userId')`, '=', user.id),
          eb.and([eb(sql`json_extract(alerts.dispatch_target, '$.kind')`, '=', 'team'), eb(sql`json_extract(alerts.dispatch_target, '$.neighbourhoodId')`, '=', user.neighbourhoodId ?? '')]),
        ]),
      );
  }
}

/** Closed alerts (history), a resident's alerts, and the shift handover. */
export class AlertHistory {
  constructor(
    private readonly db: Db,
    private readonly alerts: AlertService,
    private readonly clock: Clock,
  ) {}

  /** Closed alerts the user may see, newest closed first, filtered and paged. */
  async search(user: UserInfo, query: HistoryQuery): Promise<HistoryPage> {
    let q = scoped(this.db.selectFrom('alerts'), user).where('alerts.state', 'not in', [...OPEN_STATES]);
    if (query.residentId) q = q.where('alerts.resident_id', '=', query.residentId);
    if (query.resident) {
      const like = `%${query.resident.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb('alerts.resident_id', 'in', eb.selectFrom('residents').select('id').where(sql<boolean>`name LIKE ${like} ESCAPE '\\'`)), eb('alerts.hub_id', 'like', like)]));
    }
    if (query.type) q = q.where('alerts.type', '=', query.type);
    if (query.outcome) q = q.where('alerts.outcome', '=', query.outcome);
    if (query.from !== undefined) q = q.where('alerts.closed_at', '>=', query.from);
    if (query.to !== undefined) q = q.where('alerts.closed_at', '<', query.to);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q
      .selectAll('alerts')
      .orderBy('alerts.closed_at', 'desc')
      .orderBy('alerts.id')
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute();
    return { alerts: await this.alerts.views(rows), total, page: query.page, pageSize: query.pageSize };
  }

  /** The handover for the last `hours`: alerts raised, closed, escalated, breached, the notes written, and what is open. */
  async handover(user: UserInfo, hours: number): Promise<Handover> {
    const to = this.clock.now();
    const from = to - hours * 3600_000;
    const base = () => scoped(this.db.selectFrom('alerts'), user);
    const open = await this.alerts.views(await base().selectAll('alerts').where('alerts.state', 'in', [...OPEN_STATES]).execute());
    const closed = await this.alerts.views(await base().selectAll('alerts').where('alerts.closed_at', '>=', from).where('alerts.closed_at', '<=', to).orderBy('alerts.closed_at', 'desc').execute());
    const count = async (col: 'raised_at' | 'escalated_at' | 'response_breached_at') =>
      Number((await base().where(`alerts.${col}`, '>=', from).where(`alerts.${col}`, '<=', to).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const byOutcome: Record<string, number> = {};
    for (const a of closed) byOutcome[a.outcome ?? 'none'] = (byOutcome[a.outcome ?? 'none'] ?? 0) + 1;
    const noteRows = await this.db
      .selectFrom('alert_log')
      .select(['alert_id', 'at', 'actor', 'detail'])
      .where('action', '=', 'note')
      .where('at', '>=', from)
      .where('alert_id', 'in', base().select('alerts.id'))
      .orderBy('at', 'desc')
      .limit(200)
      .execute();
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      open: open.sort(compareAlerts),
      closed,
      raised: await count('raised_at'),
      escalated: await count('escalated_at'),
      breached: await count('response_breached_at'),
      byOutcome,
      notes: noteRows.map((n) => ({ alertId: n.alert_id, at: new Date(n.at).toISOString(), actor: n.actor, text: String((JSON.parse(n.detail) as { text?: unknown }).text ?? '') })),
    };
  }
}
