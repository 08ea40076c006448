import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Directory, UserInfo } from '../care/directory.ts';
import { hashToken, newSecret } from './crypto.ts';

/** Why sessions ended: sign-out, a disabled user, a password change or reset, expiry. */
export type RevokeReason = 'sign-out' | 'disabled' | 'password' | 'expired';

/** Sessions that ended: by token hash, or every session of a user (except `keep`). */
export type Revocation = { reason: RevokeReason } & ({ tokenHash: string } | { userId: string; keep?: string });

/**
 * Signed-in sessions: opaque random tokens, kept only as hashes, with an expiry.
 * A disabled user's sessions do not work; ending sessions tells the listeners
 * (the live stream closes its sockets at once).
 */
export class Sessions {
  private readonly listeners = new Set<(r: Revocation) => void>();

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

  /** The user behind a token, if the session is live and the user not disabled. */
  async lookup(token: string): Promise<UserInfo | undefined> {
    return this.lookupHash(hashToken(token));
  }

  /** The user behind a token hash, if the session is live and the user not disabled. */
  async lookupHash(tokenHash: string): Promise<UserInfo | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['sessions.user_id', 'sessions.expires_at', 'users.disabled'])
      .where('sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.expires_at <= this.clock.now() || row.disabled) return undefined;
    return this.directory.getUser(row.user_id);
  }

  /** End a session. */
  async revoke(token: string): Promise<void> {
    const tokenHash = hashToken(token);
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    this.tell({ reason: 'sign-out', tokenHash });
  }

  /** End every session of a user, except the one whose token is `keepToken`; returns how many ended. */
  async revokeUser(userId: string, reason: RevokeReason, keepToken?: string): Promise<number> {
    let q = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    const keep = keepToken ? hashToken(keepToken) : undefined;
    if (keep) q = q.where('token_hash', '!=', keep);
    const r = await q.executeTakeFirst();
    this.tell({ reason, userId, ...(keep ? { keep } : {}) });
    return Number(r.numDeletedRows);
  }

  /** Delete expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<=', this.clock.now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Be told when sessions end; returns the unsubscribe function. */
  onRevoked(fn: (r: Revocation) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private tell(r: Revocation): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(r);
      } catch {
        /* a listener's fault must not stop a sign-out */
      }
    }
  }
}
