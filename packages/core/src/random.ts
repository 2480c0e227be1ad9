import { ConfigError } from './errors.js';
import { shown } from './json.js';

/** The largest seed: the generator's state has 32 bits, so a larger seed would wrap onto a smaller one. */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * Throws a ConfigError unless `seed` is an integer in [0, 2³² − 1]: a fraction, a negative
 * seed or a larger one would be truncated to 32 bits (1e300 would give seed 0's stream).
 * `where` names who takes it (`train`, `Network.create`).
 */
export function checkSeed(where: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new ConfigError(
      `${where}: seed is ${shown(seed)}; a seed must be an integer from 0 to ${MAX_SEED} (2³² − 1), e.g. { seed: 0 }.`,
    );
  }
  return seed;
}

/**
 * A small seeded generator (mulberry32, seeded through splitmix32), so the same seed gives
 * the same weights and the same shuffles on every backend and platform. Seeds are integers
 * from 0 to 2³² − 1 (`checkSeed`).
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    checkSeed('Random', seed);
    // splitmix32 of the seed, so nearby seeds give unrelated streams.
    let z = (seed + 0x9e3779b9) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.state = (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal, by Box–Muller. */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** A uniformly random permutation of 0 … n−1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
