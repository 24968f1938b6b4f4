/** A tiny seeded PRNG (mulberry32): deterministic streams for simulations, not for security. */

/** A source of uniform numbers in `[0, 1)`. */
export type Random = () => number;

/** mulberry32: a 32-bit state, a period of 2^32; the same seed gives the same stream. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in `[min, max]` (both included) drawn from `random`. */
export function randomInt(random: Random, [min, max]: readonly [number, number]): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A 32-bit FNV-1a hash of `text` mixed with `seed`: a per-key seed independent of call order. */
export function hashSeed(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
