import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One series of a month chart: its label, values per month (null: no data, drawn as a gap), and colour token. */
export interface MonthSeries {
  label: string;
  values: (number | null)[];
  /** A CSS custom property of tokens.css, e.g. --color-routine. */
  colorVar: string;
  /** Which scale: percentages (0-100) or counts. */
  scale: '%' | 'n';
}

const cssVar = (el: Element, name: string): string => getComputedStyle(el).getPropertyValue(name).trim() || '#555';

/**
 * A small uPlot chart of values per month (x: month index, labelled YYYY-MM). The canvas is
 * described by `label` for screen readers; the page shows the same figures as text beside it.
 * (The admin's own: dashboard/src/ui/ had no chart component when this was written.)
 */
export function MonthChart({ months, series, label, width = 520, height = 220 }: { months: string[]; series: MonthSeries[]; label: string; width?: number; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar(el, '--color-text');
    const grid = cssVar(el, '--color-border');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const opts: uPlot.Options = {
      width,
      height,
      scales: { x: { time: false }, '%': { range: [0, 100] }, n: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil((max ?? 0) * 1.2))] } },
      axes: [
        { ...axis, values: (_u, ticks) => ticks.map((t) => months[Math.round(t)] ?? ''), incrs: [1] },
        { ...axis, scale: '%', label: '%', values: (_u, t) => t.map((v) => `${v}%`) },
        { ...axis, scale: 'n', side: 1, label: 'alerts', grid: { show: false } },
      ],
      series: [{ label: 'month' }, ...series.map((s) => ({ label: s.label, scale: s.scale, stroke: cssVar(el, s.colorVar), width: 2, points: { show: true, size: 7 }, spanGaps: false }))],
      legend: { show: true },
    };
    const data: uPlot.AlignedData = [months.map((_, i) => i), ...series.map((s) => s.values)];
    plot.current?.destroy();
    plot.current = new uPlot(opts, data, el);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, [months.join(','), JSON.stringify(series), width, height]);
  // The figures drawn, for tests and tools (the canvas itself cannot be read back).
  const drawn = JSON.stringify(series.map((s) => ({ label: s.label, values: s.values })));
  return <div class="chart" role="img" aria-label={label} ref={box} data-months={months.join(',')} data-series={drawn} />;
}
