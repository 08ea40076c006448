// The trade-off picture: median collapse delay against false urgent/high alerts per home-month,
// for the false-alarm budget swept over its range and for fixed timers, as an SVG.

/** One point on the picture. */
export interface TradeoffPoint {
  label: string;
  falsePerMonth: number;
  medianDelayMin: number;
  caught: number;
  of: number;
}

/** A line (or scatter) of points drawn in one colour. */
export interface TradeoffSeries {
  name: string;
  colour: string;
  line: boolean;
  points: TradeoffPoint[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The picture as a standalone SVG: x false alerts per home-month (log scale), y median delay (min). */
export function tradeoffSvg(series: TradeoffSeries[], title: string): string {
  const W = 760;
  const H = 460;
  const L = 70;
  const R = 230;
  const T = 40;
  const B = 60;
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.medianDelayMin));
  const xMin = 0.1;
  const xMax = Math.max(20, ...pts.map((p) => p.falsePerMonth * 1.2));
  const yMax = Math.max(240, ...pts.map((p) => p.medianDelayMin * 1.1));
  const x = (v: number): number => L + ((Math.log10(Math.max(xMin, v)) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * (W - L - R);
  const y = (v: number): number => T + (1 - v / yMax) * (H - T - B);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="22" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const v of [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50].filter((v) => v <= xMax)) {
    out.push(`<line x1="${x(v)}" y1="${T}" x2="${x(v)}" y2="${H - B}" stroke="${v === 1 ? '#c33' : '#ddd'}" stroke-dasharray="${v === 1 ? '4 3' : ''}"/>`);
    out.push(`<text x="${x(v)}" y="${H - B + 16}" text-anchor="middle">${v}</text>`);
  }
  for (let v = 0; v <= yMax; v += 30) {
    out.push(`<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="${v === 90 ? '#c33' : '#eee'}" stroke-dasharray="${v === 90 ? '4 3' : ''}"/>`);
    out.push(`<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">false urgent/high alerts per home-month (log scale; target ≤ 1, dashed)</text>`);
  out.push(`<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">median collapse delay, min (target ≤ 90, dashed)</text>`);
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#888"/>`);
  series.forEach((s, i) => {
    const ps = s.points.filter((p) => Number.isFinite(p.medianDelayMin));
    if (s.line && ps.length > 1) out.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${ps.map((p) => `${x(p.falsePerMonth).toFixed(1)},${y(p.medianDelayMin).toFixed(1)}`).join(' ')}"/>`);
    for (const p of ps) {
      const cx = x(p.falsePerMonth).toFixed(1);
      const cy = y(p.medianDelayMin).toFixed(1);
      out.push(s.line ? `<circle cx="${cx}" cy="${cy}" r="4" fill="${s.colour}"><title>${esc(`${s.name} ${p.label}: ${p.falsePerMonth.toFixed(2)} / home-month, median ${Math.round(p.medianDelayMin)} min, ${p.caught}/${p.of} caught`)}</title></circle>` : `<rect x="${+cx - 4}" y="${+cy - 4}" width="8" height="8" fill="${s.colour}"><title>${esc(`${s.name} ${p.label}`)}</title></rect>`);
      out.push(`<text x="${+cx + 6}" y="${+cy - 6}" font-size="10" fill="${s.colour}">${esc(p.label)}</text>`);
    }
    const ly = T + 10 + i * 20;
    out.push(s.line ? `<line x1="${W - R + 14}" y1="${ly}" x2="${W - R + 34}" y2="${ly}" stroke="${s.colour}" stroke-width="2"/>` : `<rect x="${W - R + 20}" y="${ly - 4}" width="8" height="8" fill="${s.colour}"/>`);
    out.push(`<text x="${W - R + 40}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  const missing = series.flatMap((s) => s.points.filter((p) => !Number.isFinite(p.medianDelayMin)).map((p) => `${s.name} ${p.label}: ${p.caught}/${p.of} caught`));
  missing.forEach((m, i) => out.push(`<text x="${W - R + 14}" y="${T + 20 + series.length * 20 + i * 16}" font-size="10">${esc(m)}</text>`));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
