import { expect, it } from 'vitest';
import { circles, iris, moons, spirals, split, xor } from '../src/index.js';
import { decodeMnist, loadMnist, packMnist } from '../src/mnist.js';

it('gives the toy sets, Iris and the split in a page, without a request', () => {
  for (const make of [moons, spirals, xor, circles]) expect(make().inputs).toHaveLength(200);
  const { train, test } = split(iris(), { testSize: 30 });
  expect([train.inputs.length, test.inputs.length]).toEqual([120, 30]);
  expect(test.targets[0]).toHaveLength(3);
});

it('decodes MNIST in a page and says that reading the package needs Node', () => {
  expect(() => decodeMnist(new Uint8Array(2000))).toThrow("no 'TSMN' header");
  expect(() => loadMnist()).toThrow(
    'in a browser, fetch the packed file and decode it: decodeMnist(await (await fetch(url)).arrayBuffer())',
  );
  expect(() => packMnist()).toThrow("packMnist reads the mnist package's files");
});
