import type { HubReply, HubStatus, RejectReason, SensorType } from '../../protocol/index.ts';
import type { AlertView } from './alerts/alert-view.ts';

/** A sensor event once stored: times as epoch milliseconds, flagged late when it arrived late. */
export interface StoredEvent {
  hubId: string;
  id: string;
  /** When the sensor saw it. */
  ts: number;
  /** When the server received it. */
  receivedAt: number;
  sensor: string;
  type: SensorType;
  value: unknown;
  battery: number | null;
  late: boolean;
  /** Arrival sequence number in the store (live ingest only). */
  seq?: number;
}

/** The typed event map of the server's bus. */
export interface HearthEvents {
  /** New (not duplicate) events, after they are durably stored. */
  'events.stored': StoredEvent[];
  /** Messages or events set aside. */
  'ingest.rejected': { hubId: string; reason: RejectReason; detail: string }[];
  /** A hub's status (or last will). */
  'hub.status': { hubId: string; status: HubStatus; at: number };
  /** A hub's heartbeat. */
  'hub.heartbeat': { hubId: string; seq: number; at: number };
  /** A hub's reply to a command. */
  'hub.reply': { hubId: string; reply: HubReply };
  /** A hub connected or disconnected from the broker. */
  'hub.connection': { hubId: string; connected: boolean; at: number };
  /** An alert was raised, updated, acknowledged, cleared or closed. */
  'alert.changed': { alert: AlertView; change: string };
}
