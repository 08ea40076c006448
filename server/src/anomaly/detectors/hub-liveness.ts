import { loadNum, saveNum, type CoreEvent, type HubSignal } from '../detector.ts';

/** Heartbeat period assumed for every hub (the protocol's default heartbeatSeconds). */
export const HEARTBEAT_MS = 60_000;
/** Slack after the last missed heartbeat before the hub is called offline (covers tick spacing and jitter). */
const GRACE_MS = 15_000;

/**
 * Whether a hub is delivering: offline by its last will (status offline) or by
 * `missed` heartbeats in a row; online again at a heartbeat, an online status or
 * any event it delivers (a draining buffer included). Heartbeat deadlines are armed
 * only once a heartbeat has been seen, so a replay without heartbeats never misses any.
 */
export class HubLiveness {
  /** Offline since (epoch ms), or NaN while online. */
  offlineSince = NaN;
  /** What took it offline. */
  offlineBy: 'last-will' | 'heartbeats' | 'restart' | '' = '';
  private lastHeartbeat = NaN;

  constructor(private readonly missed: () => number) {}

  /** Feed a hub signal; returns 'offline' / 'online' when the state changed. */
  onSignal(s: HubSignal): 'offline' | 'online' | null {
    if (s.kind === 'heartbeat') {
      this.lastHeartbeat = s.at;
      return this.back();
    }
    if (s.kind === 'status') {
      if (s.online) return this.back();
      if (!Number.isNaN(this.offlineSince)) return null;
      this.offlineSince = s.at;
      this.offlineBy = 'last-will';
      return 'offline';
    }
    // After a server restart, the hub connecting again is the sign it is back (its buffer follows).
    if (s.kind === 'connection' && s.connected && this.offlineBy === 'restart') return this.back();
    return null;
  }

  /** Any event the hub delivers shows it is up. */
  onEvent(e: CoreEvent): 'online' | null {
    if (e.receivedAt > this.lastHeartbeat) this.lastHeartbeat = Math.max(this.lastHeartbeat, e.receivedAt);
    // An event handled before the restart (re-fed in a catch-up) is no news from the hub since.
    if (this.offlineBy === 'restart' && e.receivedAt < this.offlineSince) return null;
    return this.back();
  }

  /** When the hub will count as offline for want of heartbeats (Infinity: not armed). */
  deadline(): number {
    if (!Number.isNaN(this.offlineSince) || Number.isNaN(this.lastHeartbeat)) return Infinity;
    return this.lastHeartbeat + this.missed() * HEARTBEAT_MS + GRACE_MS;
  }

  /** Check the heartbeat deadline at `now`; returns 'offline' when it just went. */
  check(now: number): 'offline' | null {
    if (now < this.deadline()) return null;
    this.offlineSince = this.lastHeartbeat + HEARTBEAT_MS;
    this.offlineBy = 'heartbeats';
    return 'offline';
  }

  /** Whether the hub is offline. */
  get offline(): boolean {
    return !Number.isNaN(this.offlineSince);
  }

  /** The state for a snapshot. */
  snapshot(): { offlineSince: number | string; offlineBy: string; lastHeartbeat: number | string } {
    return { offlineSince: saveNum(this.offlineSince), offlineBy: this.offlineBy, lastHeartbeat: saveNum(this.lastHeartbeat) };
  }

  /**
   * Take back a snapshot at `now`. A hub that was offline stays offline (so its open
   * alert clears when it is back); one that was heartbeating gets a full heartbeat
   * period from the restart, as hubs reconnect: the server's downtime is not its silence.
   */
  restore(state: unknown, now: number): void {
    const s = state as { offlineSince: unknown; offlineBy: unknown; lastHeartbeat: unknown };
    if (typeof s !== 'object' || s === null || !['last-will', 'heartbeats', 'restart', ''].includes(s.offlineBy as string)) throw new Error('bad hub liveness state');
    this.offlineSince = loadNum(s.offlineSince);
    this.offlineBy = s.offlineBy as HubLiveness['offlineBy'];
    const hb = loadNum(s.lastHeartbeat);
    this.lastHeartbeat = Number.isNaN(hb) ? NaN : Math.max(hb, now);
  }

  /**
   * Count the hub as unheard-from since `at` (a server restart) until it next shows
   * itself: whatever its buffer holds from the downtime must arrive before a timer
   * rule may conclude anything. A hub already offline stays as it was.
   */
  markRestart(at: number): void {
    if (!Number.isNaN(this.offlineSince)) return;
    this.offlineSince = at;
    this.offlineBy = 'restart';
  }

  private back(): 'online' | null {
    if (Number.isNaN(this.offlineSince)) return null;
    this.offlineSince = NaN;
    this.offlineBy = '';
    return 'online';
  }
}
