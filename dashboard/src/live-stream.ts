import type { StreamMessage } from './alert-list.ts';

/** What the live stream tells the console. */
export interface LiveStreamHandlers {
  /** Connected (first time or again): the console refetches what it may have missed. */
  onUp(): void;
  /** Disconnected; the next attempt is in `retryInMs`. `everOpened` is false when the upgrade itself failed. */
  onDown(info: { retryInMs: number; attempt: number; everOpened: boolean }): void;
  onMessage(message: StreamMessage): void;
}

/** Backoff between reconnection attempts. */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

/** Delay before attempt n (0-based): doubling from minMs up to maxMs, with ±20% jitter so consoles do not reconnect in step. */
export function backoffDelay(attempt: number, { minMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** The URL of the stream on this page's origin: ws:// or wss:// by the page's protocol. */
export function streamUrl(loc: Location = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/stream`;
}

/**
 * The live alert stream (WebSocket /api/stream, authenticated by the session
 * cookie), reconnecting with backoff for as long as it is started.
 */
export class LiveStream {
  private ws: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private stopped = true;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveStreamHandlers,
    private readonly backoff: BackoffOptions = { minMs: 1000, maxMs: 30_000 },
  ) {}

  /** Connect, and keep reconnecting until stop(). */
  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Close and stop reconnecting. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'signed out');
  }

  /** Try again now (the operator pressed "Reconnect now"). */
  retryNow(): void {
    if (this.stopped || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }

  private connect(): void {
    let opened = false;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      this.attempt = 0;
      this.handlers.onUp();
    };
    ws.onmessage = (e: MessageEvent) => {
      if (this.ws !== ws || typeof e.data !== 'string') return;
      let msg: StreamMessage;
      try {
        msg = JSON.parse(e.data) as StreamMessage;
      } catch {
        return; // a malformed frame is dropped; the next refetch repairs the list
      }
      this.handlers.onMessage(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = null;
      const retryInMs = backoffDelay(this.attempt, this.backoff);
      this.attempt++;
      this.handlers.onDown({ retryInMs, attempt: this.attempt, everOpened: opened });
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.stopped) this.connect();
      }, retryInMs);
    };
    // An error is always followed by close, which schedules the retry.
    ws.onerror = () => {};
  }
}
