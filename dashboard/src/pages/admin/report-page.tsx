import { useCallback, useState } from 'preact/hooks';
import { adminApi, type NeighbourhoodInfo, type ServiceReport } from './api.ts';
import { MonthChart } from './report-chart.tsx';
import { useLoad } from './use-load.ts';
import { AdminNav } from './admin-nav.tsx';
import './admin.css';

/** The `count` months up to and including `month` (YYYY-MM), oldest first. */
export function monthsUpTo(month: string, count: number): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (count - 1 - i), 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}
const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
const pctText = (v: number | null) => (v === null ? 'no eligible alerts' : `${(v * 100).toFixed(1)}%`);

/** The service report: per neighbourhood, six months charted (acknowledged within 60 s, on site within 2 h, alerts), the chosen month's figures, and the CSV. */
export function ReportPage({ now = Date.now() }: { now?: number }) {
  const [month, setMonth] = useState(new Date(now).toISOString().slice(0, 7));
  const load = useCallback(async () => {
    const { neighbourhoods } = await adminApi.neighbourhoods();
    const months = monthsUpTo(month, 6);
    const reports = await Promise.all(neighbourhoods.map(async (nb) => ({ nb, reports: await Promise.all(months.map((m) => adminApi.report(nb.id, m).then((r) => r.report))) })));
    return { months, reports };
  }, [month]);
  const { data, error } = useLoad(load);
  return (
    <main class="admin">
      <AdminNav current="report" />
      <h1>Service report</h1>
      <form class="inline card" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="report-month">Month</label>
          <input id="report-month" type="month" value={month} onChange={(e) => { const v = (e.target as HTMLInputElement).value; if (/^\d{4}-\d{2}$/.test(v)) setMonth(v); }} />
        </div>
        <p class="muted small">Standards: 98.5% of alarms acknowledged within 60 seconds; 70% of urgent responses on site within 2 hours.</p>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {!data && !error && <p class="muted">Loading…</p>}
      <div class="charts">
        {data?.reports.map(({ nb, reports }) => <NeighbourhoodReport key={nb.id} nb={nb} months={data.months} reports={reports} />)}
      </div>
    </main>
  );
}

function NeighbourhoodReport({ nb, months, reports }: { nb: NeighbourhoodInfo; months: string[]; reports: ServiceReport[] }) {
  const r = reports[reports.length - 1]!;
  const fig = (label: string, share: number | null, met: boolean | null, detail: string) => (
    <div class={`figure ${met === null ? '' : met ? 'met' : 'missed'}`}>
      <span class="small">{label}</span>
      <strong>{pctText(share)}</strong>
      <span class="small">{detail}{met === null ? '' : met ? ' — standard met' : ' — standard missed'}</span>
    </div>
  );
  return (
    <section class="card" aria-labelledby={`rep-${nb.id}`} data-report={nb.name}>
      <h2 id={`rep-${nb.id}`}>{nb.name}, {r.month}</h2>
      <div class="figures">
        <div class="figure"><span class="small">Alerts</span><strong>{r.alerts.total}</strong><span class="small">{Object.entries(r.alerts.byType).map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}</span></div>
        {fig('Acknowledged within 60 s', r.acknowledgement.share, r.acknowledgement.met, `${r.acknowledgement.within60s} of ${r.acknowledgement.eligible}`)}
        {fig('On site within 2 h', r.urgentResponse.share, r.urgentResponse.met, `${r.urgentResponse.onSiteWithin2h} of ${r.urgentResponse.eligible}`)}
      </div>
      <MonthChart
        months={months}
        label={`${nb.name}, ${months[0]} to ${months[months.length - 1]}: ${reports.map((x) => `${x.month} ${x.alerts.total} alerts, acknowledged within 60 s ${pctText(x.acknowledgement.share)}`).join('; ')}`}
        series={[
          { label: 'Acknowledged within 60 s (%)', values: reports.map((x) => pct(x.acknowledgement.share)), colorVar: '--color-routine', scale: '%' },
          { label: 'On site within 2 h (%)', values: reports.map((x) => pct(x.urgentResponse.share)), colorVar: '--color-ok', scale: '%' },
          { label: 'Alerts', values: reports.map((x) => x.alerts.total), colorVar: '--color-high', scale: 'n' },
        ]}
      />
      <a class="button" href={adminApi.reportCsvUrl(nb.id, r.month)} download={`service-report-${nb.name}-${r.month}.csv`}>
        Download {nb.name} {r.month} as CSV
      </a>
    </section>
  );
}
