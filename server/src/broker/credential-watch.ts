import type { Client } from 'aedes';
import { hashToken } from '../auth/crypto.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Db } from '../db/database.ts';

/** How often connected hubs' credentials are checked again. */
export const CREDENTIAL_CHECK_MS = 5_000;

/**
 * Re-checks the credentials of connected hubs on the injected clock, so that
 * rotating a hub's secret (from the API, or from the CLI in another process),
 * disabling or removing the hub drops its live connection within seconds.
 * Every few seconds it reads one counter that triggers move on any such change
 * (0019); only when it has moved are all connected hubs' secrets read again, and
 * otherwise only those of connections made since the last check (one that signed
 * in just before a change could otherwise be missed). Only a hash of the secret a
 * connection signed in with is kept.
 */
export class CredentialWatch {
  private readonly live = new Map<Client, { hubId: string; hash: string }>();
  /** Connections remembered since the last check. */
  private readonly fresh = new Set<Client>();
  /** The counter as the last check read it (undefined: never read, so check everyone). */
  private epoch: number | undefined;
  /** Connections whose secrets have been read again, in all (what a check cost). */
  secretsRead = 0;
  private timer: TimerHandle | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly onRevoked: (hubId: string, client: Client) => void,
    private readonly everyMs = CREDENTIAL_CHECK_MS,
  ) {}

  /** Remember the secret a connection signed in with. */
  remember(client: Client, hubId: string, secret: string): void {
    this.live.set(client, { hubId, hash: hashToken(secret) });
    this.fresh.add(client);
  }

  /** Forget a connection that has gone. */
  forget(client: Client): void {
    this.live.delete(client);
    this.fresh.delete(client);
  }

  /** Check every so often until stop(). */
  start(): void {
    const loop = (): void => {
      this.check().catch(() => undefined);
      this.timer = this.clock.setTimeout(loop, this.everyMs);
    };
    this.timer = this.clock.setTimeout(loop, this.everyMs);
  }

  /** Stop checking. */
  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Check now; how many connections were dropped. */
  check(): Promise<number> {
    this.running ??= this.checkNow().finally(() => (this.running = undefined));
    return this.running;
  }

  private async checkNow(): Promise<number> {
    // Read before the secrets: a change after this read moves the counter for the next check.
    const row = await this.db.selectFrom('hub_credential_epoch').select('n').where('id', '=', 1).executeTakeFirst();
    const epoch = row?.n;
    const moved = epoch === undefined || epoch !== this.epoch;
    // Unmoved: only the fresh connections (fresh is a subset of live: forget() removes from both).
    const entries = moved ? [...this.live] : [...this.fresh].map((c) => [c, this.live.get(c)!] as const);
    this.fresh.clear();
    this.epoch = epoch;
    if (!entries.length) return 0;
    this.secretsRead += entries.length;
    const ids = [...new Set(entries.map(([, v]) => v.hubId))];
    const current = new Map<string, string>();
    try {
      for (let i = 0; i < ids.length; i += 500) {
        // A hub taken out of service (disabled) is dropped like one whose secret was rotated.
        const rows = await this.db.selectFrom('hubs').select(['id', 'secret_hash']).where('id', 'in', ids.slice(i, i + 500)).where('disabled', '=', 0).execute();
        for (const r of rows) current.set(r.id, r.secret_hash);
      }
    } catch (err) {
      this.epoch = undefined; // not read: everyone is checked next time
      throw err;
    }
    let dropped = 0;
    for (const [client, { hubId, hash }] of entries) {
      if (client.closed) {
        this.live.delete(client); // authenticated, then gone before it was ready: no goodbye to forget it by
        continue;
      }
      if (!this.live.has(client) || current.get(hubId) === hash) continue;
      this.live.delete(client);
      dropped++;
      this.onRevoked(hubId, client);
    }
    return dropped;
  }
}
