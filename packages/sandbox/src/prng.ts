/**
 * Small deterministic randomness for world generation and fault injection: mulberry32 seeded from
 * a 32-bit hash, so one seed gives the same world on every machine.
 */

/** A function returning uniformly distributed numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG (public domain). */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the parts' string forms: a stable 32-bit seed for (seed, account, Region, ...). */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = String(part);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** An integer in [min, max]. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** `length` characters drawn from `alphabet`. */
export function randomString(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

/** Lowercase letters and digits, as Organizations ids use. */
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Lowercase hex, as EC2 ids use. */
export const HEX = '0123456789abcdef';
