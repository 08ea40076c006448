import type { Outcome } from './use-load.ts';

/** The last action's result, announced to screen readers (alert for refusals, status for success). */
export function OutcomeLine({ outcome, testId }: { outcome: Outcome | null; testId?: string }) {
  return (
    <p class={`outcome ${outcome ? (outcome.ok ? 'ok' : 'refused') : ''}`} role={outcome && !outcome.ok ? 'alert' : 'status'} data-testid={testId}>
      {outcome?.text ?? ''}
    </p>
  );
}
