import type { AlertView } from '../../api.ts';
import './installer.css';

/**
 * The small badge an alert carries when it was raised while its home was
 * being commissioned, or from a sensor not yet placed (alert.commissioning):
 * it is still a real alarm, and may also be an installer's test.
 */
export function CommissioningBadge({ alert }: { alert: Pick<AlertView, 'commissioning'> }) {
  const c = alert.commissioning;
  if (!c) return null;
  const why = [
    c.homeBeingCommissioned ? 'the home is being commissioned (it may be an installer testing; treat it as real until you know)' : '',
    c.uncommissionedSensors.length ? `from a sensor not yet placed: ${c.uncommissionedSensors.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return (
    <span class="tag commissioning-badge" title={`Raised while ${why}`}>
      {c.homeBeingCommissioned ? 'Commissioning' : 'Sensor not placed'}
      <span class="visually-hidden">: raised while {why}</span>
    </span>
  );
}
