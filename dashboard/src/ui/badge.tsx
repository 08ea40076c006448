import type { Severity } from '../../../server/src/care/model.ts';
import { SEVERITY_LABELS } from '../alert-list.ts';

/** A severity badge: colour AND word (colour alone is not enough). */
export function SeverityBadge({ severity }: { severity: Severity }) {
  return <span class={`badge sev-${severity}`}>{SEVERITY_LABELS[severity]}</span>;
}

/** A small outlined tag (e.g. "Escalated", "Breached", "Late"), in one of the token colours. */
export function Tag({ kind, children, title }: { kind: 'urgent' | 'warn' | 'ok' | 'late' | 'muted'; children: string; title?: string }) {
  return (
    <span class={`tag tag-${kind}`} title={title}>
      {children}
    </span>
  );
}
