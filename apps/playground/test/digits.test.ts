import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDigits as loadNodeDigits, split } from '../../example/src/data.ts';
import * as asset from '../mnist-asset.ts';
import { mnistAsset, packDigits } from '../mnist-asset.ts';
import * as format from '../src/digits.js';
import { DIGITS_FILE, decodeDigits, loadDigits, splitDigits } from '../src/digits.js';

const packed = packDigits();
const buffer = () => packed.slice().buffer;
const REBUILD = 'rebuild it with `pnpm --filter playground build`';
/** Byte equality, fast (toEqual walks 7.8 MB for minutes). */
const samePacked = (bytes: unknown) =>
  bytes instanceof Uint8Array && Buffer.from(bytes).equals(Buffer.from(packed));

describe('the packed MNIST digits', () => {
  it('hold every digit of the mnist package bit for bit, as the Node app reads them', () => {
    const node = loadNodeDigits();
    const digits = decodeDigits(buffer());
    expect(digits.labels).toEqual(node.labels);
    expect(digits.images).toHaveLength(10_000);
    expect(node.images).toHaveLength(10_000);
    digits.images.forEach((image, i) => {
      const theirs = node.images[i]!;
      if (image.length !== 784 || !image.every((v, p) => Object.is(v, theirs[p]))) {
        throw new Error(`digit ${i} differs`);
      }
    });
    expect(packed.length).toBe(8 + 4 * 256 + 10_000 * 785);
    expect(String.fromCharCode(...packed.subarray(0, 4))).toBe('TSMN');
    const { DIGITS_FILE: file, MAGIC: magic, PIXELS: pixels, VALUES: values } = asset;
    expect([file, magic, pixels, values]).toEqual([
      format.DIGITS_FILE,
      format.MAGIC,
      format.PIXELS,
      format.VALUES,
    ]);
  });

  it('split as the Node app splits them', () => {
    const node = split(loadNodeDigits(), 2000, 0, 8000);
    const ours = splitDigits(decodeDigits(buffer()));
    expect(ours.train.labels).toEqual(node.train.labels);
    expect(ours.test.labels).toEqual(node.test.labels);
    expect(ours.train.images).toHaveLength(8000);
    expect(ours.test.images).toHaveLength(2000);
    for (const i of [0, 1, 999, 1999]) expect(ours.test.images[i]).toEqual(node.test.images[i]);
    for (const i of [0, 4321, 7999]) expect(ours.train.images[i]).toEqual(node.train.images[i]);
    // Shuffled (unshuffled, the last 2,000 would be 8s and 9s); another seed, another split.
    expect(new Set(ours.test.labels).size).toBe(10);
    // A smaller training set: the first `trainSize` of the shuffle, the test set unchanged.
    const fewer = splitDigits(decodeDigits(buffer()), 1000, 0, 5000);
    const nodeFewer = split(loadNodeDigits(), 1000, 0, 5000);
    expect(fewer.train.labels).toEqual(nodeFewer.train.labels);
    expect(fewer.test.labels).toEqual(nodeFewer.test.labels);
    expect(fewer.test.images[999]).toEqual(nodeFewer.test.images[999]);
    expect(fewer.train.labels).toHaveLength(5000);
    const other = splitDigits(decodeDigits(buffer()), 2000, 1);
    expect(other.test.labels).not.toEqual(ours.test.labels);
    expect(other.test.labels).toEqual(split(loadNodeDigits(), 2000, 1, 8000).test.labels);
  });

  it('refuse a file that is not theirs, or cut short, saying how to rebuild it', () => {
    const wrong = new Uint8Array(buffer());
    wrong[0] = 'X'.charCodeAt(0);
    expect(() => decodeDigits(wrong.buffer)).toThrow(
      "mnist-digits.bin is not a packed digits file (no 'TSMN' header); rebuild it with `pnpm --filter playground build` (or restart `dev`).",
    );
    expect(() => decodeDigits(buffer().slice(0, 5000))).toThrow(
      `mnist-digits.bin has 5000 bytes, but 10000 digits need ${packed.length}: the file is truncated; ${REBUILD}`,
    );
    expect(() => decodeDigits(buffer().slice(0, 3))).toThrow(
      `mnist-digits.bin has 3 bytes, less than its 1032-byte header: the file is truncated; ${REBUILD}`,
    );
    const longer = new Uint8Array(packed.length + 1);
    longer.set(packed);
    expect(() => decodeDigits(longer.buffer)).toThrow('the file is too long');
    // An HTML page served in place of the file (a dev server's fallback) is not taken for digits.
    const html = new TextEncoder().encode('<!doctype html>'.padEnd(2000, ' '));
    expect(() => decodeDigits(html.slice().buffer)).toThrow("no 'TSMN' header");
  });

  it('name the URL and the status when the request fails', async () => {
    const notFound = async () => new Response('', { status: 404 });
    await expect(loadDigits('http://x/mnist-digits.bin', notFound)).rejects.toThrow(
      'Could not load the MNIST digits from http://x/mnist-digits.bin (HTTP 404)',
    );
    const requested: string[] = [];
    const ok = async (url: string | URL | Request) => {
      requested.push(String(url));
      return new Response(buffer());
    };
    expect((await loadDigits('u', ok)).labels).toHaveLength(10_000);
    expect(requested).toEqual(['u']);
  });

  it('are not packed when the package has other than 256 distinct values', () => {
    const folder = mkdtempSync(join(tmpdir(), 'mnist-'));
    for (let d = 0; d < 10; d++) {
      writeFileSync(
        join(folder, `${d}.json`),
        JSON.stringify({ data: new Array(784).fill(d / 10) }),
      );
    }
    expect(() => packDigits(folder)).toThrow(
      'has 10 distinct pixel values, not the 256 that mnist-digits.bin indexes with one byte each',
    );
  });
});

describe('the mnist-asset Vite plugin', () => {
  it('emits the packed digits as mnist-digits.bin in a build', () => {
    const emitted: unknown[] = [];
    const plugin = mnistAsset();
    const hook = plugin.generateBundle as unknown as (this: unknown) => void;
    hook.call({ emitFile: (file: unknown) => emitted.push(file) });
    expect(emitted).toHaveLength(1);
    const { source, ...file } = emitted[0] as { source: unknown };
    expect(file).toEqual({ type: 'asset', fileName: DIGITS_FILE });
    expect(samePacked(source)).toBe(true);
  });

  it('serves the same bytes at <base>mnist-digits.bin in dev, and passes other requests on', () => {
    type Middleware = (request: { url?: string }, response: unknown, next: () => void) => void;
    const serve = (base: string) => {
      const middlewares: Middleware[] = [];
      const server = {
        config: { base },
        middlewares: { use: (m: Middleware) => middlewares.push(m) },
      };
      (mnistAsset().configureServer as unknown as (s: unknown) => void)(server);
      return (url: string) => {
        const sent: { headers: Record<string, string>; body?: Uint8Array; next: boolean } = {
          headers: {},
          next: false,
        };
        const response = {
          setHeader: (name: string, value: string) => {
            sent.headers[name] = value;
          },
          end: (body: Uint8Array) => {
            sent.body = body;
          },
        };
        middlewares[0]!({ url }, response, () => {
          sent.next = true;
        });
        return sent;
      };
    };
    const root = serve('/');
    const hit = root('/mnist-digits.bin?t=1');
    expect(hit.next).toBe(false);
    expect(samePacked(hit.body)).toBe(true);
    expect(hit.headers['Content-Type']).toBe('application/octet-stream');
    expect(root('/index.html').next).toBe(true);
    expect(root('/sub/mnist-digits.bin').next).toBe(true);
    expect(samePacked(serve('/sub/')('/sub/mnist-digits.bin').body)).toBe(true);
    expect(samePacked(serve('./')('/mnist-digits.bin').body)).toBe(true);
  });
});
