import type { Client } from 'aedes';
import { MAX_PAYLOAD_BYTES } from '../../../protocol/index.ts';

/** MQTT packet size limits, in bytes of a packet's remaining length (docs/protocol.md, "Limits"). */
export interface PacketLimits {
  /** Largest packet before the hub is authenticated (its CONNECT). */
  beforeConnect: number;
  /** Bytes a connection may send in all before it is authenticated. */
  totalBeforeConnect: number;
  /** Largest packet from an authenticated hub: a full payload plus its topic. */
  perPacket: number;
}

/** The defaults: a CONNECT needs a few hundred bytes; a 500-event batch is well under 256 KiB. */
export const DEFAULT_PACKET_LIMITS: PacketLimits = {
  beforeConnect: 4 * 1024,
  totalBeforeConnect: 16 * 1024,
  perPacket: MAX_PAYLOAD_BYTES + 1024,
};

/** The part of mqtt-packet's parser the guard hooks into. */
interface PacketParser {
  packet: { cmd?: string; length: number };
  error: Error | null;
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

/** Error a connection is closed with when it announces a packet over its limit. */
export class PacketTooLarge extends Error {
  constructor(
    readonly announced: number,
    readonly limit: number,
    readonly authenticated: boolean,
  ) {
    super(`packet of ${announced} bytes is over the ${limit} byte limit${authenticated ? '' : ' before CONNECT is accepted'}`);
  }
}

/**
 * Make a connection's MQTT parser refuse a packet as soon as its header
 * announces more than the limit, before any of its body is buffered: the
 * parser errors and aedes closes the connection. Before the hub is
 * authenticated the limit is small and also caps the bytes sent in all.
 * aedes 1.x and mqtt-packet 9 have no such option; this hooks the parser's
 * length step (test/server/broker/limits.test.ts fails if that ever changes).
 */
export function limitPacketSizes(client: Client, limits: PacketLimits, onRefused: (err: PacketTooLarge) => void): void {
  const parser = (client as unknown as { _parser?: PacketParser })._parser;
  if (!parser || typeof parser._parseLength !== 'function') throw new Error('aedes client has no mqtt-packet parser to guard');
  const parseLength = parser._parseLength;
  let before = 0;
  parser._parseLength = function guardedParseLength(this: PacketParser): boolean {
    const ok = parseLength.call(this);
    if (!ok) return ok;
    const authenticated = client.connected;
    const length = this.packet.length;
    let limit = authenticated ? limits.perPacket : limits.beforeConnect;
    if (!authenticated) {
      before += length;
      if (before > limits.totalBeforeConnect) limit = Math.min(limit, Math.max(0, length - (before - limits.totalBeforeConnect)));
    }
    if (length > limit) {
      const err = new PacketTooLarge(length, limit, authenticated);
      onRefused(err);
      this._emitError(err);
      return false;
    }
    return ok;
  };
}
