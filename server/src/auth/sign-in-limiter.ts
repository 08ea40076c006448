import type { Clock } from '../clock.ts';

/** One kind of key's allowance: failures free of delay, then a delay doubling from baseMs up to maxMs; forgotten after forgetMs quiet. */
export interface DelayPolicy {
  free: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
}

/**
 * The defaults. Per address: 20 free (a monitoring centre signs in from
 * behind one NAT). Per username and address: 3. Per username from devices it
 * has not signed in on before: 10. Delays double from 1 s up to 15 minutes.
 */
export const SIGN_IN_POLICIES = {
  address: { free: 20, baseMs: 1_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 },
  userAddress: { free: 3, baseMs: 1_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 },
  userNewDevice: { free: 10, baseMs: 1_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 },
  device: { free: 10, baseMs: 1_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 },
} as const satisfies Record<string, DelayPolicy>;

/** A kind of limiter key. */
export type LimitKind = keyof typeof SIGN_IN_POLICIES;

interface Entry {
  failures: number;
  lastAt: number;
}

/** The delay after `failures` failures under a policy. */
export function delayAfter(policy: DelayPolicy, failures: number): number {
  if (failures <= policy.free) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, failures - policy.free - 1));
}

/**
 * Slows password guessing without locking anyone out (docs/security.md):
 * failures are counted per key (address, username and address, username from
 * unknown devices, known device) on the injected clock, and each failure past a
 * key's allowance makes the next attempt wait longer. Nobody is refused for
 * good: the wait is bounded and said; a known device is never held off by
 * others' failures. In memory: a restart forgets, erring towards letting staff in.
 */
export class SignInLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly policies: Record<LimitKind, DelayPolicy> = SIGN_IN_POLICIES,
  ) {}

  /** Milliseconds until an attempt under all these keys may be made; 0 when none holds it off. */
  retryAfter(keys: [LimitKind, string][]): number {
    const now = this.clock.now();
    let wait = 0;
    for (const [kind, key] of keys) {
      const e = this.live(kind, key, now);
      if (!e) continue;
      wait = Math.max(wait, e.lastAt + delayAfter(this.policies[kind], e.failures) - now);
    }
    return Math.max(0, wait);
  }

  /** Count a failure against every key. */
  failed(keys: [LimitKind, string][]): void {
    const now = this.clock.now();
    for (const [kind, key] of keys) {
      const e = this.live(kind, key, now) ?? { failures: 0, lastAt: now };
      e.failures += 1;
      e.lastAt = now;
      this.entries.set(`${kind}\u0000${key}`, e);
    }
    if (this.entries.size > 100_000) this.prune(now);
  }

  /** Forget the failures of these keys (after a successful sign-in). */
  succeeded(keys: [LimitKind, string][]): void {
    for (const [kind, key] of keys) this.entries.delete(`${kind}\u0000${key}`);
  }

  private live(kind: LimitKind, key: string, now: number): Entry | undefined {
    const e = this.entries.get(`${kind}\u0000${key}`);
    if (e && now - e.lastAt > this.policies[kind].forgetMs) {
      this.entries.delete(`${kind}\u0000${key}`);
      return undefined;
    }
    return e;
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) {
      const kind = k.slice(0, k.indexOf('\u0000')) as LimitKind;
      if (now - e.lastAt > this.policies[kind].forgetMs) this.entries.delete(k);
    }
  }
}
