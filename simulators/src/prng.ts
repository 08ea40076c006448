/** A small seeded pseudo-random generator (mulberry32) with the draws the simulators need. */
export interface Rng {
  /** Uniform in [0, 1). */
  (): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi], both included. */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Normal with mean and standard deviation (Box-Muller). */
  normal(mean: number, sd: number): number;
  /** Exponential with the given mean. */
  exp(mean: number): number;
  /** Poisson count with the given mean (Knuth; small means only). */
  poisson(mean: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** One key of a weight table, chosen in proportion to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
}

/** A deterministic generator: the same seed gives the same sequence. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng = next as Rng;
  rng.uniform = (lo, hi) => lo + (hi - lo) * next();
  rng.int = (lo, hi) => lo + Math.floor((hi - lo + 1) * next());
  rng.chance = (p) => next() < p;
  rng.normal = (mean, sd) => {
    const u = 1 - next();
    const v = next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  rng.exp = (mean) => -mean * Math.log(1 - next());
  rng.poisson = (mean) => {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = next();
    while (p > limit) {
      k++;
      p *= next();
    }
    return k;
  };
  rng.pick = (items) => items[Math.floor(next() * items.length)]!;
  rng.weighted = (weights) => {
    const keys = Object.keys(weights) as (keyof typeof weights)[];
    let total = 0;
    for (const k of keys) total += weights[k];
    let r = next() * total;
    for (const k of keys) {
      r -= weights[k];
      if (r < 0) return k;
    }
    return keys[keys.length - 1]!;
  };
  return rng;
}

/** Mix numbers into one 32-bit seed (so each home and chunk gets its own stream). */
export function mixSeed(...parts: (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x2c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
