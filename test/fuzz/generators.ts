import v8 from 'node:v8';
import vm from 'node:vm';
import { mulberry32, type Rng } from '../../simulators/src/prng.ts';

/** The default seed; HEARTH_FUZZ_SEED=<n> replays another run, HEARTH_FUZZ_SEED=random draws one. */
export const DEFAULT_FUZZ_SEED = 20261201;

/** The run's seed and generator; the seed is printed so a failure can be replayed. */
export function fuzzRng(suite: string): { seed: number; rng: Rng } {
  const raw = process.env.HEARTH_FUZZ_SEED;
  const seed = raw === 'random' ? Math.floor(Math.random() * 2 ** 32) : raw ? Number(raw) >>> 0 : DEFAULT_FUZZ_SEED;
  console.log(`[fuzz ${suite}] seed ${seed} (replay: HEARTH_FUZZ_SEED=${seed})`);
  return { seed, rng: mulberry32(seed) };
}

/** A full garbage collection (the flag is set at run time, so the suite needs no node option). */
export function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** Heap and buffers in use after a full collection, in bytes. */
export function memoryInUse(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Random bytes. */
export function randomBytes(rng: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rng() * 256);
  return b;
}

/** JSON-ish text nested `depth` deep, with arrays, objects or both; sometimes left open. */
export function deepNest(rng: Rng, depth: number): string {
  const kind = rng.pick(['array', 'object', 'mixed'] as const);
  const open = kind === 'array' ? '['.repeat(depth) : kind === 'object' ? '{"a":'.repeat(depth) : '[{"a":'.repeat(Math.ceil(depth / 2));
  const close = kind === 'array' ? ']'.repeat(depth) : kind === 'object' ? '}'.repeat(depth) : '}]'.repeat(Math.ceil(depth / 2));
  const inner = kind === 'array' ? '' : '1';
  return rng.chance(0.1) ? open + inner : open + inner + close;
}

/** Depths the suites draw from, up to 100,000. */
export const DEPTHS = [33, 64, 1000, 5000, 20_000, 100_000];

/** Keys that have bitten JavaScript servers. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

/** Invalid UTF-8 and awkward code points. */
export function badUtf8(rng: Rng): Buffer {
  const parts = [
    Buffer.from([0xff, 0xfe, 0xfd]),
    Buffer.from([0xc0, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]), // a UTF-16 surrogate, encoded (invalid in UTF-8)
    Buffer.from([0xf4, 0x90, 0x80, 0x80]), // beyond U+10FFFF
    Buffer.from('{"id":"\\ud800","ts":"2026-01-01T00:00:00Z","sensor":"\u0000","type":"motion","value":true}'),
    Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xe2, 0x28, 0xa1, 0x22, 0x7d]),
  ];
  return Buffer.concat(Array.from({ length: rng.int(1, 4) }, () => rng.pick(parts)));
}

/** An event-shaped object with prototype keys and odd values. */
export function prototypeEvent(rng: Rng, id: string): string {
  const key = rng.pick(PROTOTYPE_KEYS);
  const value = rng.pick([`{"polluted":true}`, '[]', 'null', '"x"', '1e309', '-0', '123456789012345678901234567890']);
  const base = `"id":"${id}","ts":"2026-01-01T00:00:00Z","sensor":"s","type":"${rng.pick(['motion', 'fall', key, '__proto__'])}","value":${rng.pick(['true', value])}`;
  return rng.chance(0.5) ? `{"${key}":${value},${base}}` : `{"events":[{${base},"${key}":${value}}],"${key}":${value}}`;
}

/** A schema-breaking event: wrong types, impossible values, odd times. */
export function wrongEvent(rng: Rng, id: string): Record<string, unknown> {
  const e: Record<string, unknown> = { id, ts: new Date().toISOString(), sensor: 'kitchen-pir', type: 'motion', value: true };
  const field = rng.pick(['id', 'ts', 'sensor', 'type', 'value', 'battery'] as const);
  e[field] = rng.pick([null, '', 'x'.repeat(rng.int(65, 5000)), -1, 1e308, [], {}, '9999-99-99T99:99:99Z', 'a/b', '\u0000', true]);
  return e;
}

/** A topic under a hub's prefix that is not a channel, or with odd levels. */
export function oddTopic(rng: Rng, hubId: string): string {
  const prefix = `hearth/v1/hubs/${hubId}/`;
  return rng.pick([
    prefix + rng.pick(PROTOTYPE_KEYS),
    prefix + 'events/extra',
    prefix + 'made-up-' + rng.int(0, 1e6),
    prefix + 'ünïcødé-' + '\u202e',
    prefix + 'x'.repeat(rng.int(100, 4000)),
    prefix + 'a/'.repeat(rng.int(2, 90)) + 'z',
    prefix + ' ',
    prefix + 'EVENTS',
  ]);
}
