import type { Db } from '../db/database.ts';
import { HearthError } from '../errors.ts';
import { localDay } from '../trends/local-time.ts';
import type { Directory } from './directory.ts';

/** A period of away mode, as the API shows it. */
export interface AwayPeriod {
  from: string;
  /** Last local day away (inclusive), or null for "until further notice". */
  until: string | null;
  reason: string;
  setBy: string;
  setByName: string | null;
  endedAt: string | null;
  endedBy: string | null;
}

/** Who ends an away period that reached its end date. */
export const AWAY_EXPIRY_ACTOR = 'system:away-ended';

/**
 * Away mode with an end date and a reason, kept as periods (who set and ended
 * each). The resident's `away` flag (what the detectors read) follows the open
 * period; a period whose end date has passed is ended by `expire()`.
 */
export class AwayMode {
  constructor(
    private readonly db: Db,
    private readonly directory: Directory,
    private readonly now: () => number,
  ) {}

  /** Start (or replace) away mode, or end it. */
  async set(orgId: string, residentId: string, input: { away: boolean; until?: string | undefined; reason?: string | undefined }, userId: string): Promise<AwayPeriod | null> {
    const r = await this.directory.getResident(orgId, residentId);
    const now = this.now();
    if (input.away) {
      const reason = input.reason?.trim() ?? '';
      if (!reason) throw new HearthError('HEARTH_ERR_VALIDATION', 'away mode needs a reason (e.g. "hospital stay", "holiday with family")');
      const today = localDay(r.timezone, now);
      if (input.until !== undefined && input.until < today) throw new HearthError('HEARTH_ERR_VALIDATION', `the end date ${input.until} is before today (${today}) in the resident's time zone`);
      await this.endOpen(residentId, now, userId);
      await this.db
        .insertInto('away_periods')
        .values({ resident_id: residentId, org_id: orgId, from_at: now, until_day: input.until ?? null, reason, set_by: userId, ended_at: null, ended_by: null })
        .execute();
      await this.directory.setAway(orgId, residentId, true);
    } else {
      await this.endOpen(residentId, now, userId);
      await this.directory.setAway(orgId, residentId, false);
    }
    return this.current(orgId, residentId);
  }

  /** The open away period, or null. */
  async current(orgId: string, residentId: string): Promise<AwayPeriod | null> {
    return (await this.list(orgId, residentId, true))[0] ?? null;
  }

  /** A resident's away periods, newest first. */
  async list(orgId: string, residentId: string, openOnly = false, limit = 50): Promise<AwayPeriod[]> {
    let q = this.db
      .selectFrom('away_periods')
      .leftJoin('users', 'users.id', 'away_periods.set_by')
      .select(['away_periods.from_at', 'away_periods.until_day', 'away_periods.reason', 'away_periods.set_by', 'users.display_name', 'away_periods.ended_at', 'away_periods.ended_by'])
      .where('away_periods.org_id', '=', orgId)
      .where('away_periods.resident_id', '=', residentId);
    if (openOnly) q = q.where('away_periods.ended_at', 'is', null);
    const rows = await q.orderBy('away_periods.id', 'desc').limit(limit).execute();
    return rows.map((p) => ({
      from: new Date(p.from_at).toISOString(),
      until: p.until_day,
      reason: p.reason,
      setBy: p.set_by,
      setByName: p.display_name ?? null,
      endedAt: p.ended_at === null ? null : new Date(p.ended_at).toISOString(),
      endedBy: p.ended_by,
    }));
  }

  /** End every open period whose last day has passed in the resident's time zone; returns how many. */
  async expire(): Promise<number> {
    const now = this.now();
    const open = await this.db
      .selectFrom('away_periods')
      .innerJoin('residents', 'residents.id', 'away_periods.resident_id')
      .select(['away_periods.id', 'away_periods.resident_id', 'away_periods.org_id', 'away_periods.until_day', 'residents.timezone'])
      .where('away_periods.ended_at', 'is', null)
      .where('away_periods.until_day', 'is not', null)
      .execute();
    let n = 0;
    for (const p of open) {
      if (p.until_day! >= localDay(p.timezone, now)) continue;
      await this.db.updateTable('away_periods').set({ ended_at: now, ended_by: AWAY_EXPIRY_ACTOR }).where('id', '=', p.id).execute();
      await this.directory.setAway(p.org_id, p.resident_id, false);
      n++;
    }
    return n;
  }

  private async endOpen(residentId: string, at: number, userId: string): Promise<void> {
    await this.db.updateTable('away_periods').set({ ended_at: at, ended_by: userId }).where('resident_id', '=', residentId).where('ended_at', 'is', null).execute();
  }
}
