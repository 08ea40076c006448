import { StatusTag } from './caseload-page.tsx';
import { when } from './api.ts';
import { PlanEditor } from './plan-editor.tsx';
import { AlertHistory, AwayPanel, ContactsConsent, NotesPanel, WhatChanged } from './panels.tsx';
import { TrendCharts } from './trend-charts.tsx';
import { useResidentPage } from './use-page.ts';
import './coordinator.css';

const SECTIONS = [
  ['changed', 'What changed'],
  ['trends', 'Trends'],
  ['alert-history', 'Alerts'],
  ['plan', 'Plan'],
  ['away', 'Away'],
  ['contacts', 'Contacts and consent'],
  ['notes', 'MDT notes'],
] as const;

/** A resident's page: what changed, trends against their usual, alerts, plan, away mode, contacts, consent, MDT notes. */
export function ResidentPageView({ id }: { id: string }) {
  const { page, error, reload } = useResidentPage(id);
  if (error)
    return (
      <main class="coord">
        <p class="error" role="alert">
          {error}
        </p>
        <p>
          <a href="#/caseload">Back to the caseload</a>
        </p>
      </main>
    );
  if (!page) return <main class="coord"><p class="muted">Loading…</p></main>;
  const r = page.resident;
  return (
    <main class="coord">
      <p class="crumbs">
        <a href="#/caseload">Caseload</a>
      </p>
      <div class="resident-head">
        <h1>{r.name}</h1>
        <StatusTag entry={page.status} />
      </div>
      <p class="muted">
        Coordinator {r.coordinatorName ?? 'not named'} · last activity {when(page.status.lastActivityAt, r.timezone)} · times in {r.timezone} ·{' '}
        <a href={`#/caseload/${encodeURIComponent(r.id)}/summary`}>One-page summary to print</a>
      </p>
      <nav aria-label="On this page" class="section-nav">
        {SECTIONS.map(([anchor, label]) => (
          <a key={anchor} href={`#${anchor}`} onClick={(e) => { e.preventDefault(); document.getElementById(anchor)?.scrollIntoView(); }}>
            {label}
          </a>
        ))}
      </nav>
      <WhatChanged page={page} />
      <TrendCharts residentId={r.id} today={page.today} />
      <AlertHistory page={page} />
      <PlanEditor page={page} onChanged={reload} />
      <AwayPanel page={page} onChanged={reload} />
      <ContactsConsent page={page} onChanged={reload} />
      <NotesPanel page={page} onChanged={reload} />
    </main>
  );
}
