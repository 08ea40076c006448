// Summarise a V8 .cpuprofile (from `--profile DIR`): the top frames by self time, and by total
// (inclusive) time, so a profile can be read in a terminal and quoted in docs/benchmarks.md.
//   npx tsx test/bench/load/profile-top.ts DIR/CPU...cpuprofile [--top 25] [--svg flame.svg --title '...']
import fs from 'node:fs';
import path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/** Self and total time per frame (function, file:line), as shares of the samples. */
export function summarise(profile: { nodes: Node[]; samples: number[] }): { name: string; self: number; total: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map<number, number>();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, c] of counts) {
    const n = byId.get(id)!;
    self.set(label(n), (self.get(label(n)) ?? 0) + c);
    // Inclusive: each distinct frame on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      total.set(l, (total.get(l) ?? 0) + c);
    }
  }
  const all = profile.samples.length;
  return [...total.keys()].map((name) => ({ name, self: (self.get(name) ?? 0) / all, total: total.get(name)! / all }));
}

/** A top-down flame graph (icicle) of the profile as SVG: width is share of samples; frames under 0.3% are left out. */
export function flameSvg(profile: { nodes: Node[]; samples: number[] }, title: string): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const s of profile.samples) self.set(s, (self.get(s) ?? 0) + 1);
  const total = new Map<number, number>();
  const sum = (id: number): number => {
    const n = byId.get(id)!;
    let t = self.get(id) ?? 0;
    for (const c of n.children ?? []) t += sum(c);
    total.set(id, t);
    return t;
  };
  const root = profile.nodes[0]!;
  const all = sum(root.id);
  const W = 1200;
  const H = 16;
  const rects: string[] = [];
  let maxDepth = 0;
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const draw = (id: number, x: number, depth: number): void => {
    const n = byId.get(id)!;
    const w = (total.get(id)! / all) * W;
    if (w < W * 0.003) return;
    // Idle and the program's own bookkeeping are not work: drawn grey.
    const name = n.callFrame.functionName || '(anonymous)';
    const label = `${name} ${n.callFrame.url ? `${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
    const hue = n.callFrame.url.includes('node_modules') ? 30 : n.callFrame.url.includes('/src/') ? 200 : 0;
    const fill = name === '(idle)' || name === '(program)' ? '#ccc' : `hsl(${hue}, 60%, ${60 + (depth % 3) * 8}%)`;
    const y = depth * H + 24;
    maxDepth = Math.max(maxDepth, depth);
    const pct = ((total.get(id)! / all) * 100).toFixed(1);
    rects.push(
      `<g><title>${esc(label)} (${pct}%)</title><rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${H - 1}" fill="${fill}"/>` +
        (w > 60 ? `<text x="${(x + 3).toFixed(1)}" y="${y + 12}" font-size="11" font-family="monospace">${esc(label.slice(0, Math.floor(w / 6.6)))}</text>` : '') +
        '</g>',
    );
    let cx = x;
    for (const c of n.children ?? []) {
      draw(c, cx, depth + 1);
      cx += (total.get(c)! / all) * W;
    }
  };
  draw(root.id, 0, 0);
  const height = (maxDepth + 1) * H + 32;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}"><rect width="100%" height="100%" fill="#fff"/><text x="4" y="16" font-size="13" font-family="sans-serif">${esc(title)}</text>${rects.join('')}</svg>\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2]!;
  const top = Number(process.argv[process.argv.indexOf('--top') + 1] || 25) || 25;
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
  const svgAt = process.argv.indexOf('--svg');
  if (svgAt > 0) fs.writeFileSync(process.argv[svgAt + 1]!, flameSvg(profile, process.argv[process.argv.indexOf('--title') + 1] ?? path.basename(file)));
  const rows = summarise(profile);
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  console.log('self   | frame');
  for (const r of [...rows].sort((a, b) => b.self - a.self).slice(0, top)) console.log(`${pct(r.self)} | ${r.name}`);
  console.log('\ntotal  | frame');
  for (const r of [...rows].sort((a, b) => b.total - a.total).slice(0, top)) console.log(`${pct(r.total)} | ${r.name}`);
}
