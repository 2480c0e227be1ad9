import { describe, expect, it } from 'vitest';
import {
  allThreadsCeiling,
  bestCeilings,
  ceilingFor,
  flopsPerSample,
  gflops,
} from '../src/flops.js';
import type { Ceiling } from '../src/protocol.js';
import { WORKLOADS } from '../src/workloads.js';

describe('FLOPs of the two-step rule per sample', () => {
  it('counts W1 by hand: forward, weight gradients and δup_1', () => {
    // Forward: 2·128·785 + 2·10·129 = 200,960 + 2,580 = 203,540; the weight gradients the
    // same; δup_1 = W♯2ᵀ · δdown_2: 2·10·128 = 2,560 (no δup_0: no trainer forms ∂J/∂X0).
    expect(flopsPerSample(WORKLOADS.W1.architecture)).toBe(203_540 + 203_540 + 2_560);
    expect(flopsPerSample(WORKLOADS.W1.architecture)).toBe(409_640);
  });

  it('counts W5 and a single layer', () => {
    // Forward 2·(512·785 + 512·513 + 10·513) = 1,339,412, twice; δup 2·(512·512 + 10·512).
    expect(flopsPerSample(WORKLOADS.W5.architecture)).toBe(2 * 1_339_412 + 534_528);
    // One layer has no δup: forward and gradient only.
    expect(flopsPerSample([3, 2])).toBe(2 * 2 * 2 * 4);
  });

  it('turns samples/s into GFLOP/s', () => {
    expect(gflops(WORKLOADS.W1.architecture, 10_000)).toBeCloseTo(4.0964, 10);
  });
});

describe('the ceiling', () => {
  const one: Ceiling = { requestedThreads: 1, threads: 1, gflops: 40 };
  const two: Ceiling = { requestedThreads: 2, threads: 2, gflops: 70 };

  it('holds a trainer to the ceiling with the most threads not above its own', () => {
    expect(ceilingFor(1, [one, two])).toBe(one);
    expect(ceilingFor(2, [two, one])).toBe(two);
    // More threads than any measurement (pytorch-threads on 16 cores, backend-ts at most 8).
    expect(ceilingFor(16, [one, two])).toBe(two);
    expect(ceilingFor(1, [])).toBeUndefined();
    expect(allThreadsCeiling([two, one])).toBe(two);
  });

  it('takes a backend that ran one thread where two were asked as a one-thread ceiling', () => {
    const asked: Ceiling = { requestedThreads: 2, threads: 1, gflops: 41 };
    expect(ceilingFor(2, [one, asked])).toBe(asked);
    expect(allThreadsCeiling([asked, one])).toBe(asked);
  });

  it('keeps the best measurement of each thread count over repetitions', () => {
    const slow: Ceiling = { ...two, gflops: 50 };
    expect(bestCeilings([slow, one, two, { ...one, gflops: 30 }])).toEqual([one, two]);
  });
});
