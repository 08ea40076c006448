import type { HubState } from './api.ts';

const LABELS: Record<HubState, string> = { online: 'Online', unresponsive: 'Not responding', offline: 'Offline', 'never-seen': 'Never connected' };

/** The hub's one status (derived by the server from connection, status and heartbeats), with its sentence as a tooltip and for screen readers. */
export function HubStatus({ state, summary }: { state: HubState; summary: string }) {
  return (
    <span class={`tag hub-state hub-state-${state}`} title={summary}>
      {LABELS[state]}
      <span class="visually-hidden">: {summary}</span>
    </span>
  );
}

/** "Being commissioned" or "Live". */
export function PhaseBadge({ phase }: { phase: 'commissioning' | 'live' }) {
  return phase === 'live' ? <span class="tag phase-live">Live</span> : <span class="tag phase-commissioning">Being commissioned</span>;
}
