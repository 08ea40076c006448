import type { RoutingOutcome } from './api.ts';

const CHANGE_WORDS: Record<string, string> = {
  raised: 'When raised',
  repeated: 'When repeated',
  escalated: 'Escalation',
  dispatched: 'Dispatch',
  'response-warning': 'Two-hour warning',
  'response-breach': 'Two-hour breach',
};

/** Who was told of one routed change, truthfully: channel, target, delivered or failed; "no channel configured" when nobody. */
export function RoutingSummary({ outcome }: { outcome: RoutingOutcome }) {
  return (
    <div class="routing-outcome" data-change={outcome.change}>
      <p>
        <strong>{CHANGE_WORDS[outcome.change] ?? outcome.change}:</strong> {outcome.summary}
        <span class="muted"> (meant for {outcome.targets.join(', ') || 'nobody'})</span>
      </p>
      {outcome.notifications.length > 0 && (
        <ul class="told">
          {outcome.notifications.map((n) => (
            <li>
              {n.owner ?? 'channel'} by {n.channel} to {n.target}: <strong class={`state-${n.state === 'pending' && n.attempts > 0 ? 'failed' : n.state}`}>{n.state === 'pending' ? (n.attempts > 0 ? `not delivered yet (${n.attempts} failed, retrying)` : 'sending') : n.state}</strong>
              {n.lastError ? <span class="muted"> ({n.lastError})</span> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
