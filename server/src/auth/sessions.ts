import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Directory, UserInfo } from '../care/directory.ts';
import { hashToken, newSecret } from './crypto.ts';

/** Signed-in sessions: opaque random tokens, kept only as hashes, with an expiry. */
export class Sessions {
  constructor(
    private readonly db: Db,
    private readonly directory: Directory,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Start a session for a user; returns the token (shown once, to the client). */
  async create(userId: string): Promise<{ token: string; expiresAt: number }> {
    const token = newSecret();
    const now = this.clock.now();
    const expiresAt = now + this.ttlMs;
    await this.db.insertInto('sessions').values({ token_hash: hashToken(token), user_id: userId, created_at: now, expires_at: expiresAt }).execute();
    return { token, expiresAt };
  }

  /** The user behind a token, if the session is live. */
  async lookup(token: string): Promise<UserInfo | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row || row.expires_at <= this.clock.now()) return undefined;
    return this.directory.getUser(row.user_id);
  }

  /** End a session. */
  async revoke(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
  }
}
