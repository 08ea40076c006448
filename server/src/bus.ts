import type { Logger } from 'pino';

type Listener<P> = (payload: P) => void | Promise<void>;

/**
 * A typed event bus between long-lived parts. Each listener is guarded: one that
 * throws (or rejects) is logged and counted, and the others still run, so a
 * broken dashboard feed can never silence alert routing.
 */
export class EventBus<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();
  /** Listener failures so far, for /api/health. */
  failures = 0;

  constructor(private readonly log?: Logger) {}

  /** Subscribe; returns the unsubscribe function. */
  on<K extends keyof Events>(name: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  /** Deliver payload to every listener of name, each in its own guard. */
  emit<K extends keyof Events>(name: K, payload: Events[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        const r = (fn as Listener<Events[K]>)(payload);
        if (r && typeof (r as Promise<void>).catch === 'function') {
          (r as Promise<void>).catch((err: unknown) => this.fail(name, err));
        }
      } catch (err) {
        this.fail(name, err);
      }
    }
  }

  private fail(name: keyof Events, err: unknown): void {
    this.failures++;
    this.log?.error({ err, event: String(name) }, 'bus listener failed');
  }
}
