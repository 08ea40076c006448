import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a chart: its values per day (null: a gap, drawn as a gap), colour token, and optional usual range as a band. */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A design token name, e.g. '--color-routine'. */
  colorVar: string;
  /** The usual range per day (e.g. the interquartile range over the weeks before), drawn as a shaded band. */
  band?: { lo: (number | null)[]; hi: (number | null)[]; label?: string };
}

/** What TrendChart draws. */
export interface TrendChartProps {
  /** What the chart shows, for screen readers (the page gives the figures in words beside it). */
  label: string;
  /** The x axis: local days, YYYY-MM-DD. */
  days: string[];
  series: ChartSeries[];
  /** Axis and legend values (e.g. minutes after midnight as HH:MM). */
  format?: (v: number) => string;
  /** Fixed y range; default from the data (and bands). */
  yRange?: [number, number];
  height?: number;
  /** data-chart attribute, so tests and styles can find the chart. */
  name: string;
}

const cssVar = (el: Element, name: string): string => getComputedStyle(el).getPropertyValue(name).trim() || '#555555';

/** A colour token as a translucent fill (hex or rgb() tokens). */
function translucent(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return `rgba(${parseInt(hex[1]!, 16)}, ${parseInt(hex[2]!, 16)}, ${parseInt(hex[3]!, 16)}, ${alpha})`;
  const rgb = /^rgb\((\d+)[ ,]+(\d+)[ ,]+(\d+)\)$/.exec(color);
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`;
  return color;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** '2026-11-03' as '3 Nov'. */
export function shortDay(day: string): string {
  const [, m, d] = day.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]}`;
}

/** The uPlot instance behind a drawn chart element (tests read its data and series). */
export type ChartElement = HTMLDivElement & { uplot?: uPlot };

/**
 * A daily trend chart on uPlot: one or more lines (points on each day, gaps
 * where there is no data) over local days, each with its usual range as a
 * shaded band. Colours come from the design tokens (light and dark); the
 * chart follows its container's width. The canvas is one image for screen
 * readers (`label`); pages give the figures in words too.
 */
export function TrendChart({ label, days, series, format, yRange, height = 220, name }: TrendChartProps) {
  const box = useRef<ChartElement>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    ro.observe(el);
    setWidth(Math.floor(el.clientWidth));
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = box.current;
    if (!el || width < 50) return;
    const text = cssVar(el, '--color-text');
    const grid = cssVar(el, '--color-border');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const fmt = format ?? ((v: number) => String(Math.round(v * 10) / 10));
    const x = days.map((_, i) => i);
    const data: (number | null)[][] = [x];
    const useries: uPlot.Series[] = [{ label: 'day' }];
    const bands: uPlot.Band[] = [];
    for (const s of series) {
      const color = cssVar(el, s.colorVar);
      if (s.band) {
        const hi = data.push(s.band.hi) - 1;
        const lo = data.push(s.band.lo) - 1;
        const line = { stroke: translucent(color, 0.45), width: 1, points: { show: false }, spanGaps: false };
        useries.push({ ...line, label: `${s.label}: usual high` }, { ...line, label: `${s.label}: usual low` });
        bands.push({ series: [hi, lo], fill: translucent(color, 0.16) });
      }
      data.push(s.values);
      useries.push({ label: s.label, stroke: color, width: 2, points: { show: true, size: 6, fill: color }, spanGaps: false, value: (_u, v) => (v === null ? '–' : fmt(v)) });
    }
    const step = Math.max(1, Math.ceil(days.length / Math.max(2, Math.floor(width / 70))));
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: false },
      cursor: { points: { show: false } },
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, days.length - 0.5)] }, y: yRange ? { range: yRange } : { auto: true } },
      axes: [
        { ...axis, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) && days[t] ? shortDay(days[t]!) : '')), incrs: [step, step * 2, step * 7] },
        { ...axis, size: 60, values: (_u, ticks) => ticks.map((t) => fmt(t)) },
      ],
      series: useries,
      bands,
      hooks: { draw: [() => (el.dataset['drawn'] = String(Number(el.dataset['drawn'] ?? 0) + 1))] },
    };
    el.uplot?.destroy();
    el.uplot = new uPlot(opts, data as uPlot.AlignedData, el);
    return () => {
      el.uplot?.destroy();
      delete el.uplot;
    };
  }, [width, height, days.join(','), JSON.stringify(series), yRange?.join(',')]);

  return (
    <div class="trend-chart" data-chart={name}>
      <div role="img" aria-label={label} ref={box} class="trend-chart-canvas" />
      <ul class="chart-legend" aria-hidden="true">
        {series.map((s) => (
          <li key={s.label}>
            <span class="chart-key" style={{ background: `var(${s.colorVar})` }} /> {s.label}
            {s.band ? <span class="muted"> (band: {s.band.label ?? 'usual range'})</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
