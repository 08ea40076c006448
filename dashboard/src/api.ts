// The console's view of the Hearth HTTP API. Types come from the server's own
// modules (type-only imports, nothing of the server is bundled), so a change
// to the API's shapes breaks the dashboard's type check, not the console.
import type { AlertView } from '../../server/src/alerts/alert-view.ts';
import type { Outcome } from '../../server/src/alerts/alert-service.ts';
import type { UserInfo } from '../../server/src/care/directory.ts';
import type { RejectReason } from '../../protocol/index.ts';

/** The server's own types the views use. */
export type { AlertView, Outcome, UserInfo };

/** One entry of an alert's audit trail (GET /api/alerts/:id). */
export interface AlertHistoryEntry {
  at: string;
  action: string;
  actor: string | null;
  detail: unknown;
}

/** Rejected-message counts by reason code. */
export type RejectionCounts = Partial<Record<RejectReason | (string & {}), number>>;

/** A hub as GET /api/hubs lists it. */
export interface HubSummary {
  id: string;
  name: string;
  status: string;
  connected: boolean;
  lastSeenAt: string | null;
  firmware: string | null;
  power: string | null;
  rejected: RejectionCounts;
}

/** A sensor of a hub: commissioned, or only seen (GET /api/hubs/:hubId/sensors). */
export interface HubSensor {
  sensorId: string;
  type: string;
  room: string | null;
  role: string | null;
  commissioned: boolean;
  lastSeenAt: string | null;
  battery: number | null;
}

/** A message or event of a hub that was set aside (GET /api/hubs/:hubId/rejections). */
export interface Rejection {
  id: number;
  receivedAt: string;
  topic: string;
  reason: string;
  detail: string;
  payload: string;
}

/** An error answer of the API (`{code, message}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The session ended (or never began): the console goes back to sign-in. */
export const SESSION_LOST = new EventTarget();

/** One same-origin API call with the session cookie; an error answer becomes an ApiError. Areas build their own calls on it. */
export async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The Hearth server cannot be reached. Check the network connection.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json ?? {}) as { code?: string; message?: string };
    const e = new ApiError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? `The server answered ${res.status}`);
    // A lost session anywhere but at sign-in sends the operator back to the sign-in form.
    if (res.status === 401 && !(method === 'POST' && url === '/api/session')) SESSION_LOST.dispatchEvent(new Event('lost'));
    throw e;
  }
  return json as T;
}

/** The API calls the console makes, all same-origin with the session cookie. */
export const api = {
  signIn: (username: string, password: string) => call<{ user: UserInfo; expiresAt: string }>('POST', '/api/session', { username, password }),
  signOut: () => call<void>('DELETE', '/api/session'),
  whoAmI: () => call<{ user: UserInfo }>('GET', '/api/session'),
  openAlerts: () => call<{ alerts: AlertView[] }>('GET', '/api/alerts?state=open&limit=1000'),
  alert: (id: string) => call<{ alert: AlertView; history: AlertHistoryEntry[] }>('GET', `/api/alerts/${encodeURIComponent(id)}`),
  acknowledge: (id: string) => call<{ alert: AlertView }>('POST', `/api/alerts/${encodeURIComponent(id)}/ack`),
  resolve: (id: string, outcome: Outcome, note?: string) =>
    call<{ alert: AlertView }>('POST', `/api/alerts/${encodeURIComponent(id)}/resolve`, note ? { outcome, note } : { outcome }),
  dispatch: (id: string, to: 'team' | 'out-of-hours') => call<{ alert: AlertView }>('POST', `/api/alerts/${encodeURIComponent(id)}/dispatch`, { to }),
  onSite: (id: string) => call<{ alert: AlertView }>('POST', `/api/alerts/${encodeURIComponent(id)}/on-site`, {}),
  hubs: () => call<{ hubs: HubSummary[] }>('GET', '/api/hubs'),
  sensors: (hubId: string) => call<{ sensors: HubSensor[] }>('GET', `/api/hubs/${encodeURIComponent(hubId)}/sensors`),
  rejections: (hubId: string) => call<{ counts: RejectionCounts; rejections: Rejection[] }>('GET', `/api/hubs/${encodeURIComponent(hubId)}/rejections`),
  identify: (hubId: string, seconds = 30) =>
    call<{ answered: boolean; ok?: boolean; error?: string; reason?: string }>('POST', `/api/hubs/${encodeURIComponent(hubId)}/commands`, { cmd: 'identify', seconds }),
};
