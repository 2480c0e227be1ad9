/**
 * A Vite plugin that packs the 10,000 digits of the `mnist` package (21 MB of JSON) into
 * `mnist-digits.bin` (7.8 MB, format in src/digits.ts): emitted by `vite build`, served by
 * `vite dev`. Read from the installed package: nothing is downloaded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { DIGITS_FILE, MAGIC, PIXELS, VALUES } from './src/digits.ts';

/** The packed bytes of every digit, 0s first, in the package's order (as the Node app reads them). */
export function packDigits(): Uint8Array {
  const folder = join(dirname(createRequire(import.meta.url).resolve('mnist')), 'digits');
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
  const values = [...new Set(images.flat())].sort((a, b) => a - b);
  if (values.length > VALUES) {
    throw new Error(
      `mnist: ${values.length} distinct pixel values, more than the ${VALUES} one byte indexes; the package changed.`,
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
  images.forEach((image, d) => {
    const at = header + count + d * PIXELS;
    for (let p = 0; p < PIXELS; p++) bytes[at + p] = code.get(image[p]!)!;
  });
  return bytes;
}

export function mnistAsset(): Plugin {
  let packed: Uint8Array | undefined;
  const bytes = () => {
    packed ??= packDigits();
    return packed;
  };
  return {
    name: 'twostep-mnist-asset',
    configureServer(server) {
      const path = `${server.config.base.replace(/^\.?\/?/, '/')}${DIGITS_FILE}`;
      server.middlewares.use((request, response, next) => {
        if (request.url?.split('?')[0] !== path) return next();
        response.setHeader('Content-Type', 'application/octet-stream');
        response.end(bytes());
      });
    },
    // In the page's build (the worker's has its own plugins and fetches the page's copy).
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: DIGITS_FILE, source: bytes() });
    },
  };
}
