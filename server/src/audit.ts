import type { Clock } from './clock.ts';
import type { Db } from './db/database.ts';
import type { UserInfo } from './care/directory.ts';

/** Who saw whom: one access-log row per read of personal data (health data). */
export class AccessLog {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Record that user did action over subjects (resident ids, alert ids). */
  async record(user: UserInfo, action: string, subjects: string[]): Promise<void> {
    if (!subjects.length) return;
    await this.db
      .insertInto('access_log')
      .values({ at: this.clock.now(), user_id: user.id, org_id: user.orgId, action, subject: JSON.stringify([...new Set(subjects)]) })
      .execute();
  }
}
