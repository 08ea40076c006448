import type { Clock } from '../clock.ts';

/** How many failed sign-ins are allowed per key in a window, and for how long a key is then held off. */
export interface SignInLimits {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

/** Defaults: 5 failures in 15 minutes hold a username (or an address) off for 15 minutes. */
export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { maxFailures: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/**
 * Slows password guessing: failed sign-ins are counted per username and per
 * client address, on the injected clock; past the limit, that key is refused
 * (even with the right password) until the lockout passes. In memory: a restart
 * forgets, which errs towards letting staff back in.
 */
export class SignInLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
  ) {}

  /** Milliseconds until any of the keys may try again, or 0 when none is held off. */
  retryAfter(keys: string[]): number {
    const now = this.clock.now();
    let wait = 0;
    for (const k of keys) {
      const e = this.entries.get(k);
      if (e && e.lockedUntil > now) wait = Math.max(wait, e.lockedUntil - now);
    }
    return wait;
  }

  /** Count a failure against every key; locks a key that reaches the limit. */
  failed(keys: string[]): void {
    const now = this.clock.now();
    for (const k of keys) {
      const e = this.entries.get(k) ?? { failures: [], lockedUntil: 0 };
      e.failures = e.failures.filter((t) => t > now - this.limits.windowMs);
      e.failures.push(now);
      if (e.failures.length >= this.limits.maxFailures) {
        e.lockedUntil = now + this.limits.lockoutMs;
        e.failures = [];
      }
      this.entries.set(k, e);
    }
    if (this.entries.size > 50_000) this.prune(now);
  }

  /** A successful sign-in clears the username's failures (not the address's). */
  succeeded(key: string): void {
    this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) {
      if (e.lockedUntil <= now && e.failures.every((t) => t <= now - this.limits.windowMs)) this.entries.delete(k);
    }
  }
}
