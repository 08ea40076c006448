import type { ResidentRecordView } from './api.ts';

/** A phone number as a tap-to-call link (tel:), named for screen readers. */
export function Tel({ number, who }: { number: string | undefined; who: string }) {
  if (!number) return null;
  return (
    <a class="tel" href={`tel:${number.replace(/[^\d+]/g, '')}`} aria-label={`Call ${who} on ${number}`}>
      {number}
    </a>
  );
}

/** The OpenStreetMap search for an address (directions for the responder). */
export function mapsUrl(address: NonNullable<ResidentRecordView['record']['address']>): string {
  const q = [address.line1, address.line2, address.town, address.postcode].filter(Boolean).join(', ');
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(q)}`;
}

/**
 * The resident record as an operator or responder needs it in a hurry:
 * warnings first (hazards, allergies, medication warnings), then how to get
 * in, who to call (tap to call), health and care plan.
 */
export function ResidentCard({ view, headingLevel = 2 }: { view: ResidentRecordView; headingLevel?: 2 | 3 }) {
  const r = view.record;
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const H2 = headingLevel === 2 ? 'h3' : 'h4';
  const warnings = [
    ...(r.hazards ?? []).map((h) => `Hazard: ${h}`),
    ...(r.allergies ?? []).map((a) => `Allergy: ${a}`),
    ...(r.medications ?? []).filter((m) => m.warning).map((m) => `${m.name}: ${m.warning}`),
  ];
  const address = r.address ? [r.address.line1, r.address.line2, r.address.town, r.address.postcode].filter(Boolean).join(', ') : null;
  return (
    <section class="resident-card" aria-labelledby={`rec-${view.residentId}`} data-testid="resident-record">
      <H id={`rec-${view.residentId}`}>{view.name}</H>
      {warnings.length > 0 && (
        <ul class="warnings" aria-label="Warnings">
          {warnings.map((w) => (
            <li>{w}</li>
          ))}
        </ul>
      )}
      <dl class="facts">
        {address && (
          <>
            <dt>Address</dt>
            <dd>
              {address}{' '}
              <a href={mapsUrl(r.address!)} target="_blank" rel="noopener noreferrer">
                Map and directions
              </a>
            </dd>
          </>
        )}
        {(r.phone || r.mobile) && (
          <>
            <dt>Phone</dt>
            <dd>
              <Tel number={r.phone} who={view.name} /> {r.mobile && <Tel number={r.mobile} who={`${view.name} (mobile)`} />}
            </dd>
          </>
        )}
        {r.keySafe && (
          <>
            <dt>Key safe</dt>
            <dd>
              {r.keySafe.code && <strong class="code">{r.keySafe.code}</strong>} {r.keySafe.location}
            </dd>
          </>
        )}
        {r.accessNotes && (
          <>
            <dt>Access</dt>
            <dd>{r.accessNotes}</dd>
          </>
        )}
        {(r.language || r.communication) && (
          <>
            <dt>Language</dt>
            <dd>
              {r.language}
              {r.communication ? `. ${r.communication}` : ''}
            </dd>
          </>
        )}
      </dl>
      <H2>Contacts</H2>
      <ul class="contacts">
        {view.contacts.map((c) => (
          <li>
            <span class="contact-name">{c.name}</span> <span class="muted">({c.relation.replace(/-/g, ' ')})</span> <Tel number={c.phone} who={c.name} />
          </li>
        ))}
        {r.gp && (
          <li>
            <span class="contact-name">GP: {r.gp.name}</span>
            {r.gp.practice ? <span class="muted"> ({r.gp.practice})</span> : null} <Tel number={r.gp.phone} who={`GP ${r.gp.name}`} />
          </li>
        )}
        {view.contacts.length === 0 && !r.gp && <li class="muted">No contacts recorded.</li>}
      </ul>
      <H2>Health</H2>
      <dl class="facts">
        <dt>Conditions</dt>
        <dd>{r.conditions?.length ? r.conditions.join('; ') : 'None recorded'}</dd>
        <dt>Medication</dt>
        <dd>{r.medications?.length ? r.medications.map((m) => `${m.name}${m.dose ? ` (${m.dose})` : ''}`).join('; ') : 'None recorded'}</dd>
        <dt>Allergies</dt>
        <dd>{r.allergies?.length ? r.allergies.join('; ') : 'None recorded'}</dd>
        {r.carePlan && (
          <>
            <dt>Care plan</dt>
            <dd>{r.carePlan}</dd>
          </>
        )}
      </dl>
    </section>
  );
}
