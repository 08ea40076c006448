/** A timer handle returned by a Clock. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Where time comes from. Every detector and timer takes one, so a month of a
 * resident's life replays in seconds (VirtualClock) and tests never wait.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Run fn once, ms milliseconds from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancel a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The wall clock and Node's timers. */
export class SystemClock implements Clock {
  private next = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  /**
   * @param options.keepAlive whether pending timers keep the process running. Off by default: the
   * server is kept alive by its listeners, and tests must not be. A process whose only work is
   * timers (the gateway retrying a dead link) needs it on, or it would simply exit.
   */
  constructor(private readonly options: { keepAlive?: boolean } = {}) {}

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.next++;
    // Node caps timers at 2^31-1 ms; longer waits re-arm in steps.
    const max = 2_147_483_647;
    const due = Date.now() + ms;
    const arm = (): void => {
      const left = due - Date.now();
      const t = setTimeout(
        () => {
          if (left > max) return arm();
          this.timers.delete(id);
          fn();
        },
        Math.max(0, Math.min(left, max)),
      );
      if (!this.options.keepAlive) t.unref?.();
      this.timers.set(id, t);
    };
    arm();
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }
}

interface VirtualTimer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * Time that moves only when told to: timers fire in due order, deterministically,
 * as `advanceTo` walks past them. Used by tests, replay and evaluation.
 */
export class VirtualClock implements Clock {
  private current: number;
  private next = 1;
  private seq = 0;
  private readonly timers = new Map<number, VirtualTimer>();

  constructor(start: number | Date = 0) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.next++;
    this.timers.set(id, { id, due: this.current + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** The due time of the earliest timer, or null. */
  nextDue(): number | null {
    let best: VirtualTimer | null = null;
    for (const t of this.timers.values()) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best ? best.due : null;
  }

  /** Move time forward to `at`, firing every timer due on the way, in order. */
  advanceTo(at: number): void {
    for (;;) {
      let best: VirtualTimer | null = null;
      for (const t of this.timers.values()) {
        if (t.due <= at && (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq))) best = t;
      }
      if (!best) break;
      this.timers.delete(best.id);
      if (best.due > this.current) this.current = best.due;
      best.fn();
    }
    if (at > this.current) this.current = at;
  }

  /** Move time forward by ms. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }
}
