import { describe, it } from 'vitest';
import { createBackend as createCpu } from '../src/cpu.js';
import { createBackend as createWasm } from '../src/wasm.js';
import { CASES, expectSameTraining } from './agreement.js';

describe.each([
  ['tfjs-cpu', createCpu],
  ['tfjs-wasm', createWasm],
])('%s trains as backend-ts float32 does', (_name, create) => {
  it.each(CASES)('100 steps of $name end with the same weights', async (c) => {
    await expectSameTraining(await create(), c);
  });
});
