// The operator's and responder's calls, on the shared request helper. Types are the server's own
// (type-only imports), so the console cannot drift from the API.
import type { Handover, HistoryPage } from '../../../../server/src/alerts/alert-history.ts';
import type { DispatchOptions } from '../../../../server/src/alerts/alert-work.ts';
import type { OperatorPresence } from '../../../../server/src/alerts/operator-presence.ts';
import type { RoutingOutcome } from '../../../../server/src/alerts/routing-outcome.ts';
import type { CallScript, OutcomeName } from '../../../../server/src/care/call-scripts.ts';
import type { ResidentRecordView } from '../../../../server/src/care/resident-record.ts';
import { call, type AlertHistoryEntry, type AlertView } from '../../api.ts';

export type { DispatchOptions, Handover, HistoryPage, OperatorPresence, ResidentRecordView, RoutingOutcome };

const id = encodeURIComponent;
type One = { alert: AlertView };

/** The calls of the operator's and responder's pages. */
export const work = {
  alert: (alertId: string) => call<{ alert: AlertView; history: AlertHistoryEntry[]; actions?: string[] }>('GET', `/api/alerts/${id(alertId)}`),
  queue: () => call<{ alerts: AlertView[]; counts: Record<string, number> }>('GET', '/api/alerts?state=open&limit=1000'),
  record: (residentId: string) => call<{ record: ResidentRecordView }>('GET', `/api/residents/${id(residentId)}/record`),
  script: (alertId: string) => call<{ kind: 'welfare' | 'technical'; script: CallScript; outcomes: { id: OutcomeName; label: string }[] }>('GET', `/api/alerts/${id(alertId)}/script`),
  routing: (alertId: string) => call<{ routing: RoutingOutcome[] }>('GET', `/api/alerts/${id(alertId)}/routing`),
  note: (alertId: string, text: string) => call<One>('POST', `/api/alerts/${id(alertId)}/notes`, { text }),
  acknowledge: (alertId: string) => call<One>('POST', `/api/alerts/${id(alertId)}/ack`),
  dispatchOptions: (alertId: string) => call<DispatchOptions>('GET', `/api/alerts/${id(alertId)}/dispatch-options`),
  dispatch: (alertId: string, body: { to: 'team' | 'out-of-hours' | 'responder'; responderId?: string; confirmOffDuty?: boolean; note?: string }) =>
    call<One>('POST', `/api/alerts/${id(alertId)}/dispatch`, body),
  assign: (alertId: string, responderId: string) => call<One>('POST', `/api/alerts/${id(alertId)}/assign`, { responderId }),
  standDown: (alertId: string, reason: string) => call<One>('POST', `/api/alerts/${id(alertId)}/cancel`, { reason }),
  resolve: (alertId: string, outcome: OutcomeName, note?: string) => call<One>('POST', `/api/alerts/${id(alertId)}/resolve`, note ? { outcome, note } : { outcome }),
  enRoute: (alertId: string) => call<One>('POST', `/api/alerts/${id(alertId)}/en-route`, {}),
  onSite: (alertId: string, reason?: string) => call<One>('POST', `/api/alerts/${id(alertId)}/on-site`, reason ? { reason } : {}),
  history: (q: URLSearchParams) => call<HistoryPage>('GET', `/api/alerts/history?${q.toString()}`),
  handover: (hours: number) => call<Handover>('GET', `/api/alerts/handover?hours=${hours}`),
  neighbourhoods: () => call<{ neighbourhoods: { id: string; name: string }[] }>('GET', '/api/neighbourhoods'),
  presence: () => call<{ operators: OperatorPresence[] }>('GET', '/api/presence'),
  setOnShift: (onShift: boolean) => call<{ operators: OperatorPresence[] }>('PUT', '/api/presence', { onShift }),
};

/** Who a resident is for an alert: the resident, or for a hub's alert the person who lives there. */
export function residentOf(a: AlertView): { id: string; name: string } | null {
  if (a.residentId && a.residentName) return { id: a.residentId, name: a.residentName };
  return a.livesHere ?? null;
}

/** The words for a person-or-hub on buttons: "fall for Edith Clarke". */
export function forWhom(a: AlertView, typeLabel: string): string {
  const r = residentOf(a);
  return `${typeLabel.toLowerCase()} for ${r ? r.name : `hub ${a.hubId}`}`;
}
