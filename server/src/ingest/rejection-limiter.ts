import type { Clock } from '../clock.ts';

/** How many rejections a hub may have stored, and when it is cut off (docs/protocol.md, "Limits"). */
export interface RejectionLimits {
  /** Rejections stored per second, sustained. */
  perSecond: number;
  /** Rejections stored in a burst above the sustained rate. */
  burst: number;
  /** Bytes of rejected payload stored per second, sustained. */
  bytesPerSecond: number;
  /** Bytes of rejected payload stored in a burst. */
  burstBytes: number;
  /** Rejections over the limit (counted, not stored) within windowMs after which the hub is disconnected. */
  disconnectAfter: number;
  /** The window for disconnectAfter. */
  windowMs: number;
  /** How long a disconnected hub is refused before it may connect again. */
  holdOffMs: number;
  /** At most one log line per hub in this interval; the others are counted in it. */
  logEveryMs: number;
}

/** The defaults: ample for a hub with a bug, far below a flood. */
export const DEFAULT_REJECTION_LIMITS: RejectionLimits = {
  perSecond: 5,
  burst: 100,
  bytesPerSecond: 32 * 1024,
  burstBytes: 1024 * 1024,
  disconnectAfter: 500,
  windowMs: 60_000,
  holdOffMs: 30_000,
  logEveryMs: 60_000,
};

/** What to do with one rejection. */
export interface Admission {
  /** Store it (with its clipped payload); otherwise it is only counted. */
  store: boolean;
  /** The hub has kept misbehaving: disconnect it (said once per window). */
  disconnect: boolean;
}

interface HubBudget {
  tokens: number;
  bytes: number;
  refilledAt: number;
  over: number;
  overSince: number;
  loggedAt: number;
  unlogged: number;
}

/**
 * Per-hub budgets for rejected messages, on the injected clock: token buckets
 * for count and bytes decide what is stored; a hub that keeps going over is
 * to be disconnected; and logging is sampled, one line per hub per interval.
 * One hub's budget never touches another's.
 */
export class RejectionLimiter {
  private readonly hubs = new Map<string, HubBudget>();

  constructor(
    private readonly clock: Clock,
    readonly limits: RejectionLimits = DEFAULT_REJECTION_LIMITS,
  ) {}

  /** Judge one rejection of `bytes` payload bytes from a hub. */
  admit(hubId: string, bytes: number): Admission {
    const b = this.budget(hubId);
    const now = this.clock.now();
    const l = this.limits;
    const dt = Math.max(0, now - b.refilledAt) / 1000;
    b.tokens = Math.min(l.burst, b.tokens + dt * l.perSecond);
    b.bytes = Math.min(l.burstBytes, b.bytes + dt * l.bytesPerSecond);
    b.refilledAt = now;
    if (b.tokens >= 1 && b.bytes >= bytes) {
      b.tokens -= 1;
      b.bytes -= bytes;
      return { store: true, disconnect: false };
    }
    if (now - b.overSince > l.windowMs) {
      b.overSince = now;
      b.over = 0;
    }
    b.over++;
    const disconnect = b.over === l.disconnectAfter;
    return { store: false, disconnect };
  }

  /** Whether to log a rejection of this hub now; when so, how many went unlogged before it. */
  sample(hubId: string): { log: boolean; suppressed: number } {
    const b = this.budget(hubId);
    const now = this.clock.now();
    if (now - b.loggedAt >= this.limits.logEveryMs) {
      const suppressed = b.unlogged;
      b.loggedAt = now;
      b.unlogged = 0;
      return { log: true, suppressed };
    }
    b.unlogged++;
    return { log: false, suppressed: 0 };
  }

  /** Forget a hub's budget (it disconnected, after its hold-off). */
  forget(hubId: string): void {
    this.hubs.delete(hubId);
  }

  private budget(hubId: string): HubBudget {
    let b = this.hubs.get(hubId);
    if (!b) {
      const now = this.clock.now();
      b = { tokens: this.limits.burst, bytes: this.limits.burstBytes, refilledAt: now, over: 0, overSince: now, loggedAt: -Infinity, unlogged: 0 };
      this.hubs.set(hubId, b);
    }
    return b;
  }
}
