// Summarise a V8 .cpuprofile (from `--profile DIR`): the top frames by self time, and by total
// (inclusive) time, so a profile can be read in a terminal and quoted in docs/benchmarks.md.
//   npx tsx test/bench/load/profile-top.ts DIR/CPU...cpuprofile [--top 25]
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2]!;
  const top = Number(process.argv[process.argv.indexOf('--top') + 1] || 25) || 25;
  const rows = summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] });
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  console.log('self   | frame');
  for (const r of [...rows].sort((a, b) => b.self - a.self).slice(0, top)) console.log(`${pct(r.self)} | ${r.name}`);
  console.log('\ntotal  | frame');
  for (const r of [...rows].sort((a, b) => b.total - a.total).slice(0, top)) console.log(`${pct(r.total)} | ${r.name}`);
}
