/** A small inline line of values (e.g. activity per day); nulls are gaps, not zeros. */
export interface SparklineProps {
  values: (number | null)[];
  /** What it shows, in words (the sparkline is one image for screen readers). */
  label: string;
  width?: number;
  height?: number;
  /** A design token name; default the routine colour. */
  colorVar?: string;
}

/**
 * A sparkline in SVG: one polyline per run of values with data, a dot on the
 * last value. Scales to its own minimum and maximum. Sized in rem so it follows
 * the user's text size.
 */
export function Sparkline({ values, label, width = 112, height = 28, colorVar = '--color-routine' }: SparklineProps) {
  const nums = values.filter((v): v is number => v !== null);
  const lo = nums.length ? Math.min(...nums) : 0;
  const hi = nums.length ? Math.max(...nums) : 1;
  const span = hi - lo || 1;
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : 0;
  const pt = (v: number, i: number): [number, number] => [2 + i * step, height - 3 - ((v - lo) / span) * (height - 6)];
  const runs: string[] = [];
  let run: string[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) runs.push(run.join(' '));
      run = [];
      return;
    }
    const [x, y] = pt(v, i);
    run.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (run.length) runs.push(run.join(' '));
  const lastIndex = values.findLastIndex((v) => v !== null);
  const last = lastIndex >= 0 ? pt(values[lastIndex]!, lastIndex) : null;
  return (
    <svg class="sparkline" role="img" aria-label={label} viewBox={`0 0 ${width} ${height}`} style={{ width: `${width / 16}rem`, height: `${height / 16}rem` }} data-points={nums.length}>
      {runs.map((r) => (r.includes(' ') ? <polyline key={r} points={r} fill="none" stroke={`var(${colorVar})`} stroke-width="2" /> : null))}
      {runs
        .filter((r) => !r.includes(' '))
        .map((r) => {
          const [x, y] = r.split(',').map(Number) as [number, number];
          return <circle key={r} cx={x} cy={y} r="1.5" fill={`var(${colorVar})`} />;
        })}
      {last ? <circle cx={last[0]} cy={last[1]} r="2.5" fill={`var(${colorVar})`} /> : null}
    </svg>
  );
}
