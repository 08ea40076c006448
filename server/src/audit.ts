import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from './clock.ts';
import type { Db } from './db/database.ts';
import type { UserInfo } from './care/directory.ts';

/** Per-request state: whether the request's handler wrote to the access log (so the backstop does not write twice). */
export const accessScope = new AsyncLocalStorage<{ logged: boolean }>();

/** Who saw whom: one access-log row per read or change of personal data (health data). Append-only in the database. */
export class AccessLog {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Record that user did action over subjects (resident ids, alert ids, hub ids, user ids). */
  async record(user: UserInfo, action: string, subjects: string[]): Promise<void> {
    if (!subjects.length) return;
    const scope = accessScope.getStore();
    if (scope) scope.logged = true;
    await this.db
      .insertInto('access_log')
      .values({ at: this.clock.now(), user_id: user.id, org_id: user.orgId, action, subject: JSON.stringify([...new Set(subjects)]) })
      .execute();
  }
}
