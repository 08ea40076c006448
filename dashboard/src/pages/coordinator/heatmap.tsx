import { shortDay } from '../../ui/chart.tsx';
import type { TrendsResponse } from './api.ts';

/**
 * Activity by local hour and day: one row per day, one cell per hour, darker for
 * more activity; a day without data is marked "no data", not drawn as zeros. The
 * last row is the resident's usual (median per hour over the weeks before).
 */
export function Heatmap({ heatmap }: { heatmap: TrendsResponse['heatmap'] }) {
  const max = Math.max(1, ...heatmap.hours.flatMap((h) => h ?? []), ...heatmap.usual.map((u) => u?.q3 ?? 0));
  const level = (n: number) => (n <= 0 ? 0 : Math.min(5, Math.ceil((n / max) * 5)));
  const rows = heatmap.days.map((d, i) => ({ day: d, hours: heatmap.hours[i] ?? null }));
  return (
    <div class="heatmap-wrap">
      <table class="heatmap" data-chart="heatmap">
        <caption class="visually-hidden">Activity events per local hour of day, one row per day; the last row is the usual (median) per hour</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {Array.from({ length: 24 }, (_, h) => (
              <th scope="col" key={h} class="hm-hour">
                {h % 3 === 0 ? String(h).padStart(2, '0') : <span class="visually-hidden">{String(h).padStart(2, '0')}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.day}>
              <th scope="row">{shortDay(r.day)}</th>
              {r.hours === null ? (
                <td colSpan={24} class="hm-none">
                  no data
                </td>
              ) : (
                r.hours.map((n, h) => (
                  <td key={h} class={`hm hm-${level(n)}`} title={`${shortDay(r.day)} ${String(h).padStart(2, '0')}:00: ${n}`}>
                    <span class="visually-hidden">{n}</span>
                  </td>
                ))
              )}
            </tr>
          ))}
          <tr class="hm-usual">
            <th scope="row">Usual</th>
            {heatmap.usual.map((u, h) =>
              u ? (
                <td key={h} class={`hm hm-${level(u.median)}`} title={`usual at ${String(h).padStart(2, '0')}:00: ${u.median} (${u.q1} to ${u.q3})`}>
                  <span class="visually-hidden">{u.median}</span>
                </td>
              ) : (
                <td key={h} class="hm hm-none">
                  <span class="visually-hidden">not learned</span>
                </td>
              ),
            )}
          </tr>
        </tbody>
      </table>
    </div>
  );
}
