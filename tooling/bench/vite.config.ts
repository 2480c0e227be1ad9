/** The bench page (browser/), built to dist/browser for `pnpm bench --browser`. */
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'browser',
  // Relative asset URLs: the page works from any folder it is served from.
  base: './',
  // Workspace packages are bundled from their TypeScript sources, as in the playground.
  resolve: { conditions: ['@twostep/source', 'module', 'browser', 'development|production'] },
  build: {
    outDir: '../dist/browser',
    emptyOutDir: true,
    target: 'es2022',
    // tfjs's chunks are large by nature; each loads only with its backend.
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
});
