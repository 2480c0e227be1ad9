/**
 * In a page (Chromium): a toOnnx export runs in onnxruntime-web's WebAssembly as twostep predicts
 * it, and an ONNX file made by PyTorch (fetched like a user's) imports with fromOnnx and gives
 * what PyTorch gave.
 */
import { createBackend } from '@twostep/backend-ts';
import { Network, predict, Random } from '@twostep/core';
import * as ort from 'onnxruntime-web';
import { expect, it } from 'vitest';
import { fromOnnx, toOnnx } from '../src/index.js';
import fixtureUrl from './fixtures/mnist-relu.json?url';
import onnxUrl from './fixtures/mnist-relu.onnx?url';

// One thread: a page that is not cross-origin isolated has no SharedArrayBuffer. The .wasm is
// found beside onnxruntime-web's module (vitest.config.ts keeps Vite from pre-bundling it).
ort.env.wasm.numThreads = 1;

/** The largest |a − b| over the largest |b|. */
function relativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return worst / scale;
}

it('onnxruntime-web in the page predicts what twostep predicts, for every activation', async () => {
  const backend = createBackend({ dtype: 'float32' });
  const random = new Random(3);
  const inputs = Array.from({ length: 16 }, () =>
    Array.from({ length: 12 }, () => random.uniform(-2, 2)),
  );
  const leaky = { name: 'leakyRelu', alpha: 0.2 } as const;
  for (const activation of ['relu', 'tanh', 'sigmoid', 'softplus', leaky, 'identity'] as const) {
    for (const bias of [true, false]) {
      const net = Network.create({ architecture: [12, 9, 4], activation, bias, seed: 5 });
      const session = await ort.InferenceSession.create(toOnnx(net));
      const x = new ort.Tensor('float32', Float32Array.from(inputs.flat()), [16, 12]);
      const { output } = await session.run({ input: x });
      await session.release();
      const ours = (await predict(backend, net, inputs)).flat();
      const name = typeof activation === 'string' ? activation : activation.name;
      expect(
        relativeDifference(output!.data as Float32Array, ours),
        `${name}, bias ${bias}`,
      ).toBeLessThan(1e-5);
    }
  }
});

it("a PyTorch-made ONNX file, fetched, imports and predicts PyTorch's outputs", async () => {
  const bytes = new Uint8Array(await (await fetch(onnxUrl)).arrayBuffer());
  const fixture: { inputs: number[][]; outputs: number[][] } = await (
    await fetch(fixtureUrl)
  ).json();
  const net = fromOnnx(bytes);
  expect(net.architecture).toEqual([784, 32, 10]);
  const ours = await predict(createBackend({ dtype: 'float32' }), net, fixture.inputs);
  expect(relativeDifference(ours.flat(), fixture.outputs.flat())).toBeLessThan(1e-5);
});
