// The coordinator's API calls, on the console's shared request helper. Types are the server's
// own (type-only imports), so the pages cannot drift from the API.
import { call } from '../../api.ts';
import type { CaseloadEntry } from '../../../../server/src/care/caseload.ts';
import type { PlanSettingRow, ResidentPage } from '../../../../server/src/api/resident-page-routes.ts';
import type { TrendsResponse } from '../../../../server/src/api/trend-routes.ts';

export type { CaseloadEntry, PlanSettingRow, ResidentPage, TrendsResponse };
/** One day of a trends answer. */
export type TrendDayView = TrendsResponse['days'][number];

const enc = encodeURIComponent;

/** The coordinator's API. */
export const coordinatorApi = {
  caseload: (q?: string) => call<{ scope: string; lead: boolean; residents: CaseloadEntry[] }>('GET', `/api/caseload${q ? `?q=${enc(q)}` : ''}`),
  page: (id: string) => call<ResidentPage>('GET', `/api/residents/${enc(id)}/page`),
  trends: (id: string, from: string, to: string) => call<TrendsResponse>('GET', `/api/residents/${enc(id)}/trends?from=${from}&to=${to}`),
  setPlan: (id: string, patch: Record<string, number | string | null>) => call<{ plan: Omit<PlanSettingRow, 'learned'>[] }>('PATCH', `/api/residents/${enc(id)}/plan-settings`, patch),
  setAway: (id: string, body: { away: boolean; until?: string; reason?: string }) => call<{ away: ResidentPage['away'] }>('PUT', `/api/residents/${enc(id)}/away-mode`, body),
  addNote: (id: string, text: string) => call<{ note: ResidentPage['notes'][number] }>('POST', `/api/residents/${enc(id)}/notes`, { text }),
  setContacts: (id: string, contacts: ResidentPage['contacts']) => call<unknown>('PUT', `/api/residents/${enc(id)}/contacts`, { contacts }),
  setConsent: (id: string, consent: { monitoring: boolean; shareWithContacts: boolean; note?: string }) => call<unknown>('PUT', `/api/residents/${enc(id)}/consent`, consent),
};

/** Add days to a YYYY-MM-DD date. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Minutes after local midnight as HH:MM (past midnight wraps). */
export function clock(minutes: number): string {
  const m = ((Math.round(minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** An ISO time in the resident's time zone, as "Tue 3 Nov, 07:45". */
export function when(iso: string | null, tz: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}
