import { useCallback } from 'preact/hooks';
import { ago } from '../../format.ts';
import { SortableTable, type SortableColumn } from '../../ui/sortable-table.tsx';
import { useNow } from '../../use-now.ts';
import { installerApi, type HealthRow } from './api.ts';
import { usePolled } from './use-polled.ts';
import './installer.css';

const KIND_LABELS: Record<string, string> = {
  'hub-offline': 'Hub offline',
  'hub-unresponsive': 'Hub not responding',
  'bridge-offline': 'Zigbee bridge offline',
  'sensor-offline': 'Sensor unreachable',
  'sensor-silent': 'Sensor silent',
  tamper: 'Tamper',
  'low-battery': 'Low battery',
  'unmapped-device': 'Unmapped device',
};

/** Organisation-wide hub health: offline hubs, silent or unreachable sensors, low batteries, tamper, each with what to do; sortable. */
export function HealthPage() {
  const now = useNow(5000);
  const load = useCallback(() => installerApi.health(), []);
  const { data, error, reload } = usePolled(load, 10_000);
  const columns: SortableColumn<HealthRow>[] = [
    { key: 'rank', label: 'Priority', render: (r) => String(r.rank), sortValue: (r) => r.rank },
    { key: 'kind', label: 'Problem', render: (r) => <strong>{KIND_LABELS[r.kind] ?? r.kind}</strong>, sortValue: (r) => KIND_LABELS[r.kind] ?? r.kind },
    {
      key: 'hub',
      label: 'Hub',
      render: (r) => (
        <>
          <a href={`#/hubs/${encodeURIComponent(r.hubId)}`}>{r.hubId}</a>
          {r.sensorId && (
            <div>
              sensor <code>{r.sensorId}</code>
            </div>
          )}
        </>
      ),
      sortValue: (r) => `${r.hubId} ${r.sensorId ?? ''}`,
    },
    { key: 'home', label: 'Home of', render: (r) => (r.residents.length ? r.residents.join(', ') : <span class="muted">no resident</span>), sortValue: (r) => r.residents[0] ?? null },
    { key: 'since', label: 'Since', render: (r) => ago(r.since, now), sortValue: (r) => (r.since ? Date.parse(r.since) : null) },
    { key: 'detail', label: 'What is wrong', render: (r) => r.problem },
    { key: 'todo', label: 'What to do', render: (r) => r.whatToDo },
  ];
  return (
    <main>
      <div class="view-head">
        <h1>Hub health</h1>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <p class="muted">Every hub of the organisation: most pressing first. Sort by any column heading.</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p class="muted">Loading…</p>}
      {data && data.items.length === 0 && <p class="empty">Nothing to do: every hub is online and every sensor is heard.</p>}
      {data && data.items.length > 0 && (
        <SortableTable
          class="health"
          caption={`${data.items.length} problem${data.items.length === 1 ? '' : 's'}`}
          rows={data.items}
          columns={columns}
          rowKey={(r) => `${r.hubId}:${r.sensorId ?? ''}:${r.kind}`}
          rowAttrs={(r) => ({ 'data-kind': r.kind, 'data-hub-id': r.hubId })}
          initialSort={{ key: 'rank' }}
        />
      )}
    </main>
  );
}
