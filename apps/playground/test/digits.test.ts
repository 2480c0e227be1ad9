import { describe, expect, it } from 'vitest';
import { loadDigits as loadNodeDigits, split } from '../../example/src/data.ts';
import { packDigits } from '../mnist-asset.ts';
import { decodeDigits, loadDigits, splitDigits } from '../src/digits.js';

const packed = packDigits();
const buffer = () => packed.slice().buffer;

describe('the packed MNIST digits', () => {
  it('hold every digit of the mnist package bit for bit, as the Node app reads them', () => {
    const node = loadNodeDigits();
    const digits = decodeDigits(buffer());
    expect(digits.labels).toEqual(node.labels);
    expect(digits.images).toHaveLength(10_000);
    digits.images.forEach((image, i) => {
      if (!image.every((v, p) => v === node.images[i]![p])) throw new Error(`digit ${i} differs`);
    });
    expect(packed.length).toBe(8 + 4 * 256 + 10_000 * 785);
  });

  it('split as the Node app splits them', () => {
    const node = split(loadNodeDigits(), 2000, 0, 8000);
    const ours = splitDigits(decodeDigits(buffer()));
    expect(ours.train.labels).toEqual(node.train.labels);
    expect(ours.test.labels).toEqual(node.test.labels);
    for (const i of [0, 1, 999, 1999]) expect(ours.test.images[i]).toEqual(node.test.images[i]);
    expect(ours.train.images[7999]).toEqual(node.train.images[7999]);
  });

  it('refuse a file that is not theirs, or cut short, saying how to rebuild it', () => {
    const wrong = new Uint8Array(buffer());
    wrong[0] = 'X'.charCodeAt(0);
    expect(() => decodeDigits(wrong.buffer)).toThrow(
      "mnist-digits.bin is not a packed digits file (no 'TSMN' header); rebuild it with `pnpm --filter playground build` (or restart `dev`).",
    );
    expect(() => decodeDigits(buffer().slice(0, 5000))).toThrow(
      `mnist-digits.bin has 5000 bytes, but 10000 digits need ${packed.length}: the file is truncated;`,
    );
  });

  it('name the URL and the status when the request fails', async () => {
    const notFound = async () => new Response('', { status: 404 });
    await expect(loadDigits('http://x/mnist-digits.bin', notFound)).rejects.toThrow(
      'Could not load the MNIST digits from http://x/mnist-digits.bin (HTTP 404)',
    );
    const ok = async () => new Response(buffer());
    expect((await loadDigits('u', ok)).labels).toHaveLength(10_000);
  });
});
