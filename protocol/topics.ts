/** Version prefix of every Hearth topic. */
export const TOPIC_ROOT = 'hearth/v1/hubs';

/** A hub id: 3 to 64 characters of a-z, 0-9 and '-'. */
export const HUB_ID_PATTERN = /^[a-z0-9-]{3,64}$/;

/** Channels under a hub's topic, with direction, QoS and retain flag (the protocol's topic table). */
export const CHANNELS = {
  events: { direction: 'hub-to-server', qos: 1, retain: false },
  status: { direction: 'hub-to-server', qos: 1, retain: true },
  heartbeat: { direction: 'hub-to-server', qos: 0, retain: false },
  commands: { direction: 'server-to-hub', qos: 1, retain: false },
  replies: { direction: 'hub-to-server', qos: 1, retain: false },
  // Hearth additions (docs/protocol.md): devices the hub cannot map, and sensors' reachability.
  unmapped: { direction: 'hub-to-server', qos: 1, retain: false },
  availability: { direction: 'hub-to-server', qos: 1, retain: false },
} as const;

/** A channel name: events, status, heartbeat, commands, replies, unmapped or availability. */
export type Channel = keyof typeof CHANNELS;

/** The topic of one hub's channel. */
export function hubTopic(hubId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/${hubId}/${channel}`;
}

/** Typed topic map: `topics.events('hub-0001')` and so on. */
export const topics = {
  events: (hubId: string) => hubTopic(hubId, 'events'),
  status: (hubId: string) => hubTopic(hubId, 'status'),
  heartbeat: (hubId: string) => hubTopic(hubId, 'heartbeat'),
  commands: (hubId: string) => hubTopic(hubId, 'commands'),
  replies: (hubId: string) => hubTopic(hubId, 'replies'),
  unmapped: (hubId: string) => hubTopic(hubId, 'unmapped'),
  availability: (hubId: string) => hubTopic(hubId, 'availability'),
  /** Every topic a hub may use: the broker's ACL. */
  hubPrefix: (hubId: string) => `${TOPIC_ROOT}/${hubId}/`,
};

/** A topic taken apart, or null when it is not a Hearth hub topic. */
export interface ParsedTopic {
  hubId: string;
  channel: Channel;
}

/** Topics parsed recently (a hub uses the same few on every message); emptied when it reaches this size. */
const PARSED_KEEP = 65_536;
const parsed = new Map<string, Readonly<ParsedTopic>>();

/** Parse `hearth/v1/hubs/{hubId}/{channel}`; null for anything else. The result is shared: do not change it. */
export function parseTopic(topic: string): Readonly<ParsedTopic> | null {
  const known = parsed.get(topic);
  if (known) return known;
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_ROOT) return null;
  const hubId = parts[3]!;
  const channel = parts[4]!;
  if (!HUB_ID_PATTERN.test(hubId) || !Object.hasOwn(CHANNELS, channel)) return null;
  // Only valid topics are kept, and the map is bounded: a client sending endless new topics costs the parse, never memory.
  if (parsed.size >= PARSED_KEEP) parsed.clear();
  const out = Object.freeze({ hubId, channel: channel as Channel });
  parsed.set(topic, out);
  return out;
}
