import { defineConfig } from 'vite';
import { CROSS_ORIGIN_ISOLATION } from './cross-origin-isolation.ts';
import { mnistAsset } from './mnist-asset.ts';
import { sizeReport } from './size-report.ts';

const sizes = sizeReport();

export default defineConfig({
  // Relative asset URLs: the built app works from any folder it is served from.
  base: './',
  // Workspace packages are bundled from their TypeScript sources, as the tests read them.
  resolve: { conditions: ['@twostep/source', 'module', 'browser', 'development|production'] },
  // The worker imports each backend with import(): ES module workers keep them separate chunks.
  worker: { format: 'es', plugins: () => [sizes[0]!] },
  plugins: [mnistAsset(), ...sizes],
  build: {
    target: 'es2022',
    // A manifest, so the tests can measure the entry's JavaScript apart from the backends'.
    manifest: true,
    // tfjs's chunks are large by nature; each loads only with its backend.
    chunkSizeWarningLimit: 2000,
  },
  // Cross-origin isolated, so that the ts backend in the training worker can start threads.
  preview: { port: 4173, strictPort: false, headers: CROSS_ORIGIN_ISOLATION },
  server: { port: 5173, strictPort: false, headers: CROSS_ORIGIN_ISOLATION },
});
