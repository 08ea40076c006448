import type { Logger } from 'pino';
import type { Clock } from '../../server/src/clock.ts';
import type { AvailabilityNotice, UnmappedNotice } from './adapters/adapter.ts';
import type { ServerLink } from './link.ts';

/** Largest raw payload sent with an unmapped report, in characters of JSON. */
const PAYLOAD_MAX = 4000;

/**
 * The hub's reports beyond events (Hearth additions, docs/protocol.md): devices
 * it cannot map, and sensors' or the bridge's reachability. The latest of each
 * is kept while the server is unreachable and sent when the link comes back,
 * so a dead Zigbee network reaches the server as soon as it can.
 */
export class HubReports {
  private readonly unmapped = new Map<string, string>();
  private readonly availability = new Map<string, string>();

  constructor(
    private readonly link: ServerLink,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    link.on('online', () => this.flush());
  }

  /** A device the adapters cannot map. */
  reportUnmapped(n: UnmappedNotice): void {
    let payload = n.payload;
    const text = JSON.stringify(payload) ?? 'null';
    if (text.length > PAYLOAD_MAX) payload = `${text.slice(0, PAYLOAD_MAX)}…`;
    const body = JSON.stringify({ ts: this.now(), device: n.device.slice(0, 128), adapter: n.adapter, reason: n.reason, properties: n.properties.slice(0, 64).map((p) => p.slice(0, 64)), payload });
    this.send('unmapped', `${n.adapter}\u0000${n.device}`, body, this.unmapped);
  }

  /** A sensor (or the bridge, sensor null) became reachable or not. */
  reportAvailability(n: AvailabilityNotice): void {
    const body = JSON.stringify({ ts: this.now(), sensor: n.sensor, online: n.online, source: n.source.slice(0, 200) });
    this.send('availability', n.sensor ?? '', body, this.availability);
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private send(channel: 'unmapped' | 'availability', key: string, body: string, pending: Map<string, string>): void {
    if (this.link.publishReport(channel, body)) pending.delete(key);
    else pending.set(key, body); // the latest only: the server wants the state now, not every flap
  }

  private flush(): void {
    for (const [channel, pending] of [['unmapped', this.unmapped], ['availability', this.availability]] as const) {
      for (const [key, body] of [...pending]) if (this.link.publishReport(channel, body)) pending.delete(key);
    }
    if (this.unmapped.size || this.availability.size) this.log.warn({ unmapped: this.unmapped.size, availability: this.availability.size }, 'reports still waiting for the server');
  }
}
