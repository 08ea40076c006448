// The installer's API calls (commissioning, walk test, hub health), on the console's shared request helper.
// Types come from the server's own modules (type-only), so they cannot drift from the API.
import { call } from '../../api.ts';
import type { ChecklistItem } from '../../../../server/src/care/commissioning.ts';
import type { HealthItem, HubState } from '../../../../server/src/care/hub-health.ts';

export type { ChecklistItem, HubState };

const hub = (hubId: string) => `/api/hubs/${encodeURIComponent(hubId)}`;

/** A hub as GET /api/hubs lists it, with its one derived status. */
export interface HubRow {
  id: string;
  name: string;
  status: string;
  state: HubState;
  stateSummary: string;
  phase: 'commissioning' | 'live';
  residents: { id: string; name: string }[];
  connected: boolean;
  lastSeenAt: string | null;
  firmware: string | null;
  power: string | null;
  rejected: Record<string, number>;
}

/** What registering a hub answers: the secret (shown once) and the gateway's config. */
export interface Registered {
  hubId: string;
  secret: string;
  gatewayConfig: Record<string, unknown>;
}

/** One sensor in the walk test. */
export interface WalkSensor {
  sensorId: string;
  type: string;
  room: string | null;
  role: string | null;
  commissioned: boolean;
  testedAt: string | null;
}

/** The walk test as it stands. */
export interface WalkTest {
  startedAt: string | null;
  sensors: WalkSensor[];
  events: { id: string; receivedAt: string; sensor: string; type: string; value: unknown }[];
  gatewayInSync: boolean;
}

/** A hub's commissioning state. */
export interface CommissioningView {
  state: {
    phase: 'commissioning' | 'live';
    startedAt: string | null;
    walkStartedAt: string | null;
    liveAt: string | null;
    liveBy: string | null;
    gatewaySyncedAt: string | null;
    gatewayInSync: boolean;
  };
  checklist: ChecklistItem[];
  residents: { id: string; name: string }[];
}

/** A device the gateway hears but cannot map. */
export interface UnmappedDevice {
  device: string;
  adapter: string;
  reason: string;
  payload: string;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
}

/** One problem on the hub health page (times as ISO strings). */
export type HealthRow = Omit<HealthItem, 'since'> & { since: string | null };

/** A sensor's placement, as the installer sets it. */
export interface Placement {
  type: string;
  room: string;
  role?: string | null;
  evidence?: 'presence' | 'touch' | null;
}

/** A sensor of a hub (GET /api/hubs/:hubId/sensors). */
export interface SensorRowData {
  sensorId: string;
  type: string;
  room: string | null;
  role: string | null;
  commissioned: boolean;
  evidence: 'presence' | 'touch' | null;
  reachable: { online: boolean; at: string; source: string } | null;
  lastSeenAt: string | null;
  battery: number | null;
}

/** The installer's calls. */
export const installerApi = {
  sensors: (hubId: string) => call<{ sensors: SensorRowData[] }>('GET', `${hub(hubId)}/sensors`),
  hubs: () => call<{ hubs: HubRow[] }>('GET', '/api/hubs'),
  register: (hubId: string, name?: string) => call<Registered>('POST', '/api/hubs', name ? { hubId, name } : { hubId }),
  place: (hubId: string, sensorId: string, p: Placement) => call<{ ok: true }>('PUT', `${hub(hubId)}/sensors/${encodeURIComponent(sensorId)}`, p),
  startWalkTest: (hubId: string) => call<{ startedAt: string }>('POST', `${hub(hubId)}/walk-test`),
  walkTest: (hubId: string) => call<WalkTest>('GET', `${hub(hubId)}/walk-test`),
  commissioning: (hubId: string) => call<CommissioningView>('GET', `${hub(hubId)}/commissioning`),
  goLive: (hubId: string) => call<CommissioningView>('POST', `${hub(hubId)}/go-live`),
  unmapped: (hubId: string) => call<{ devices: UnmappedDevice[]; mappings: { device: string; sensor: string; fields: Record<string, unknown>[] }[] }>('GET', `${hub(hubId)}/unmapped`),
  map: (hubId: string, body: { device: string; sensor: string; fields: { property: string; type: string; values?: Record<string, unknown>; emit?: 'change' | 'always' }[] }) =>
    call<{ ok: true }>('PUT', `${hub(hubId)}/mappings`, body),
  health: () => call<{ items: HealthRow[] }>('GET', '/api/hub-health'),
};
