/** Training yields to the event loop every 50 ms: timers, messages and aborts get their turn. */
import { Network, train } from '@twostep/core';
import { referenceBackend } from '@twostep/core/reference';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { yieldToEventLoop } from '../src/batches.js';
import { XOR } from './helpers.js';

describe('yieldToEventLoop', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lets timers run between busy stretches, through setImmediate or a message to itself', async () => {
    for (const immediate of [true, false]) {
      if (!immediate) vi.stubGlobal('setImmediate', undefined);
      let fired = false;
      setTimeout(() => {
        fired = true;
      }, 0);
      let turns = 0;
      while (!fired && turns < 100) {
        const busy = performance.now() + 2;
        while (performance.now() < busy); // a step, on the thread the timer needs
        await yieldToEventLoop();
        turns++;
      }
      expect(fired).toBe(true);
      expect(turns).toBeLessThanOrEqual(2);
    }
  });
});

describe('a long train call', () => {
  it('stops on an abort from a timer: the loop yields while it trains', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by a timer')), 150);
    const started = performance.now();
    const run = train(
      referenceBackend(),
      Network.create({ architecture: 'A[2,4,1]', seed: 3 }),
      XOR,
      {
        batchSize: 1,
        epochs: 1_000_000,
        signal: controller.signal,
      },
    );
    await expect(run).rejects.toThrow('stopped by a timer');
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
