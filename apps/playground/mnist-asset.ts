/**
 * A Vite plugin that serves the MNIST digits packed by @twostep/datasets (`packMnist`: the
 * `mnist` package's 21 MB of JSON in 7.8 MB) as `mnist-digits.bin`: emitted by `vite build`,
 * served from memory by `vite dev`. Nothing is downloaded; the page decodes the file with the
 * same package's `decodeMnist` (src/digits.ts).
 */
import { MNIST_FILE, packMnist } from '@twostep/datasets/mnist';
import type { Plugin } from 'vite';

/** Emits `mnist-digits.bin` in `vite build`; serves it at `${base}mnist-digits.bin` in `vite dev`. */
export function mnistAsset(): Plugin {
  let packed: Uint8Array | undefined;
  const bytes = () => {
    packed ??= packMnist();
    return packed;
  };
  return {
    name: 'twostep-mnist-asset',
    configureServer(server) {
      // Dev resolves a relative base ('./') to '/'.
      const path = `${server.config.base.replace(/^\.?\/?/, '/')}${MNIST_FILE}`;
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
      this.emitFile({ type: 'asset', fileName: MNIST_FILE, source: bytes() });
    },
  };
}
