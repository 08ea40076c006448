import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';

/** One operator (or admin) as the queue shows them: signed in now, and on shift by their own toggle. */
export interface OperatorPresence {
  id: string;
  displayName: string;
  role: string;
  signedIn: boolean;
  onShift: boolean;
  changedAt: string | null;
}

/** Who is in the control room: operators and admins with a live session, and their "on shift" toggle. */
export class Presence {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Operators and admins of an organisation, signed in or on shift first. */
  async list(orgId: string): Promise<OperatorPresence[]> {
    const now = this.clock.now();
    const users = await this.db
      .selectFrom('users')
      .leftJoin('operator_shifts', 'operator_shifts.user_id', 'users.id')
      .select(['users.id as id', 'users.display_name as displayName', 'users.role as role', 'operator_shifts.on_shift as onShift', 'operator_shifts.changed_at as changedAt'])
      .where('users.org_id', '=', orgId)
      .where('users.role', 'in', ['operator', 'admin'])
      .where('users.disabled', '=', 0)
      .execute();
    const live = await this.db.selectFrom('sessions').select('user_id').distinct().where('expires_at', '>', now).where('user_id', 'in', users.length ? users.map((u) => u.id) : ['']).execute();
    const signedIn = new Set(live.map((s) => s.user_id));
    return users
      .map((u) => ({ id: u.id, displayName: u.displayName, role: u.role, signedIn: signedIn.has(u.id), onShift: u.onShift === 1 && signedIn.has(u.id), changedAt: u.changedAt === null ? null : new Date(u.changedAt).toISOString() }))
      .sort((a, b) => Number(b.onShift) - Number(a.onShift) || Number(b.signedIn) - Number(a.signedIn) || a.displayName.localeCompare(b.displayName));
  }

  /** Set a user's own "on shift" toggle. */
  async setOnShift(user: { id: string; orgId: string }, onShift: boolean): Promise<void> {
    const now = this.clock.now();
    await this.db
      .insertInto('operator_shifts')
      .values({ user_id: user.id, org_id: user.orgId, on_shift: onShift ? 1 : 0, changed_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ on_shift: onShift ? 1 : 0, changed_at: now }))
      .execute();
  }
}
