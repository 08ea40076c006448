import { useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { coordinatorApi, when, type ResidentPage } from './api.ts';

type AlertRow = ResidentPage['alerts'][number];

const FIGURE_WORDS: Record<string, string> = { nightVisits: 'Night-time bathroom visits', activity: 'Daily activity (events)', rising: 'Rising (minutes after midnight)', chair: 'Time in the chair (minutes)' };

/** The figures behind a routine-change alert (recent level against the baseline), as rows. */
function figuresOf(a: AlertRow): { name: string; recent: number; baseline: number; lo?: number; hi?: number }[] {
  return Object.entries(a.cause).flatMap(([k, v]) => {
    const f = v as { recent?: unknown; baseline?: unknown; usualLow?: unknown; usualHigh?: unknown } | null;
    if (!f || typeof f !== 'object' || typeof f.recent !== 'number' || typeof f.baseline !== 'number') return [];
    return [{ name: FIGURE_WORDS[k] ?? k, recent: f.recent, baseline: f.baseline, ...(typeof f.usualLow === 'number' ? { lo: f.usualLow } : {}), ...(typeof f.usualHigh === 'number' ? { hi: f.usualHigh } : {}) }];
  });
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** "What changed", in words: routine-change alerts with the figures behind them and their dates. */
export function WhatChanged({ page }: { page: ResidentPage }) {
  const tz = page.resident.timezone;
  return (
    <section aria-labelledby="changed-h" class="coord-section" id="changed">
      <h2 id="changed-h">What changed</h2>
      {page.routineChanges.length === 0 && !page.status.routineChange ? <p>No change in the routine has been flagged.</p> : null}
      {page.status.routineChange && !page.status.routineChange.alertId ? <p>{page.status.routineChange.cause}</p> : null}
      {page.routineChanges.map((a) => (
        <article key={a.id} class="change" data-testid="routine-change-alert">
          <p>
            <strong>{a.state === 'resolved' || a.state === 'cancelled' ? 'Was flagged' : 'Flagged'}</strong> from {when(a.occurredAt, tz)} (raised {when(a.raisedAt, tz)}
            {a.closedAt ? `, closed ${when(a.closedAt, tz)}` : ''}).
          </p>
          <p>{a.summary}</p>
          {figuresOf(a).length ? (
            <div class="table-scroll">
              <table>
                <caption class="visually-hidden">The figures behind it</caption>
                <thead>
                  <tr>
                    <th scope="col">Figure</th>
                    <th scope="col">Lately</th>
                    <th scope="col">Before</th>
                    <th scope="col">Usual range before</th>
                  </tr>
                </thead>
                <tbody>
                  {figuresOf(a).map((f) => (
                    <tr key={f.name}>
                      <th scope="row">{f.name}</th>
                      <td>{r1(f.recent)}</td>
                      <td>{r1(f.baseline)}</td>
                      <td>{f.lo !== undefined && f.hi !== undefined ? `${r1(f.lo)} to ${r1(f.hi)}` : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </article>
      ))}
    </section>
  );
}

/** The alert history: outcomes and the notes people wrote. */
export function AlertHistory({ page }: { page: ResidentPage }) {
  const tz = page.resident.timezone;
  return (
    <section aria-labelledby="alerts-h" class="coord-section" id="alert-history">
      <h2 id="alerts-h">Alert history</h2>
      {page.alerts.length === 0 ? <p class="muted">No alerts.</p> : null}
      <ul class="alert-history">
        {page.alerts.map((a) => (
          <li key={a.id}>
            <strong>{a.type}</strong> ({a.severity}) {when(a.raisedAt, tz)} — {a.state}
            {a.outcome ? `, outcome: ${a.outcome}` : ''}
            {a.summary ? <div class="muted small">{a.summary}</div> : null}
            {a.notes.map((n, i) => (
              <div key={i} class="small">
                Note ({n.action}, {when(n.at, tz)}, {n.by ?? 'unknown'}): {n.text}
              </div>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

function useAction(): [{ ok: boolean; text: string } | null, (run: () => Promise<unknown>, done: string) => Promise<void>] {
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      setMsg({ ok: true, text: done });
    } catch (err) {
      setMsg({ ok: false, text: err instanceof ApiError ? err.message : 'That did not work; try again.' });
    }
  };
  return [msg, run];
}

function Msg({ msg, id }: { msg: { ok: boolean; text: string } | null; id: string }) {
  return (
    <p role="status" class={msg ? (msg.ok ? 'ok' : 'error') : 'visually-hidden'} data-testid={id}>
      {msg?.text ?? ''}
    </p>
  );
}

/** Away mode: on with an end date and a reason, or off. */
export function AwayPanel({ page, onChanged }: { page: ResidentPage; onChanged: () => void }) {
  const [until, setUntil] = useState('');
  const [reason, setReason] = useState('');
  const [msg, run] = useAction();
  const tz = page.resident.timezone;
  const id = page.resident.id;
  return (
    <section aria-labelledby="away-h" class="coord-section" id="away">
      <h2 id="away-h">Away mode</h2>
      <p data-testid="away-state">
        {page.away
          ? `Away since ${when(page.away.from, tz)}${page.away.until ? ` until ${page.away.until} (inclusive)` : ' until further notice'}: ${page.away.reason} (set by ${page.away.setByName ?? page.away.setBy}). Inactivity rules pause; door and fall rules do not.`
          : page.resident.away
            ? 'Away (set without an end date or reason). Inactivity rules pause; door and fall rules do not.'
            : 'At home: every rule is watching.'}
      </p>
      {page.canEdit ? (
        page.away || page.resident.away ? (
          <button type="button" onClick={() => void run(() => coordinatorApi.setAway(id, { away: false }).then(onChanged), 'Away mode ended.')}>
            End away mode
          </button>
        ) : (
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => coordinatorApi.setAway(id, { away: true, reason, ...(until ? { until } : {}) }).then(onChanged), 'Away mode set.');
            }}
          >
            <label for="away-reason">Reason</label>
            <input id="away-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} required maxLength={500} />
            <label for="away-until">Last day away (optional)</label>
            <input id="away-until" type="date" min={page.today} value={until} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
            <button type="submit">Set away mode</button>
          </form>
        )
      ) : null}
      <Msg msg={msg} id="away-msg" />
    </section>
  );
}

/** Contacts (next of kin, key holder) and consent (who may see what), recorded with who recorded it. */
export function ContactsConsent({ page, onChanged }: { page: ResidentPage; onChanged: () => void }) {
  const [msg, run] = useAction();
  const [share, setShare] = useState(page.consent.shareWithContacts);
  const [note, setNote] = useState(page.consent.note ?? '');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [relation, setRelation] = useState<'next-of-kin' | 'key-holder' | 'other'>('next-of-kin');
  const tz = page.resident.timezone;
  const id = page.resident.id;
  return (
    <section aria-labelledby="contacts-h" class="coord-section" id="contacts">
      <h2 id="contacts-h">Contacts and consent</h2>
      {page.contacts.length === 0 ? <p class="muted">No contacts recorded.</p> : null}
      <ul>
        {page.contacts.map((c, i) => (
          <li key={i}>
            <strong>{c.name}</strong> ({c.relation}){c.phone ? `, ${c.phone}` : ''}
            {c.email ? `, ${c.email}` : ''}
            {c.note ? ` — ${c.note}` : ''}
            {page.canEdit ? (
              <>
                {' '}
                <button type="button" class="link-button" onClick={() => void run(() => coordinatorApi.setContacts(id, page.contacts.filter((_, j) => j !== i)).then(onChanged), 'Contact removed.')}>
                  Remove<span class="visually-hidden"> {c.name}</span>
                </button>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      {page.canEdit ? (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => coordinatorApi.setContacts(id, [...page.contacts, { name, relation, ...(phone ? { phone } : {}) }]).then(onChanged), 'Contact added.');
          }}
        >
          <label for="c-name">Name</label>
          <input id="c-name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} required />
          <label for="c-rel">Relation</label>
          <select id="c-rel" value={relation} onChange={(e) => setRelation((e.target as HTMLSelectElement).value as typeof relation)}>
            <option value="next-of-kin">next of kin</option>
            <option value="key-holder">key holder</option>
            <option value="other">other</option>
          </select>
          <label for="c-phone">Phone</label>
          <input id="c-phone" type="tel" value={phone} onInput={(e) => setPhone((e.target as HTMLInputElement).value)} />
          <button type="submit">Add contact</button>
        </form>
      ) : null}
      <h3>Consent</h3>
      <p data-testid="consent">
        {page.consent.monitoring ? 'Consents to monitoring' : 'Has NOT consented to monitoring'}; contacts {page.consent.shareWithContacts ? 'are' : 'are not'} told of alerts
        {page.consent.note ? ` (${page.consent.note})` : ''}. Recorded {when(page.consent.recordedAt, tz)} by {page.consent.recordedByName ?? page.consent.recordedBy}.
      </p>
      {page.canEdit ? (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => coordinatorApi.setConsent(id, { monitoring: page.consent.monitoring, shareWithContacts: share, ...(note ? { note } : {}) }).then(onChanged), 'Consent recorded.');
          }}
        >
          <label>
            <input type="checkbox" checked={share} onChange={(e) => setShare((e.target as HTMLInputElement).checked)} /> Contacts may be told of alerts
          </label>
          <label for="consent-note">Note</label>
          <input id="consent-note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} maxLength={500} />
          <button type="submit">Record consent</button>
        </form>
      ) : null}
      <Msg msg={msg} id="contacts-msg" />
    </section>
  );
}

/** Notes for the MDT, kept with the resident. */
export function NotesPanel({ page, onChanged }: { page: ResidentPage; onChanged: () => void }) {
  const [text, setText] = useState('');
  const [msg, run] = useAction();
  const tz = page.resident.timezone;
  return (
    <section aria-labelledby="notes-h" class="coord-section" id="notes">
      <h2 id="notes-h">Notes for the MDT</h2>
      {page.canEdit ? (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void run(
              () =>
                coordinatorApi.addNote(page.resident.id, text).then(() => {
                  setText('');
                  onChanged();
                }),
              'Note added.',
            );
          }}
        >
          <label for="mdt-note">New note</label>
          <textarea id="mdt-note" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} required maxLength={4000} />
          <button type="submit">Add note</button>
        </form>
      ) : null}
      <Msg msg={msg} id="notes-msg" />
      <ul class="notes">
        {page.notes.map((n) => (
          <li key={n.id}>
            <div class="muted small">
              {when(n.at, tz)}, {n.authorName ?? n.authorId}
            </div>
            <p>{n.text}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
