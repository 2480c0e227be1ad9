import { describe, expect, it } from 'vitest';
import { createBackend as createCpu } from '../src/cpu.js';
import { createBackend as createWasm } from '../src/wasm.js';

describe.each([
  ['tfjs-cpu', createCpu],
  ['tfjs-wasm', createWasm],
])('%s clamp', (_name, create) => {
  // tf.clipByValue fills with lo when lo === hi, and tfjs-wasm's clamp turns NaN into lo.
  it('keeps NaN, for equal bounds too, and limits everything else', async () => {
    const k = await create();
    const a = k.fromArray([Number.NaN, -Infinity, 0, 3, Infinity], 1, 5);
    expect(Array.from(await k.read(k.clamp(a, -1, 2)))).toEqual([Number.NaN, -1, 0, 2, 2]);
    expect(Array.from(await k.read(k.clamp(a, 0.5, 0.5)))).toEqual([
      Number.NaN,
      0.5,
      0.5,
      0.5,
      0.5,
    ]);
  });
});
