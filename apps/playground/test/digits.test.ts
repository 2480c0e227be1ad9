import { split } from '@twostep/datasets';
import { decodeMnist, loadMnist, MNIST_FILE, packMnist } from '@twostep/datasets/mnist';
import { describe, expect, it } from 'vitest';
import { mnistAsset } from '../mnist-asset.ts';
import { DIGITS_FILE, loadDigits, splitDigits } from '../src/digits.js';

const packed = packMnist();
const buffer = () => packed.slice().buffer;
/** Byte equality, fast (toEqual walks 7.8 MB for minutes). */
const samePacked = (bytes: unknown) =>
  bytes instanceof Uint8Array && Buffer.from(bytes).equals(Buffer.from(packed));

describe('the page’s MNIST digits', () => {
  it('are fetched and decoded by @twostep/datasets, as the Node app loads them', async () => {
    const requested: string[] = [];
    const ok = async (url: string | URL | Request) => {
      requested.push(String(url));
      return new Response(buffer());
    };
    const digits = await loadDigits('u', ok);
    expect(requested).toEqual(['u']);
    expect(digits.labels).toEqual(loadMnist().labels);
    expect(DIGITS_FILE).toBe(MNIST_FILE);
    // decodeMnist's own error for what is not a packed file (a dev server's HTML fallback).
    const html = async () => new Response('<!doctype html>'.padEnd(2000, ' '));
    await expect(loadDigits('u', html)).rejects.toThrow("no 'TSMN' header");
  });

  it('name the URL and the status when the request fails', async () => {
    const notFound = async () => new Response('', { status: 404 });
    await expect(loadDigits('http://x/mnist-digits.bin', notFound)).rejects.toThrow(
      'Could not load the MNIST digits from http://x/mnist-digits.bin (HTTP 404)',
    );
  });

  it('are split as the Node app splits them: 2,000 held out, seed 0, 8,000 to train on', () => {
    const digits = decodeMnist(buffer());
    const ours = splitDigits(digits);
    const node = split(loadMnist(), { testSize: 2000, seed: 0, trainSize: 8000 });
    expect(ours.train.labels).toEqual(node.train.labels);
    expect(ours.test.labels).toEqual(node.test.labels);
    expect(ours.train.images).toHaveLength(8000);
    for (const i of [0, 1, 999, 1999]) expect(ours.test.images[i]).toEqual(node.test.inputs[i]);
    const other = splitDigits(digits, 1000, 1, 5000);
    expect(other.train.labels).toEqual(
      split(loadMnist(), { testSize: 1000, seed: 1, trainSize: 5000 }).train.labels,
    );
  });
});

describe('the mnist-asset Vite plugin', () => {
  it('emits the packed digits of @twostep/datasets as mnist-digits.bin in a build', () => {
    const emitted: unknown[] = [];
    const plugin = mnistAsset();
    const hook = plugin.generateBundle as unknown as (this: unknown) => void;
    hook.call({ emitFile: (file: unknown) => emitted.push(file) });
    expect(emitted).toHaveLength(1);
    const { source, ...file } = emitted[0] as { source: unknown };
    expect(file).toEqual({ type: 'asset', fileName: 'mnist-digits.bin' });
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
